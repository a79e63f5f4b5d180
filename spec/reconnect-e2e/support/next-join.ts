/**
 * A logger that runs a hook right after the next signaling join_response, for faults that must hit
 * a connection just after it joined (an executor has adopted it and goes on: FAST's ICE-restart
 * check, REJOIN's republish, MIGRATE's wait for completion).
 */
import type { Logger } from '../../../lib/logger.js';

export interface NextJoinHook {
  /** Give it to `joinCall`. */
  readonly logger: Logger;
  /** Runs `hit` once, on the turn after the next `signal: joined`. */
  onNextJoin(hit: () => void): void;
}

export function nextJoinHook(): NextJoinHook {
  let pending: (() => void) | undefined;
  const logger: Logger = {
    debug() {}, warn() {}, error() {},
    info(message) {
      if (message !== 'signal: joined' || !pending) return;
      const hit = pending;
      pending = undefined;
      // A few ms after the join_response: the executor has adopted the connection and goes on.
      setImmediate(hit);
    },
  };
  return { logger, onNextJoin: (hit) => { pending = hit; } };
}
