/**
 * What one signaling socket sends, in order. A WebSocket is one TCP stream: a real SFU's frames on
 * it never overtake each other, whatever made one of them late. So a session's late steps (a
 * delayed frame, the close after `call_ended`) wait in one queue, each due no earlier than the step
 * queued before it, with one timer at a time on the emulator's scheduler (one timer per frame let
 * a frame queued later, due at the same instant, fire first).
 *
 *   enqueue   a (+10 at 0)   b (+5 at 3)   c (+0 at 4)
 *   runs      ----------(abc)               b and c are due at a's time, after a
 */
import type { SchedulerLike, Subscription } from 'rxjs';

/** A late action on the socket: send a frame, close it. */
export type SocketStep = () => void;

export class FrameQueue {
  private readonly steps: { dueMs: number; step: SocketStep }[] = [];
  private lastDueMs = Number.NEGATIVE_INFINITY;
  private armed = false;
  private timer: Subscription | undefined;

  constructor(private readonly scheduler: SchedulerLike) {}

  /** True when nothing waits: a step due now may then run at once without overtaking anything. */
  get idle(): boolean {
    return this.steps.length === 0;
  }

  /** Runs `step` `delayMs` from now, but never before a step queued earlier. */
  enqueue(step: SocketStep, delayMs: number): void {
    const dueMs = Math.max(this.scheduler.now() + Math.max(0, delayMs), this.lastDueMs);
    this.lastDueMs = dueMs;
    this.steps.push({ dueMs, step });
    this.arm();
  }

  /** Drops every waiting step and the timer. */
  clear(): void {
    this.steps.length = 0;
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.armed = false;
  }

  private arm(): void {
    const head = this.steps[0];
    if (this.armed || !head) return;
    this.armed = true;
    const timer = this.scheduler.schedule(() => {
      this.armed = false;
      this.timer = undefined;
      this.runDue();
    }, Math.max(0, head.dueMs - this.scheduler.now()));
    // A synchronous scheduler has already run (and disarmed) it inside schedule().
    if (this.armed) this.timer = timer;
  }

  private runDue(): void {
    const now = this.scheduler.now();
    while (this.steps.length > 0 && this.steps[0]!.dueMs <= now) this.steps.shift()!.step();
    this.arm();
  }
}
