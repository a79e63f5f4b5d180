/**
 * What one signaling socket sends, in order. A WebSocket is one TCP stream: a real SFU's frames on
 * it never overtake each other, whatever made one of them late. So a session's late steps (a
 * delayed frame, the close after `call_ended`) wait in one queue, each due no earlier than the step
 * queued before it, with one timer at a time on the emulator's scheduler (one timer per frame let
 * a frame queued later, due at the same instant, fire first).
 *
 *   enqueue   a (+10 at 0)   b (+5 at 3)   c (+0 at 4)
 *   runs      ----------(abc)               b and c are due at a's time, after a
 *
 * A network cut holds the queue (its `gate`): nothing leaves while the user's network is cut, not
 * even a step that was already waiting when the cut began; on restore every step then due leaves
 * at once, in order, as TCP retransmits what it could not deliver. A step of a socket that died
 * meanwhile does nothing (each step checks its socket).
 *
 *   enqueue   a (+2 at 0)   b (+0 at 3)      cut 1..5
 *   runs      -----(ab)                      both held until the restore at 5
 */
import type { SchedulerLike, Subscription } from 'rxjs';

/** A late action on the socket: send a frame, close it. */
export type SocketStep = () => void;

/** What holds the queue: the user's network cut (network.ts). */
export interface FrameGate {
  /** True while nothing may leave. */
  blocked(): boolean;
  /** Calls `open` once, when the gate opens again. */
  whenOpen(open: () => void): void;
}

export class FrameQueue {
  private readonly steps: { dueMs: number; step: SocketStep }[] = [];
  private lastDueMs = Number.NEGATIVE_INFINITY;
  private armed = false;
  private timer: Subscription | undefined;
  /** Set while the queue waits for its gate to open; a `clear()` makes the pending wake-up stale. */
  private waitingForGate: object | undefined;

  constructor(private readonly scheduler: SchedulerLike, private readonly gate?: FrameGate) {}

  /** True when nothing waits: a step due now may then run at once without overtaking anything. */
  get idle(): boolean {
    return this.steps.length === 0;
  }

  /** Runs `step` `delayMs` from now, but never before a step queued earlier, nor while the gate is closed. */
  enqueue(step: SocketStep, delayMs: number): void {
    const dueMs = Math.max(this.scheduler.now() + Math.max(0, delayMs), this.lastDueMs);
    this.lastDueMs = dueMs;
    this.steps.push({ dueMs, step });
    this.arm();
  }

  /** Drops every waiting step, the timer and any wait for the gate. */
  clear(): void {
    this.steps.length = 0;
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.armed = false;
    this.waitingForGate = undefined;
  }

  private arm(): void {
    const head = this.steps[0];
    if (this.armed || this.waitingForGate || !head) return;
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
    while (this.steps.length > 0 && this.steps[0]!.dueMs <= now) {
      if (this.gate?.blocked()) {
        this.waitForGate(this.gate);
        return;
      }
      this.steps.shift()!.step();
    }
    this.arm();
  }

  private waitForGate(gate: FrameGate): void {
    const token = {};
    this.waitingForGate = token;
    gate.whenOpen(() => {
      if (this.waitingForGate !== token) return;
      this.waitingForGate = undefined;
      this.runDue();
    });
  }
}
