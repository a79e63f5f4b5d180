/**
 * A real-time frame clock that does not drift: tick k is due at start + firstDelayMs + k·periodMs
 * on the scheduler's clock. `interval()` re-arms each tick from when the last one ran, so every late
 * tick pushes all later ones back: a 20 ms Opus source on it sends about 43 packets a second on a
 * busy machine instead of 50, and its media time falls behind wall time. This clock emits every
 * tick that fell due (catching up), up to `maxCatchUpMs` behind; further behind (a long stall) it
 * skips the missed ticks and restarts from now rather than bursting.
 */
import { Observable, asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';

export interface FrameClockOptions {
  /** @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** When the first tick is due; 0 emits it synchronously at subscription. @default 0 */
  firstDelayMs?: number;
  /** Ticks this far behind are still emitted (late, at once); further behind, skipped. @default 200 */
  maxCatchUpMs?: number;
}

/**
 * Tick indexes 0, 1, 2… (ticks emitted so far), each as soon as it is due.
 *
 * ```
 * frameClock$(20, { firstDelayMs: 20 })
 * on time:              ----0----1----2----3----4--…   (20 ms apart)
 * event loop blocked:   ----0----|blocked|(123)----4--…   late ticks come at once, in order
 * ```
 */
export function frameClock$(periodMs: number, options: FrameClockOptions = {}): Observable<number> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const firstDelayMs = options.firstDelayMs ?? 0;
  const maxCatchUpMs = options.maxCatchUpMs ?? 200;
  return new Observable<number>((subscriber) => {
    let index = 0;
    let due = scheduler.now() + firstDelayMs;
    let timer: Subscription | undefined;
    const tick = () => {
      const now = scheduler.now();
      if (now - due > maxCatchUpMs) due = now;
      while (due <= now && !subscriber.closed) {
        subscriber.next(index++);
        due += periodMs;
      }
      if (!subscriber.closed) timer = scheduler.schedule(tick, due - now);
    };
    if (firstDelayMs === 0) tick();
    else timer = scheduler.schedule(tick, firstDelayMs);
    return () => timer?.unsubscribe();
  });
}
