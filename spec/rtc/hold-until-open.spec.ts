import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { holdUntilOpen } from '../../lib/rtc/index.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}
const gate = { f: false, t: true };

describe('rtc/holdUntilOpen (marbles)', () => {
  it('holds values while shut, flushes them in order when it opens, passes them while open', () => {
    scheduler().run(({ hot, cold, expectObservable }) => {
      const source = hot('--a--b-----------c-----d--|');
      const open = cold('f----------t--------f------', gate);
      expectObservable(source.pipe(holdUntilOpen(open))).toBe('-----------(ab)--c--------|');
    });
  });

  it('starts shut even before the gate says anything', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-----|');
      const open = hot('  ---t------', gate);
      expectObservable(source.pipe(holdUntilOpen(open))).toBe('---(ab)--|');
    });
  });

  it('never: a gate that never opens lets nothing out; values held at completion are dropped', () => {
    scheduler().run(({ hot, cold, expectObservable }) => {
      expectObservable(hot('-a-b-|').pipe(holdUntilOpen(cold('-', gate)))).toBe('-----|');
    });
  });

  it('empty source completes at once; errors of the source and of the gate go through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(holdUntilOpen(cold('t', gate)))).toBe('|');
      expectObservable(cold('-a-#').pipe(holdUntilOpen(cold('t', gate)))).toBe('-a-#');
      expectObservable(cold('-a---').pipe(holdUntilOpen(cold('--#', gate)))).toBe('--#');
    });
  });

  it('unsubscribes from source and gate when the subscriber leaves', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-');
      const open = hot('  t------', gate);
      expectObservable(source.pipe(holdUntilOpen(open)), '^--!').toBe('-a-');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(open.subscriptions).toBe('^--!');
    });
  });
});
