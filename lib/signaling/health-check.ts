/**
 * Keep-alive for a joined signaling socket, as two pure pipelines over a scheduler.
 *
 * - {@link healthCheckRequests$}: what to send, and when.
 * - {@link heartbeatTimeout$}: when to give up. Unlike Stream's Python SDK (which only counts
 *   `health_check_response`), *any* frame proves the socket alive: a busy socket whose health
 *   responses are queued behind media signaling is not dead.
 */
import {
  connect,
  defer,
  endWith,
  ignoreElements,
  interval,
  map,
  type Observable,
  type SchedulerLike,
  switchMap,
  take,
  takeUntil,
  timer,
  asyncScheduler,
} from 'rxjs';
import type { SfuRequestInit } from '../protocol/index.js';

/**
 * Health-check period once joined. Issue 13, from bench:outage (BENCHMARKS.md "Outages"): with 2.5 s
 * of silence, a silent path is lost within 3 s p95 and a path with 300 ms jitter, 800 ms spikes and
 * 500 ms stalls of our own loop never is. Was 5000 / 12000 (the official client's).
 */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 1000;
/** Silence (no frame of any kind) after which a joined socket is lost. */
export const DEFAULT_UNHEALTHY_AFTER_MS = 2500;

/** A `SfuRequest{healthCheckRequest}` frame, ready to send. */
export const HEALTH_CHECK_REQUEST: SfuRequestInit = Object.freeze({ healthCheckRequest: {} });

/** What {@link heartbeatTimeout$} reports. */
export interface HeartbeatTimeout {
  /** How long the socket was silent when it fired (= `unhealthyAfterMs`). */
  readonly silentForMs: number;
}

/**
 * Once `joined$` emits, a health-check request every `intervalMs` (the first one `intervalMs` after
 * the join), until the subscriber unsubscribes. `joined$` only counts once.
 *
 * ```
 * joined$:   --j-------------       (intervalMs = 3)
 * result:    -----h--h--h--h-
 * ```
 * @param intervalMs time between requests
 * @param scheduler  clock for the interval @default asyncScheduler
 */
export function healthCheckRequests$(
  joined$: Observable<unknown>,
  intervalMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<SfuRequestInit> {
  return joined$.pipe(
    take(1),
    switchMap(() => interval(intervalMs, scheduler)),
    map(() => HEALTH_CHECK_REQUEST),
  );
}

/**
 * Emits once, then completes, when `unhealthyAfterMs` passed since the last value of `frames$`
 * (the watch starts at the first frame: pass frames from the join response on). Completes without
 * a value when `frames$` completes (the socket is gone: nothing left to watch).
 *
 * ```
 * frames$:   -a--b-------c--         (unhealthyAfterMs = 5)
 * result:    ---------(t|)
 * ```
 * @param unhealthyAfterMs silence that makes the socket unhealthy
 * @param scheduler        clock for the watchdog @default asyncScheduler
 */
export function heartbeatTimeout$(
  frames$: Observable<unknown>,
  unhealthyAfterMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<HeartbeatTimeout> {
  return frames$.pipe(
    connect((shared$) =>
      shared$.pipe(
        switchMap(() => silence$(unhealthyAfterMs, scheduler)),
        take(1),
        map(() => ({ silentForMs: unhealthyAfterMs })),
        takeUntil(shared$.pipe(ignoreElements(), endWith(true))),
      ),
    ),
  );
}

/** A timer that fires this late (or later) means our own event loop was stalled, not the path. */
export const STALL_TOLERANCE_MS = 50;

/**
 * `ms` of silence as this process heard it. When the timer fires late, the process itself was not
 * listening for that long (an event-loop stall): frames may be waiting unread, and the far side's
 * answer to a health check sent just before may be stuck behind the stall, so the lateness is waited
 * again. Then one more event-loop turn (`timer(0)`), so the socket's pending data is read before the
 * verdict: a frame that arrived restarts the watch (the caller's `switchMap`). In virtual time
 * nothing is ever late, so marbles see exactly `ms`.
 */
export function silence$(ms: number, scheduler: SchedulerLike): Observable<unknown> {
  return defer(() => {
    const due = scheduler.now() + ms;
    return timer(ms, scheduler).pipe(switchMap(() => {
      const late = scheduler.now() - due;
      return late >= STALL_TOLERANCE_MS ? silence$(late, scheduler) : timer(0, scheduler);
    }));
  });
}
