/**
 * One attempt (R6, R7, R3): wait the backoff, subscribe the executor, and turn whatever happens into
 * a value, so the episode loop never sees an error and nothing hangs.
 */
import { catchError, defer, map, type Observable, of, race, switchMap, take, throwError, throwIfEmpty, timeout, timer, type SchedulerLike } from 'rxjs';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { asAttemptError } from './failed-error.js';

/** How an attempt ended. */
export type AttemptOutcome<T> =
  | { readonly kind: 'joined'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: RxsfuError }
  /** R3: the floor rose above this attempt's strategy; it was unsubscribed. */
  | { readonly kind: 'abandoned' };

export interface AttemptPlan<T> {
  /** Backoff before the executor is subscribed (R6). */
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
 * Run one attempt; always emits exactly one `AttemptOutcome` then completes.
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
    switchMap(() => defer(plan.start)),
    timeout({ first: plan.delayMs + plan.timeoutMs, scheduler: plan.scheduler, with: () => throwError(() => attemptTimeout(plan.timeoutMs)) }),
    take(1),
    throwIfEmpty(() => rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'reconnect attempt completed without joining')),
    map((value): AttemptOutcome<T> => ({ kind: 'joined', value })),
    catchError((error: unknown) => of<AttemptOutcome<T>>({ kind: 'failed', error: asAttemptError(error) })),
  );
  const abandoned$ = plan.abandon$.pipe(take(1), map((): AttemptOutcome<T> => ({ kind: 'abandoned' })));
  return race(abandoned$, work$);
}

function attemptTimeout(timeoutMs: number): RxsfuError {
  return rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', `reconnect attempt gave no answer in ${timeoutMs} ms`);
}
