/**
 * R10: the overall deadline of an episode, as an operator (paused while `offline`, R17).
 */
import {
  concat, defer, distinctUntilChanged, EMPTY, type MonoTypeOperatorFunction, NEVER, type Observable, of, type SchedulerLike, switchMap,
  take, takeUntil, tap, timer,
} from 'rxjs';

/**
 * Mirror the source until it completes; if `deadlineMs` passes first, unsubscribe it and continue
 * with `onExpire()` instead. While `paused$` says `true` the deadline does not run; when it says
 * `false` again, a full `deadlineMs` starts over (R17: the time offline is not reconnection time).
 *
 * ```
 * source:                  -a---b--------c|
 * episodeDeadline(10, …):  -a---b----(xy|)      onExpire() = xy|
 * source:                  -a---b|
 * episodeDeadline(10, …):  -a---b|
 * paused$:                 f---t-----f          (t: paused, f: running)
 * source:                  -a------------------c|
 * episodeDeadline(10, …):  -a--------------(xy|)  expires 10 after the last f
 * ```
 */
export function episodeDeadline<T>(
  deadlineMs: number,
  scheduler: SchedulerLike,
  onExpire: () => Observable<T>,
  paused$: Observable<boolean> = of(false),
): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let expired = false;
      const expiry$ = paused$.pipe(
        distinctUntilChanged(),
        switchMap((paused) => (paused ? NEVER : timer(deadlineMs, scheduler))),
        take(1),
        tap(() => (expired = true)),
      );
      return concat(source.pipe(takeUntil(expiry$)), defer(() => (expired ? onExpire() : EMPTY)));
    });
}
