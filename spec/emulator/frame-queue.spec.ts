/**
 * The emulator's per-socket queue of late steps (lib/emulator/frame-queue.ts), in virtual time:
 * a step never runs before a step queued earlier, whatever delays would invert them.
 */
import { expect } from 'chai';
import { Subject, asyncScheduler, queueScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FrameQueue } from '../../lib/emulator/frame-queue.js';

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

describe('emulator FrameQueue (one ordered queue per socket)', () => {
  it('frames queued with delays that would invert them keep their order: a join_response due at 10, an error queued at 3 with +7 and a frame at 4 with +0 all go out at 10, in queue order', () => {
    testScheduler().run(({ expectObservable }) => {
      const sent = new Subject<string>();
      const queue = new FrameQueue(asyncScheduler);
      const at = (ms: number, name: string, delayMs: number) => asyncScheduler.schedule(() => queue.enqueue(() => sent.next(name), delayMs), ms);
      at(0, 'j', 10);
      at(3, 'e', 7);
      at(4, 'x', 0);
      asyncScheduler.schedule(() => sent.complete(), 20);
      expectObservable(sent).toBe('10ms (jex) 5ms |');
    });
  });

  it('a step due after the one ahead of it keeps its own delay; the queue is idle once drained', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const sent = new Subject<string>();
      const queue = new FrameQueue(asyncScheduler);
      queue.enqueue(() => sent.next('a'), 2);
      asyncScheduler.schedule(() => queue.enqueue(() => sent.next('b'), 5), 1);
      asyncScheduler.schedule(() => sent.complete(), 9);
      expectObservable(sent).toBe('--a---b--|');
      flush();
      expect(queue.idle).to.equal(true);
    });
  });

  it('clear() drops every waiting step and its timer', () => {
    testScheduler().run(({ expectObservable }) => {
      const sent = new Subject<string>();
      const queue = new FrameQueue(asyncScheduler);
      queue.enqueue(() => sent.next('a'), 5);
      queue.enqueue(() => sent.next('b'), 0);
      asyncScheduler.schedule(() => queue.clear(), 3);
      asyncScheduler.schedule(() => queue.enqueue(() => sent.next('c'), 1), 4);
      asyncScheduler.schedule(() => sent.complete(), 8);
      expectObservable(sent).toBe('-----c--|');
    });
  });

  it('on a synchronous scheduler, steps run at once, in the order they were queued (c, queued inside a, before b)', () => {
    const order: string[] = [];
    const queue = new FrameQueue(queueScheduler);
    queue.enqueue(() => {
      order.push('a');
      queue.enqueue(() => order.push('c'), 0);
    }, 0);
    queue.enqueue(() => order.push('b'), 0);
    expect(order).to.deep.equal(['a', 'c', 'b']);
    expect(queue.idle).to.equal(true);
  });
});
