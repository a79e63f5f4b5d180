/**
 * Strategy choice: the rank order of R3 and the next-attempt rule of R4, as pure functions.
 */
import type { AttemptStrategy } from './types.js';

const RANK: Readonly<Record<AttemptStrategy, number>> = { 'ice-restart': 0, fast: 1, migrate: 2, rejoin: 3 };

/** R3 rank: `ice-restart` 0 < `fast` 1 < `migrate` 2 < `rejoin` 3. */
export function strategyRank(strategy: AttemptStrategy): number {
  return RANK[strategy];
}

/**
 * R3 sticky escalation: the higher-ranked of the two; never lower than `floor`.
 *
 * ```
 * floor:     fast ── fast ──── migrate ── rejoin ─── rejoin
 * request:        ── migrate ─ fast ───── rejoin ─── fast
 * escalate:       ── migrate ─ migrate ── rejoin ─── rejoin
 * ```
 */
export function escalate(floor: AttemptStrategy, requested: AttemptStrategy): AttemptStrategy {
  return RANK[requested] > RANK[floor] ? requested : floor;
}

export interface NextStrategyInput {
  /** The episode's floor (R3). */
  readonly floor: AttemptStrategy;
  /** The strategy of the attempt that just failed; absent for the first attempt or after R3 abandonment. */
  readonly failed?: AttemptStrategy;
  /** FAST attempts already made in this episode. */
  readonly fastAttemptsMade: number;
  /** Scheduler time since the trigger. */
  readonly elapsedMs: number;
  /** The FAST window in force (`fastDeadlineMs`). */
  readonly fastDeadlineMs: number;
  /** `ReconnectOptions.fastAttempts`. */
  readonly fastAttempts: number;
}

/**
 * R4: the strategy of the next attempt.
 *
 * ```
 * attempts (fastAttempts 3, window 10s):
 *   fast ✗ ─ fast ✗ ─ fast ✗ ─ rejoin            3 FAST failures → REJOIN
 *   fast ✗ ─ (11s) ─ rejoin                      FAST window over → REJOIN
 *   migrate ✗ ─ rejoin                           failed MIGRATE → REJOIN
 *   ice-restart ✗ ─ rejoin                       failed ICE restart → REJOIN
 *   fast ✗ ─ [go_away: floor migrate] ─ migrate  never below the floor
 * ```
 */
export function nextStrategy(input: NextStrategyInput): AttemptStrategy {
  const candidate = input.failed === undefined ? input.floor : afterFailure(input.failed);
  const fastAllowed = input.fastAttemptsMade < input.fastAttempts && input.elapsedMs < input.fastDeadlineMs;
  const chosen = candidate === 'fast' && !fastAllowed ? 'rejoin' : candidate;
  return escalate(input.floor, chosen);
}

function afterFailure(failed: AttemptStrategy): AttemptStrategy {
  return failed === 'fast' ? 'fast' : 'rejoin';
}
