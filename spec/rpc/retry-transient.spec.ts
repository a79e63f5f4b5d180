import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { defer, timeout, throwError } from 'rxjs';
import { retryBackoff } from '../../lib/backoff.js';
import { isTransientRpcError, retryTransient } from '../../lib/rpc/index.js';
import { rxsfuError } from '../../lib/errors.js';
import { HttpTransportError } from '../../lib/http/request.js';

const transport = new HttpTransportError('RXSFU_ERR_RPC', 'POST x: socket hang up');
const timedOut = rxsfuError('RXSFU_ERR_RPC_TIMEOUT', 'no answer');
const retryable = rxsfuError('RXSFU_ERR_RPC', 'busy', { shouldRetry: true, sfuErrorCode: 203 });
const final = rxsfuError('RXSFU_ERR_RPC', 'not found', { shouldRetry: false, sfuErrorCode: 200 });
const unauthorized = rxsfuError('RXSFU_ERR_UNAUTHORIZED', '401', { httpStatus: 401 });

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

describe('rpc: retryTransient (virtual time)', () => {
  it('retries a transport error after backoff(n), and succeeds on the third attempt', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -#', undefined, transport);
      const ok = cold('      -(a|)');
      let attempt = 0;
      const attempts$ = defer(() => (attempt++ < 2 ? source : ok));
      const result = attempts$.pipe(retryTransient({ maxAttempts: 3, backoff: (n) => n * 10 }));
      //            attempt 1 fails at 1, waits 10; attempt 2 at 11 fails at 12, waits 20; attempt 3 at 32 emits at 33
      expectObservable(result).toBe('33ms (a|)');
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
      expectSubscriptions(ok.subscriptions).toBe('32ms ^!');
    });
  });

  it('gives up after maxAttempts with the last error', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, timedOut);
      expectObservable(source.pipe(retryTransient({ maxAttempts: 3, backoff: () => 5 }))).toBe('13ms #', undefined, timedOut);
      expectSubscriptions(source.subscriptions).toBe(['^!', '6ms ^!', '12ms ^!']);
    });
  });

  it('passes non-retryable errors through at once (should_retry=false, unauthorized, anything else)', () => {
    for (const err of [final, unauthorized, new Error('boom')]) {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('--#', undefined, err);
        expectObservable(source.pipe(retryTransient({ backoff: () => 5 }))).toBe('--#', undefined, err);
        expectSubscriptions(source.subscriptions).toBe('^-!');
      });
    }
  });

  it('retries SFU errors that say should_retry', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-#', undefined, retryable);
      expectObservable(source.pipe(retryTransient({ maxAttempts: 2, backoff: () => 3 }))).toBe('5ms #', undefined, retryable);
    });
  });

  it('maxAttempts 1 means no retry', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, transport);
      expectObservable(source.pipe(retryTransient({ maxAttempts: 1 }))).toBe('-#', undefined, transport);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('with a per-attempt timeout inside, a never-answering source ends in RXSFU_ERR_RPC_TIMEOUT', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-');
      const result = source.pipe(
        timeout({ first: 100, with: () => throwError(() => timedOut) }),
        retryTransient({ maxAttempts: 3, backoff: () => 50 }),
      );
      expectObservable(result).toBe('400ms #', undefined, timedOut);
      expectSubscriptions(source.subscriptions).toBe(['^ 99ms !', '150ms ^ 99ms !', '300ms ^ 99ms !']);
    });
  });

  it('passes values and completion through, and leaves the source on early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b|');
      expectObservable(source.pipe(retryTransient())).toBe('-a-b|');
      const never = cold('-');
      expectObservable(never.pipe(retryTransient()), '^--!').toBe('-');
      expectSubscriptions(never.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribing during the backoff wait cancels the next attempt', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, transport);
      expectObservable(source.pipe(retryTransient({ backoff: () => 1000 })), '^ 499ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('a throwing backoff errors the stream with what it threw', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const oops = new Error('backoff broke');
      const source = cold('-#', undefined, transport);
      expectObservable(source.pipe(retryTransient({ backoff: () => { throw oops; } }))).toBe('-#', undefined, oops);
    });
  });
});

describe('rpc: isTransientRpcError', () => {
  it('classifies', () => {
    expect([transport, timedOut, retryable].map(isTransientRpcError)).to.deep.equal([true, true, true]);
    expect([final, unauthorized, new Error('x'), undefined].map(isTransientRpcError)).to.deep.equal([false, false, false, false]);
  });
});

describe('rpc: retryBackoff', () => {
  it('caps double per attempt up to maxDelayMs, scaled by random()', () => {
    const top = retryBackoff({ random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).to.deep.equal([249, 499, 999, 1999, 3999, 4999, 4999]);
    expect([1, 5].map(retryBackoff({ random: () => 0 }))).to.deep.equal([0, 0]);
    expect(retryBackoff({ baseMs: 100, maxDelayMs: 300, random: () => 0.5 })(3)).to.equal(150);
  });
});
