/**
 * Full-jitter backoff, the one formula every retry in the SDK uses (reconnection attempts R6, Twirp
 * retries, re-sent subscription lists): a uniform wait in `[0, min(maxDelayMs, baseMs · 2^retry))`,
 * so agents that failed together do not come back in lock-step (AWS's "full jitter", as LiveKit's
 * engine does it).
 */

/** Full-jitter backoff bounds (R6). */
export interface BackoffOptions {
  /** Cap of the first retry's wait; the cap doubles per retry. @default 250 */
  readonly baseMs?: number;
  /** Upper bound of any wait. @default 5000 */
  readonly maxDelayMs?: number;
}

/** The bounds used when none are given: ≤250, ≤500, ≤1000 … ≤5000 ms. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 250, maxDelayMs: 5000 };

/**
 * The wait before retry number `retry` (0-based: 0 for the second attempt, 1 for the third, …).
 *
 * ```
 * random() = 0.5, baseMs 250, maxDelayMs 5000:
 * attempt:  1 ── 2 ───── 3 ────────── 4 ──────────────── … 7+
 * retry:   -1    0       1            2                    5+
 * wait:     0    125     250          500                 2500 (capped: 0.5 · 5000)
 * ```
 *
 * @param retry 0-based retry index; negative means the first attempt (no wait).
 * @param random uniform in [0, 1) (clamped into it); injected so tests are deterministic.
 * @return whole milliseconds, `0 <= wait < min(maxDelayMs, baseMs · 2^retry)` (0 when that bound is 0).
 */
export function fullJitterBackoff(retry: number, bounds: Required<BackoffOptions>, random: () => number): number {
  if (retry < 0) return 0;
  const bound = Math.min(bounds.maxDelayMs, bounds.baseMs * 2 ** retry);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * bound);
}

/** Bounds plus the randomness, for `retryBackoff`. */
export interface RetryBackoffOptions extends BackoffOptions {
  /** Source of randomness in [0, 1); inject a constant to make delays predictable. @default Math.random */
  readonly random?: () => number;
}

/**
 * `fullJitterBackoff` as a delay function of the 1-based retry count that RxJS `retry({ delay })`
 * hands out (the Twirp client's `backoff` option). With the defaults: ≤250, ≤500, ≤1000 … ≤5000 ms.
 */
export function retryBackoff(options: RetryBackoffOptions = {}): (attempt: number) => number {
  const bounds = { baseMs: options.baseMs ?? DEFAULT_BACKOFF.baseMs, maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs };
  const random = options.random ?? Math.random;
  return (attempt) => fullJitterBackoff(Math.max(0, attempt - 1), bounds, random);
}
