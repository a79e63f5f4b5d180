import { expect } from 'chai';
import { defer, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { sendLatest, type SendLatestOptions } from '../../lib/call/send-latest.js';

/** A send that answers each attempt from a script: the n-th attempt (0-based) plays `outcomes[n]` (or the last one). */
function scripted(helpers: { cold: TestScheduler['createColdObservable'] }, outcomes: Record<string, string[]>) {
  const attempts: { value: string; at: number }[] = [];
  let now = () => 0;
  const send = (value: string): Observable<unknown> => defer(() => {
    const n = attempts.filter((a) => a.value === value).length;
    attempts.push({ value, at: now() });
    const script = outcomes[value]!;
    return helpers.cold(script[Math.min(n, script.length - 1)]!, { o: 'ok' }, new Error(`refused ${value}`));
  });
  return { attempts, send, setClock: (clock: () => number) => (now = clock) };
}

describe('sendLatest (UpdateSubscriptions re-sent until it lands)', () => {
  const random = () => 0.5; // fullJitterBackoff(0, { baseMs: 100, maxDelayMs: 1000 }) = 50, (1) = 100, (2) = 200, …

  /**
   * Runs `sendLatest` over `values` (hot marbles, `~` for a cold one-value source) against the
   * scripted send; returns every attempt with its frame. Nothing is ever emitted downstream.
   */
  function attempts(values: string, outcomes: Record<string, string[]>, options: SendLatestOptions, unsubscribe?: string) {
    const scheduler = new TestScheduler((actual, expected) => { expect(actual).to.deep.equal(expected); });
    let seen: { value: string; at: number }[] = [];
    scheduler.run((helpers) => {
      const send = scripted(helpers, outcomes);
      send.setClock(() => scheduler.now());
      const letters = Object.fromEntries(Object.keys(outcomes).map((k) => [k, k]));
      const values$ = values.startsWith('~') ? helpers.cold(values.slice(1), letters) : helpers.hot(values, letters);
      helpers.expectObservable(values$.pipe(sendLatest(send.send, { random, ...options }, scheduler)), unsubscribe).toBe('');
      helpers.flush();
      seen = send.attempts;
    });
    return seen;
  }

  it('re-sends a failed value with growing backoff until it succeeds', () => {
    const failures: number[] = [];
    const seen = attempts('~a', { a: ['-#', '-#', '-o|'] }, { baseMs: 100, maxDelayMs: 1000, onFailure: (_e, n) => failures.push(n) });
    // attempt at 0, fails at 1, waits 50 → 51, fails at 52, waits 100 → 152, succeeds.
    expect(seen).to.deep.equal([{ value: 'a', at: 0 }, { value: 'a', at: 51 }, { value: 'a', at: 152 }]);
    expect(failures).to.deep.equal([1, 2]);
  });

  it('a newer value ends the retry wait of an older one and is sent instead', () => {
    const seen = attempts('a 19ms b', { a: ['-#'], b: ['-o|'] }, { baseMs: 100, maxDelayMs: 1000 });
    // a fails at 1 and would retry at 51; b arrives at 20: a is dropped, b goes at once.
    expect(seen).to.deep.equal([{ value: 'a', at: 0 }, { value: 'b', at: 20 }]);
  });

  it('never cuts a request in flight; values superseded while it runs are skipped', () => {
    const seen = attempts('a 2ms b 2ms c', { a: ['----------o|'], b: ['-o|'], c: ['-o|'] }, { baseMs: 100, maxDelayMs: 1000 });
    // a's request (0 → 10) finishes; b (at 3) was superseded by c (at 6) while waiting: only c follows.
    expect(seen).to.deep.equal([{ value: 'a', at: 0 }, { value: 'c', at: 11 }]);
  });

  it('a value that fails while a newer one is already waiting is not retried', () => {
    const seen = attempts('a 2ms b', { a: ['-----#'], b: ['-o|'] }, { baseMs: 100, maxDelayMs: 1000 });
    expect(seen, 'a fails at 5: b goes next, a is not retried').to.deep.equal([{ value: 'a', at: 0 }, { value: 'b', at: 5 }]);
  });

  it('keeps retrying at the capped backoff while nothing newer comes, and stops on unsubscribe', () => {
    const seen = attempts('~a', { a: ['#'] }, { baseMs: 100, maxDelayMs: 400 }, '^ 1000ms !');
    // waits 50, 100, 200, then 200 each (0.5 · cap 400): attempts at 0, 50, 150, 350, 550, 750, 950.
    expect(seen.map((a) => a.at)).to.deep.equal([0, 50, 150, 350, 550, 750, 950]);
  });

  it('gives a value up at once on a failure isFinal says no retry can fix (e.g. 401)', () => {
    const failures: number[] = [];
    const seen = attempts('~a', { a: ['-#', '-o|'] }, { baseMs: 100, maxDelayMs: 1000, isFinal: () => true, onFailure: (_e, n) => failures.push(n) });
    expect(seen).to.deep.equal([{ value: 'a', at: 0 }]);
    expect(failures).to.deep.equal([1]);
  });
});
