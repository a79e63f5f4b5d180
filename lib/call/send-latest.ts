/**
 * Keeps the SFU's copy of a "full list" state (UpdateSubscriptions) in step with the desired one:
 * a list whose request failed is sent again with full-jitter backoff until it lands, because
 * nothing else would re-send it (the desired list did not change). A newer list supersedes it.
 */
import { concatMap, defer, EMPTY, ignoreElements, map, retry, share, take, takeUntil, timer, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { fullJitterBackoff, type BackoffOptions } from '../backoff.js';

/** How failed sends are retried. */
export interface SendLatestOptions extends BackoffOptions {
  // Bounds: baseMs @default 500, maxDelayMs @default 10000.
  /** Uniform in [0, 1); injected so tests are deterministic. @default Math.random */
  random?: () => number;
  /** Told about each failure before its retry waits (for logging). @default nothing */
  onFailure?: (err: unknown, retry: number) => void;
  /** Failures that no retry can fix (e.g. 401): the value is given up. @default every failure is retried */
  isFinal?: (err: unknown) => boolean;
}

/**
 * Sends every value in order (a request in flight is never cut short, so the SFU cannot apply an
 * older list after a newer one); a failed send is retried after `fullJitterBackoff`, until it
 * succeeds or a newer value arrives: then the wait ends and the newer value is sent instead.
 * Values that were superseded while waiting their turn are skipped.
 *
 * ```
 * values:  a-----------b------
 * send(a): #  (wait)  #  (b arrives during the second wait: a is dropped)
 * send(b):             ---ok
 * ```
 */
export function sendLatest<T>(
  send: (value: T) => Observable<unknown>,
  options: SendLatestOptions = {},
  scheduler?: SchedulerLike,
): OperatorFunction<T, never> {
  const { baseMs = 500, maxDelayMs = 10000, random = Math.random, onFailure, isFinal = () => false } = options;
  return (values$) => defer(() => {
    let latest = 0;
    const numbered$ = values$.pipe(map((value) => ({ value, seq: ++latest })), share());
    return numbered$.pipe(
      concatMap(({ value, seq }) => {
        if (seq !== latest) return EMPTY;
        const newer$ = numbered$.pipe(take(1));
        return defer(() => send(value)).pipe(
          retry({
            delay: (err: unknown, retryCount: number) => {
              onFailure?.(err, retryCount);
              // A newer value came while this one was in flight: it goes next, this one is done.
              if (seq !== latest || isFinal(err)) return EMPTY;
              return timer(fullJitterBackoff(retryCount - 1, { baseMs, maxDelayMs }, random), scheduler).pipe(takeUntil(newer$));
            },
          }),
          ignoreElements(),
        );
      }),
    );
  });
}
