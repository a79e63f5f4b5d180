/**
 * The emulator's per-socket queue of late steps (lib/emulator/frame-queue.ts), in virtual time:
 * a step never runs before a step queued earlier, whatever delays would invert them.
 */
import { expect } from 'chai';
import { Subject, asyncScheduler, queueScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FrameQueue, type FrameGate } from '../../lib/emulator/frame-queue.js';

/** A network cut for the queue: `cut()` closes the gate, `restore()` opens it and wakes the waiter. */
function networkCut(): FrameGate & { cut(): void; restore(): void } {
  let isCut = false;
  const waiting: (() => void)[] = [];
  return {
    blocked: () => isCut,
    whenOpen: (open) => void waiting.push(open),
    cut: () => void (isCut = true),
    restore: () => {
      isCut = false;
      waiting.splice(0).forEach((open) => open());
    },
  };
}

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

  describe('during a network cut (a TCP stream holds, then retransmits in order)', () => {
    it('a frame already waiting when the cut begins does not leave during the cut: a (+2, queued at 0) and b (queued at 3) leave together at the restore (5), in order; c after it goes at once', () => {
      testScheduler().run(({ expectObservable }) => {
        const sent = new Subject<string>();
        const gate = networkCut();
        const queue = new FrameQueue(asyncScheduler, gate);
        const at = (ms: number, run: () => void) => asyncScheduler.schedule(run, ms);
        at(0, () => queue.enqueue(() => sent.next('a'), 2));
        at(1, () => gate.cut());
        at(3, () => queue.enqueue(() => sent.next('b'), 0));
        at(5, () => gate.restore());
        at(10, () => queue.enqueue(() => sent.next('c'), 0));
        at(12, () => sent.complete());
        expectObservable(sent).toBe('5ms (ab) - c - |');
      });
    });

    it('a frame not yet due at the restore keeps its delay: a (+2) leaves at the restore (6), b (+9) at 9', () => {
      testScheduler().run(({ expectObservable, flush }) => {
        const sent = new Subject<string>();
        const gate = networkCut();
        const queue = new FrameQueue(asyncScheduler, gate);
        queue.enqueue(() => sent.next('a'), 2);
        queue.enqueue(() => sent.next('b'), 9);
        asyncScheduler.schedule(() => gate.cut(), 1);
        asyncScheduler.schedule(() => gate.restore(), 6);
        asyncScheduler.schedule(() => sent.complete(), 11);
        expectObservable(sent).toBe('------a--b-|');
        flush();
        expect(queue.idle).to.equal(true);
      });
    });

    it('frames held by a cut are gone when the queue is cleared meanwhile (the socket died): the restore sends nothing, a later frame goes alone', () => {
      testScheduler().run(({ expectObservable }) => {
        const sent = new Subject<string>();
        const gate = networkCut();
        const queue = new FrameQueue(asyncScheduler, gate);
        gate.cut();
        queue.enqueue(() => sent.next('a'), 0);
        asyncScheduler.schedule(() => queue.clear(), 2);
        asyncScheduler.schedule(() => gate.restore(), 4);
        asyncScheduler.schedule(() => queue.enqueue(() => sent.next('b'), 0), 6);
        asyncScheduler.schedule(() => sent.complete(), 8);
        expectObservable(sent).toBe('------b-|');
      });
    });
  });
});
