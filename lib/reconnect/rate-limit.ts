/**
 * R8: at most `max` REJOIN/MIGRATE attempts in any sliding window of `windowMs`, over the engine's
 * life (a server that accepts and drops us at once must not cause a tight rejoin loop).
 */
import type { RateLimitOptions } from './options.js';

/** Start times (scheduler ms) of recent REJOIN/MIGRATE attempts, oldest first. */
export type RateLimitHistory = readonly number[];

export interface RateLimitDecision {
  readonly admitted: boolean;
  /** The history to keep: pruned to the window, plus `now` when admitted. */
  readonly history: RateLimitHistory;
}

/**
 * Admit one more REJOIN/MIGRATE attempt at `now`, or refuse it.
 *
 * ```
 * max 2, window 10s:
 * attempts: a ─ 1s ─ b ─ 1s ─ c ─ 9s ─ d
 * admitted: ✓        ✓        ✗        ✓   (d: a left the window at 10s, b at 11s)
 * ```
 */
export function admitRejoin(history: RateLimitHistory, now: number, limit: Required<RateLimitOptions>): RateLimitDecision {
  const recent = history.filter((startedAt) => now - startedAt < limit.windowMs);
  if (recent.length >= limit.max) return { admitted: false, history: recent };
  return { admitted: true, history: [...recent, now] };
}
