import { expect } from 'chai';
import { Observable, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createSignalingQueue } from '../../lib/rtc/index.js';
import { isRxsfuError } from '../../lib/errors.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

describe('rtc/signaling-queue (marbles)', () => {
  it('runs tasks one at a time, in the order they were asked for', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const queue = createSignalingQueue();
      const a = cold('  --a|');
      const b = cold('     -b|');
      const c = cold('       c|');
      expectObservable(queue.run$('a', () => a)).toBe('--a|');
      expectObservable(queue.run$('b', () => b)).toBe('----b|');
      expectObservable(queue.run$('c', () => c)).toBe('-----c|');
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(b.subscriptions).toBe('---^-!');
      expectSubscriptions(c.subscriptions).toBe('-----^!');
    });
  });

  it('a failing task fails only its caller; the next one still runs', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const queue = createSignalingQueue();
      expectObservable(queue.run$('a', () => cold('--#', {}, new Error('boom')))).toBe('--#', {}, new Error('boom'));
      expectObservable(queue.run$('b', () => cold('-b|'))).toBe('---b|');
    });
  });

  it('a task whose work function throws fails its caller only', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const queue = createSignalingQueue();
      const broken = (): Observable<string> => {
        throw new Error('sync');
      };
      expectObservable(queue.run$('a', broken)).toBe('#', {}, new Error('sync'));
      expectObservable(queue.run$('b', () => cold('b|'))).toBe('b|');
    });
  });

  it('a never-ending task holds every later one back', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const queue = createSignalingQueue();
      const b = cold('b|');
      expectObservable(queue.run$('a', () => cold('-a-'))).toBe('-a-');
      expectObservable(queue.run$('b', () => b)).toBe('---');
      expectSubscriptions(b.subscriptions).toBe([]);
    });
  });

  it('an empty task completes its caller and lets the next one run', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const queue = createSignalingQueue();
      expectObservable(queue.run$('a', () => cold('--|'))).toBe('--|');
      expectObservable(queue.run$('b', () => cold('b|'))).toBe('--b|');
    });
  });

  it('unsubscribing a waiting task drops it; unsubscribing a running one cancels its work', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const queue = createSignalingQueue();
      const a = cold('----a|');
      const b = cold('b|');
      const c = cold('c|');
      expectObservable(queue.run$('a', () => a), '^-!').toBe('---');
      expectObservable(queue.run$('b', () => b), '^!').toBe('--');
      expectObservable(queue.run$('c', () => c)).toBe('--c|');
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe([]);
      expectSubscriptions(c.subscriptions).toBe('--^!');
    });
  });

  it('close() fails the running and the waiting callers with RXSFU_ERR_WEBRTC and refuses new tasks', () => {
    scheduler().run(({ cold, expectSubscriptions, flush }) => {
      const queue = createSignalingQueue();
      const a = cold('----a|');
      const errors: unknown[] = [];
      queue.run$('a', () => a).subscribe({ error: (e: unknown) => errors.push(e) });
      queue.run$('b', () => cold('b|')).subscribe({ error: (e: unknown) => errors.push(e) });
      cold('--x|').subscribe(() => queue.close());
      expectSubscriptions(a.subscriptions).toBe('^-!');
      flush();
      expect(errors).to.have.length(2);
      expect(errors.every((e) => isRxsfuError(e, 'RXSFU_ERR_WEBRTC'))).to.equal(true);
      expect(queue.closed).to.equal(true);
      let late: unknown;
      queue.run$('late', () => throwError(() => new Error('not run'))).subscribe({ error: (e: unknown) => (late = e) });
      expect(isRxsfuError(late, 'RXSFU_ERR_WEBRTC')).to.equal(true);
    });
  });
});
