/**
 * The timed building blocks on their own: `runAttempt$` (R3, R6, R7), `episodeDeadline` (R10), and the
 * pieces of the episode's `retry` loop, `attemptOnce$` (R7) and `attemptRetryDelay` (R3, R6, R8, R9),
 * against never, empty, one value, error, early unsubscribe and a throwing callback.
 */
import { expect } from 'chai';
import { asyncScheduler, catchError, firstValueFrom, map, type Observable, of } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import { attemptOnce$, episodeDeadline, runAttempt$, type AttemptOutcome } from '../../lib/reconnect/index.js';
import { AttemptAbandoned, attemptRetryDelay, EpisodeGiveUp } from '../../lib/reconnect/retry-delay.js';
import { testScheduler } from './helpers.js';

/** Outcomes as short strings for marble values. */
function show(outcome: AttemptOutcome<unknown>): string {
  if (outcome.kind === 'joined') return `joined:${String(outcome.value)}`;
  if (outcome.kind === 'failed') return `failed:${outcome.error.code}`;
  return 'abandoned';
}

describe('reconnect operators', () => {
  describe('runAttempt$ (R6, R7, R3)', () => {
    it('R6/R7: waits delayMs, then the executor\'s first value is the outcome and the executor is released', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const executor = cold('  --j-k|', { j: 'J', k: 'K' });
        const outcome$ = runAttempt$({ delayMs: 2, timeoutMs: 5, start: () => executor, abandon$: hot('-'), scheduler: asyncScheduler });
        expectObservable(outcome$.pipe(mapShow())).toBe('----(a|)', { a: 'joined:J' });
        expectSubscriptions(executor.subscriptions).toBe('--^-!');
      });
    });

    it('R7: an error becomes a failed outcome with the same typed error', () => {
      testScheduler().run(({ cold, hot, expectObservable }) => {
        const executor = cold('-#', undefined, rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset'));
        const outcome$ = runAttempt$({ delayMs: 0, timeoutMs: 5, start: () => executor, abandon$: hot('-'), scheduler: asyncScheduler });
        expectObservable(outcome$.pipe(mapShow())).toBe('-(a|)', { a: 'failed:RXSFU_ERR_SOCKET_ERROR' });
      });
    });

    it('R7: never → RXSFU_ERR_JOIN_TIMEOUT after timeoutMs (the wait does not count); empty → RXSFU_ERR_JOIN_REJECTED', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const never = cold('-');
        const empty = cold('--|');
        expectObservable(runAttempt$({ delayMs: 3, timeoutMs: 5, start: () => never, abandon$: hot('-'), scheduler: asyncScheduler }).pipe(mapShow()))
          .toBe('--------(a|)', { a: 'failed:RXSFU_ERR_JOIN_TIMEOUT' });
        expectSubscriptions(never.subscriptions).toBe('---^----!');
        expectObservable(runAttempt$({ delayMs: 0, timeoutMs: 5, start: () => empty, abandon$: hot('-'), scheduler: asyncScheduler }).pipe(mapShow()))
          .toBe('--(a|)', { a: 'failed:RXSFU_ERR_JOIN_REJECTED' });
      });
    });

    it('R7: a start() that throws fails the attempt, typed, with the thrown error as cause', () => {
      const outcomes: AttemptOutcome<unknown>[] = [];
      testScheduler().run(({ hot }) => {
        const start = () => { throw new TypeError('bad'); };
        runAttempt$({ delayMs: 0, timeoutMs: 5, start, abandon$: hot('-'), scheduler: asyncScheduler }).subscribe((o) => outcomes.push(o));
      });
      expect(outcomes).to.have.length(1);
      const [outcome] = outcomes;
      expect(outcome!.kind).to.equal('failed');
      if (outcome!.kind === 'failed') expect(outcome!.error.cause).to.be.instanceOf(TypeError);
    });

    it('R3: abandon$ ends the attempt and unsubscribes the executor; during the wait it is never subscribed', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const running = cold('------j');
        expectObservable(runAttempt$({ delayMs: 0, timeoutMs: 50, start: () => running, abandon$: hot('---x'), scheduler: asyncScheduler }).pipe(mapShow()))
          .toBe('---(a|)', { a: 'abandoned' });
        expectSubscriptions(running.subscriptions).toBe('^--!');
        const waiting = cold('-j');
        expectObservable(runAttempt$({ delayMs: 5, timeoutMs: 50, start: () => waiting, abandon$: hot('--x'), scheduler: asyncScheduler }).pipe(mapShow()))
          .toBe('--(a|)', { a: 'abandoned' });
        expectSubscriptions(waiting.subscriptions).toBe([]);
      });
    });

    it('early unsubscribe releases the executor', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const executor = cold('------j');
        const outcome$ = runAttempt$({ delayMs: 0, timeoutMs: 50, start: () => executor, abandon$: hot('-'), scheduler: asyncScheduler });
        expectObservable(outcome$.pipe(mapShow()), '^--!').toBe('---');
        expectSubscriptions(executor.subscriptions).toBe('^--!');
      });
    });
  });

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

function mapShow() {
  return map(show);
}

describe('reconnect loop pieces', () => {
  describe('attemptOnce$ (R7)', () => {
    it('R7: the executor\'s first value, then the executor is released', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const executor = cold('--j-k|', { j: 'J', k: 'K' });
        expectObservable(attemptOnce$(() => executor, 5, asyncScheduler)).toBe('--(j|)', { j: 'J' });
        expectSubscriptions(executor.subscriptions).toBe('^-!');
      });
    });

    it('R7: error, empty, never and a throwing start all end in a typed error; never is unsubscribed at the timeout', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const never = cold('-');
        const reset = rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset');
        expectObservable(attemptOnce$(() => cold('-#', undefined, reset), 5, asyncScheduler)).toBe('-#', undefined, reset);
        expectObservable(attemptOnce$(() => cold('--|'), 5, asyncScheduler).pipe(errorCode())).toBe('--(e|)', { e: 'RXSFU_ERR_JOIN_REJECTED' });
        expectObservable(attemptOnce$(() => never, 5, asyncScheduler).pipe(errorCode())).toBe('-----(e|)', { e: 'RXSFU_ERR_JOIN_TIMEOUT' });
        expectSubscriptions(never.subscriptions).toBe('^----!');
        const start = () => { throw new TypeError('bad'); };
        expectObservable(attemptOnce$(start, 5, asyncScheduler).pipe(errorCode())).toBe('(e|)', { e: 'RXSFU_ERR_JOIN_REJECTED' });
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
