/**
 * R10: the overall deadline of an episode, as an operator.
 */
import { concat, defer, EMPTY, type MonoTypeOperatorFunction, type Observable, type SchedulerLike, takeUntil, tap, timer } from 'rxjs';

/**
 * Mirror the source until it completes; if `deadlineMs` passes first, unsubscribe it and continue
 * with `onExpire()` instead.
 *
 * ```
 * source:                  -a---b--------c|
 * episodeDeadline(10, …):  -a---b----(xy|)      onExpire() = xy|
 * source:                  -a---b|
 * episodeDeadline(10, …):  -a---b|
 * ```
 */
export function episodeDeadline<T>(
  deadlineMs: number,
  scheduler: SchedulerLike,
  onExpire: () => Observable<T>,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let expired = false;
      const expiry$ = timer(deadlineMs, scheduler).pipe(tap(() => (expired = true)));
      return concat(source.pipe(takeUntil(expiry$)), defer(() => (expired ? onExpire() : EMPTY)));
    });
}
