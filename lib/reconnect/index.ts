/** The reconnection engine's pure core. Spec: docs/RECONNECT.md. */
export * from './types.js';
export * from './options.js';
export * from './triggers.js';
export * from './next-strategy.js';
export * from './rate-limit.js';
export * from './sfu-exclusion.js';
export * from './deadline.js';
export * from './attempt.js';
export { ReconnectFailedError, type ReconnectFailureReason, withSfuId, sfuIdOf, finalReason, asAttemptError } from './failed-error.js';
export { reconnectEpisodes, createReconnectEngine, type ReconnectEngine } from './engine.js';
export * from './telemetry.js';
export * from './frame-log.js';
export { replayFrameLog, loggedOutputs, type ReplayedEntry } from './replay.js';
