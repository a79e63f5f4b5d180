/**
 * R6 full-jitter backoff (the AWS "full jitter" scheme LiveKit's engine uses): a uniform wait in
 * `[0, min(maxDelayMs, baseMs · 2^retry))`, so agents dropped together do not come back together.
 * The episode waits it in its attempt loop's `retry` delay function (`retry-delay.ts`), between attempts.
 */
import type { BackoffOptions } from './options.js';
import { fullJitterDelay } from '../backoff.js';

/**
 * The wait before retry number `retry` (0 for the second attempt of an episode, 1 for the third, …).
 *
 * ```
 * random() = 0.5, baseMs 250, maxDelayMs 5000:
 * attempt:  1 ── 2 ───── 3 ────────── 4 ──────────────── … 7+
 * wait:     0    125     250          500                 2500 (capped: 0.5 · 5000)
 * ```
 *
 * @param retry 0-based retry index; negative means the first attempt (no wait).
 * @param random uniform in [0, 1); injected so tests are deterministic.
 * @return whole milliseconds, `0 <= wait < min(maxDelayMs, baseMs · 2^retry)` (0 when that bound is 0).
 */
export function fullJitterBackoff(retry: number, options: Required<BackoffOptions>, random: () => number): number {
  return fullJitterDelay(retry, options.baseMs, options.maxDelayMs, random);
}
