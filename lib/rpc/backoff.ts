/**
 * Full-jitter backoff (random 0…cap, cap doubling per attempt): retries from many agents that
 * failed together spread out instead of hitting a recovering SFU in lock-step.
 */
import { fullJitterDelay } from '../backoff.js';

export interface FullJitterBackoffOptions {
  /** Cap of the first retry's delay, in ms. @default 250 */
  baseMs?: number;
  /** Upper bound of any delay, in ms. @default 5000 */
  maxMs?: number;
  /** Source of randomness in [0, 1); inject a constant to make delays predictable. @default Math.random */
  random?: () => number;
}

/**
 * `attempt` counts retries from 1. Delay = random() × min(maxMs, baseMs × 2^(attempt − 1)).
 * With the defaults: ≤250, ≤500, ≤1000 … ≤5000 ms.
 */
export function fullJitterBackoff(options: FullJitterBackoffOptions = {}): (attempt: number) => number {
  const baseMs = options.baseMs ?? 250;
  const maxMs = options.maxMs ?? 5000;
  const random = options.random ?? Math.random;
  return (attempt) => fullJitterDelay(Math.max(0, attempt - 1), baseMs, maxMs, random);
}
