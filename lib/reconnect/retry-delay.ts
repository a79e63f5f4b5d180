/**
 * The attempt loop's `retry` delay function (R3, R6, R8, R9): what follows a failed attempt. The
 * episode is `defer(attempt$).pipe(retry({ delay: attemptRetryDelay(…) }))`; this decides, per
 * error, between "again at once", "again after the backoff" and "stop".
 */
import { type Observable, of, race, type SchedulerLike, take, throwError, timer } from 'rxjs';
import { isRxsfuError } from '../errors.js';
import { finalReason, type ReconnectFailureReason } from './failed-error.js';

/**
 * R3: the running attempt was unsubscribed because the floor rose above its strategy. A control
 * signal inside one episode: `retry` consumes it, it never reaches a subscriber.
 */
export class AttemptAbandoned extends Error {
  override name = 'AttemptAbandoned';
  constructor() {
    super('reconnect attempt abandoned for a higher strategy (R3)');
  }
}

/**
 * R8/R9: the episode must stop with `reason`. A control signal inside one episode: the episode turns
 * it into its `ReconnectFailedError` record and `reconnecting-failed` state.
 */
export class EpisodeGiveUp extends Error {
  override name = 'EpisodeGiveUp';
  constructor(readonly reason: ReconnectFailureReason) {
    super(`reconnection episode gives up (${reason})`);
  }
}

export interface RetryDelayOptions {
  /** R6: the backoff before the next attempt, read when an attempt has failed. */
  readonly backoffMs: () => number;
  /** R3: emits when the wait must end early (the floor rose above the next attempt's strategy). */
  readonly cutShort$: () => Observable<unknown>;
  readonly scheduler: SchedulerLike;
}

/**
 * The `retry({ delay })` function of the attempt loop.
 *
 * ```
 * error AttemptAbandoned (R3):            (0|)          retry at once, no backoff
 * error final RxsfuError (R9):             #            EpisodeGiveUp('unauthorized' | 'disconnected')
 * error EpisodeGiveUp (R8) / not RxsfuError: #          no retry: the loop errors with it
 * error RxsfuError, backoffMs 4 (R6):      ----(0|)     retry after the backoff
 *   … cutShort$: --x                       --(x|)       R3 during the wait: retry at once
 * ```
 */
export function attemptRetryDelay(options: RetryDelayOptions): (error: unknown) => Observable<unknown> {
  return (error) => {
    if (error instanceof AttemptAbandoned) return of(0);
    if (!isRxsfuError(error)) return throwError(() => error);
    const final = finalReason(error);
    if (final) return throwError(() => new EpisodeGiveUp(final));
    return race(timer(options.backoffMs(), options.scheduler), options.cutShort$().pipe(take(1)));
  };
}
