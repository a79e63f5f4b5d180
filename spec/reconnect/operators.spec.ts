/**
 * The timed building blocks on their own: `episodeDeadline` (R10), and the
 * pieces of the episode's `retry` loop, `attemptOnce$` (R7) and `attemptRetryDelay` (R3, R6, R8, R9),
 * against never, empty, one value, error, early unsubscribe and a throwing callback.
 */
import { expect } from 'chai';
import { asyncScheduler, catchError, firstValueFrom, map, type Observable, of } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import { attemptOnce$, episodeDeadline } from '../../lib/reconnect/index.js';
import { AttemptAbandoned, attemptRetryDelay, EpisodeGiveUp } from '../../lib/reconnect/retry-delay.js';
import { testScheduler } from './helpers.js';

describe('reconnect operators', () => {
  describe('episodeDeadline (R10)', () => {
    it('R10: mirrors a source that ends in time, and replaces one that does not', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const onTime = cold('  -a---b|');
        const late = cold('    -a---b--------c|');
        const expiry = () => cold('(xy|)');
        expectObservable(onTime.pipe(episodeDeadline(10, asyncScheduler, expiry))).toBe('-a---b|');
        expectObservable(late.pipe(episodeDeadline(10, asyncScheduler, expiry))).toBe('-a---b----(xy|)');
        expectSubscriptions(late.subscriptions).toBe('^---------!');
      });
    });

    it('R10: never and error: never is cut at the deadline, an error passes through before it', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const expiry = () => cold('(x|)');
        expectObservable(cold('-').pipe(episodeDeadline(4, asyncScheduler, expiry))).toBe('----(x|)');
        expectObservable(cold('--#').pipe(episodeDeadline(4, asyncScheduler, expiry))).toBe('--#');
      });
    });
  });
});

describe('reconnect loop pieces', () => {
  describe('attemptOnce$ (R7)', () => {
    it('R7: the executor\'s first value, then the executor is released', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const executor = cold('--j-k|', { j: 'J', k: 'K' });
        expectObservable(attemptOnce$(() => executor, 5, asyncScheduler)).toBe('--(j|)', { j: 'J' });
        expectSubscriptions(executor.subscriptions).toBe('^-!');
      });
    });

    it('R7: error, empty, never and a throwing start all end in a typed error, each with its own code; never is unsubscribed at the timeout', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const never = cold('-');
        const reset = rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset');
        expectObservable(attemptOnce$(() => cold('-#', undefined, reset), 5, asyncScheduler)).toBe('-#', undefined, reset);
        expectObservable(attemptOnce$(() => cold('--|'), 5, asyncScheduler).pipe(errorCode())).toBe('--(e|)', { e: 'RXSFU_ERR_INTERNAL' });
        expectObservable(attemptOnce$(() => never, 5, asyncScheduler).pipe(errorCode())).toBe('-----(e|)', { e: 'RXSFU_ERR_ATTEMPT_TIMEOUT' });
        expectSubscriptions(never.subscriptions).toBe('^----!');
        const start = () => { throw new TypeError('bad'); };
        expectObservable(attemptOnce$(start, 5, asyncScheduler).pipe(errorCode())).toBe('(e|)', { e: 'RXSFU_ERR_INTERNAL' });
      });
    });

    it('R7: start() is called on the scheduler, not during subscribe', async () => {
      let calls = 0;
      const joined = firstValueFrom(attemptOnce$(() => (calls++, of('J')), 1000, asyncScheduler));
      expect(calls).to.equal(0);
      expect(await joined).to.equal('J');
      expect(calls).to.equal(1);
    });
  });

  describe('attemptRetryDelay (R3, R6, R8, R9)', () => {
    const options = (cutShort$: () => Observable<unknown>) => ({ backoffMs: () => 4, cutShort$, scheduler: asyncScheduler });

    it('R6: an attempt error waits the backoff; R3: cutShort$ ends the wait early', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        const lost = rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset');
        expectObservable(attemptRetryDelay(options(() => hot('-')))(lost).pipe(map(() => 'w'))).toBe('----(w|)');
        expectObservable(attemptRetryDelay(options(() => hot('--x')))(lost).pipe(map(() => 'w'))).toBe('--(w|)');
      });
    });

    it('R3: an abandoned attempt is retried at once, without backoff', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        expectObservable(attemptRetryDelay(options(() => hot('-')))(new AttemptAbandoned()).pipe(map(() => 'w'))).toBe('(w|)');
      });
    });

    it('R9: a final error is not retried: EpisodeGiveUp with its reason; R8 EpisodeGiveUp and foreign errors pass unchanged', () => {
      const reasons: unknown[] = [];
      const giveUp = new EpisodeGiveUp('rate-limit');
      const bug = new TypeError('bug');
      const delay = attemptRetryDelay(options(() => of('x')));
      for (const error of [rxsfuError('RXSFU_ERR_UNAUTHORIZED', '401'), rxsfuError('RXSFU_ERR_CALL_ENDED', 'ended'), giveUp, bug]) {
        delay(error).subscribe({ next: () => reasons.push('retried'), error: (e: unknown) => reasons.push(e instanceof EpisodeGiveUp ? e.reason : e) });
      }
      expect(reasons).to.deep.equal(['unauthorized', 'disconnected', 'rate-limit', bug]);
    });
  });
});

/** The code of the error that ends the stream, as a value. */
function errorCode() {
  return catchError((error: { code?: string }) => of(error.code));
}
