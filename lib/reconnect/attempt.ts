/**
 * One attempt (R7): subscribe the executor on the scheduler and bound it by `timeout`, so nothing
 * hangs and every failure is a typed error. The episode (`episode.ts`) retries it with `retry`; the
 * backoff between attempts (R6) lives in that `retry`'s delay function (`retry-delay.ts`), not here.
 */
import { catchError, defer, map, type Observable, of, race, subscribeOn, switchMap, take, throwError, throwIfEmpty, timeout, timer, type SchedulerLike } from 'rxjs';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { asAttemptError } from './failed-error.js';

/**
 * R7: the executor's first value, or a typed error; the executor is released after its first value.
 * It is subscribed on `scheduler`, never inside the emission that caused the attempt (a trigger from a
 * socket's close handler must not open the next socket from inside that handler).
 *
 * ```
 * timeoutMs 5:
 * executor:  --j-k|   → --(j|)
 * executor:  -#       → -#        the executor's error, as an RxsfuError (asAttemptError)
 * executor:  --|      → --#       RXSFU_ERR_JOIN_REJECTED (completed without joining)
 * executor:  -------  → -----#    RXSFU_ERR_JOIN_TIMEOUT, executor unsubscribed
 * ```
 *
 * @param start subscribes the executor; called once, on the scheduler. May throw: that fails the attempt.
 */
export function attemptOnce$<T>(start: () => Observable<T>, timeoutMs: number, scheduler: SchedulerLike): Observable<T> {
  return defer(start).pipe(
    subscribeOn(scheduler),
    timeout({ first: timeoutMs, scheduler, with: () => throwError(() => attemptTimeout(timeoutMs)) }),
    take(1),
    throwIfEmpty(() => rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'reconnect attempt completed without joining')),
    catchError((error: unknown) => throwError(() => asAttemptError(error))),
  );
}

/** How an attempt ended. */
export type AttemptOutcome<T> =
  | { readonly kind: 'joined'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: RxsfuError }
  /** R3: the floor rose above this attempt's strategy; it was unsubscribed. */
  | { readonly kind: 'abandoned' };

export interface AttemptPlan<T> {
  /** Wait before the executor is subscribed. */
  readonly delayMs: number;
  /** Bound from the executor's subscription to its first value (R7). */
  readonly timeoutMs: number;
  /** Subscribes the executor; called once, after the wait. May throw: that fails the attempt. */
  readonly start: () => Observable<T>;
  /** Emits when the attempt must be abandoned (R3). */
  readonly abandon$: Observable<unknown>;
  readonly scheduler: SchedulerLike;
}

/**
 * A single attempt on its own, with every ending as a value: for callers that run one attempt outside
 * an episode. The engine does not use it: its loop is `retry` over `attemptOnce$` (docs/RECONNECT.md).
 * Always emits exactly one `AttemptOutcome` then completes.
 *
 * ```
 * delayMs 2, timeoutMs 5:
 * executor:         --j|              → ----(J|)      joined
 * executor:         -#                → ---(F|)       failed with its error
 * executor:         ---------         → -------(F|)   failed: RXSFU_ERR_JOIN_TIMEOUT
 * abandon$:   -x                      → -(A|)         abandoned, executor never subscribed
 * ```
 */
export function runAttempt$<T>(plan: AttemptPlan<T>): Observable<AttemptOutcome<T>> {
  const work$ = timer(plan.delayMs, plan.scheduler).pipe(
    switchMap(() => attemptOnce$(plan.start, plan.timeoutMs, plan.scheduler)),
    map((value): AttemptOutcome<T> => ({ kind: 'joined', value })),
    catchError((error: RxsfuError) => of<AttemptOutcome<T>>({ kind: 'failed', error })),
  );
  const abandoned$ = plan.abandon$.pipe(take(1), map((): AttemptOutcome<T> => ({ kind: 'abandoned' })));
  return race(abandoned$, work$);
}

function attemptTimeout(timeoutMs: number): RxsfuError {
  return rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', `reconnect attempt gave no answer in ${timeoutMs} ms`);
}
