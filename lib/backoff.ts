/**
 * Full-jitter backoff, the one formula both Twirp retries and reconnection attempts use: a uniform
 * wait in `[0, min(maxMs, baseMs · 2^retry))`, so agents that failed together do not come back in
 * lock-step (AWS's "full jitter", as LiveKit's engine does it).
 *
 * ```
 * random() = 0.5, baseMs 250, maxMs 5000:
 * retry:  0      1      2      3      … 5+
 * wait:   125    250    500    1000     2500 (capped: 0.5 · 5000)
 * ```
 *
 * @param retry 0-based retry index; negative means no wait.
 * @param random uniform in [0, 1); injected so tests are deterministic.
 * @return whole milliseconds.
 */
export function fullJitterDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  if (retry < 0) return 0;
  const bound = Math.min(maxMs, baseMs * 2 ** retry);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * bound);
}
