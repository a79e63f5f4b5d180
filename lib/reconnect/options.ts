/**
 * The configuration block of docs/RECONNECT.md, as a documented interface with defaults.
 */
import { NEVER, type Observable } from 'rxjs';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';
import { rxsfuError } from '../errors.js';
import type { JoinedInfo } from './types.js';

/** Sliding-window limit on REJOIN/MIGRATE attempts (R8). */
export interface RateLimitOptions {
  /** Attempts allowed per window. @default 10 */
  readonly max?: number;
  /** Window length. @default 120000 */
  readonly windowMs?: number;
}

/** Reconnection limits and timings (docs/RECONNECT.md, "Configuration"); every field optional. */
export interface ReconnectOptions {
  /** FAST attempts per episode before REJOIN (R4). @default 3 */
  readonly fastAttempts?: number;
  /**
   * How long after the trigger FAST may still be tried (R4): a number, or a getter read at each
   * choice (the call layer can hand in its own view of the last JoinResponse; a getter returning
   * `undefined` falls back to the default). @default the last `JoinedInfo`'s
   * `fastReconnectDeadlineSeconds` × 1000, or 10000 when the SFU sent 0 or nothing.
   */
  readonly fastDeadlineMs?: number | (() => number | undefined);
  /** Bound of one FAST, REJOIN or ICE restart attempt (R7). @default 10000 */
  readonly attemptTimeoutMs?: number;
  /** Added to `attemptTimeoutMs` for MIGRATE: the wait for `participant_migration_complete` (R7). @default 7000 */
  readonly migrationTimeoutMs?: number;
  /** Backoff between attempts (R6). @default { baseMs: 250, maxDelayMs: 5000 } */
  readonly backoff?: BackoffOptions;
  /** REJOIN/MIGRATE rate limit (R8). @default { max: 10, windowMs: 120000 } */
  readonly rateLimit?: RateLimitOptions;
  /** Overall deadline of one episode (R10). @default 60000 */
  readonly disconnectionTimeoutMs?: number;
  /** Uniform random in [0, 1), for the backoff jitter (R6). @default Math.random */
  readonly random?: () => number;
  /** The first join: current SFU and FAST window (R15). @default undefined */
  readonly initial?: JoinedInfo;
  /** Emits when the caller leaves: cancels everything (R12). @default NEVER */
  readonly leave$?: Observable<unknown>;
}

/** Every option with its default applied. */
export interface ResolvedReconnectOptions {
  readonly fastAttempts: number;
  readonly fastDeadlineMs: number | (() => number | undefined) | undefined;
  readonly attemptTimeoutMs: number;
  readonly migrationTimeoutMs: number;
  readonly backoff: Required<BackoffOptions>;
  readonly rateLimit: Required<RateLimitOptions>;
  readonly disconnectionTimeoutMs: number;
  readonly random: () => number;
  readonly initial: JoinedInfo | undefined;
  readonly leave$: Observable<unknown>;
}

/** FAST window when neither the option nor the SFU gave one (R4). */
export const DEFAULT_FAST_DEADLINE_MS = 10_000;

/** Apply defaults; a negative or non-finite number is a caller bug: `RXSFU_ERR_INVALID_ARGUMENT`. */
export function resolveReconnectOptions(options: ReconnectOptions = {}): ResolvedReconnectOptions {
  const resolved: ResolvedReconnectOptions = {
    fastAttempts: options.fastAttempts ?? 3,
    fastDeadlineMs: options.fastDeadlineMs,
    attemptTimeoutMs: options.attemptTimeoutMs ?? 10_000,
    migrationTimeoutMs: options.migrationTimeoutMs ?? 7_000,
    backoff: { baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs, maxDelayMs: options.backoff?.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs },
    rateLimit: { max: options.rateLimit?.max ?? 10, windowMs: options.rateLimit?.windowMs ?? 120_000 },
    disconnectionTimeoutMs: options.disconnectionTimeoutMs ?? 60_000,
    random: options.random ?? Math.random,
    initial: options.initial,
    leave$: options.leave$ ?? NEVER,
  };
  const numbers: Record<string, number | undefined> = {
    fastAttempts: resolved.fastAttempts,
    fastDeadlineMs: typeof resolved.fastDeadlineMs === 'function' ? undefined : resolved.fastDeadlineMs,
    attemptTimeoutMs: resolved.attemptTimeoutMs,
    migrationTimeoutMs: resolved.migrationTimeoutMs,
    'backoff.baseMs': resolved.backoff.baseMs,
    'backoff.maxDelayMs': resolved.backoff.maxDelayMs,
    'rateLimit.max': resolved.rateLimit.max,
    'rateLimit.windowMs': resolved.rateLimit.windowMs,
    disconnectionTimeoutMs: resolved.disconnectionTimeoutMs,
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `reconnect option ${name} must be a finite number >= 0, got ${value}`);
    }
  }
  return resolved;
}

/** The FAST window in force (R4, R15): the option, else the SFU's, else the default. */
export function fastDeadlineMs(options: ResolvedReconnectOptions, lastJoin: JoinedInfo | undefined): number {
  const given = typeof options.fastDeadlineMs === 'function' ? options.fastDeadlineMs() : options.fastDeadlineMs;
  if (given !== undefined && Number.isFinite(given)) return Math.max(given, 0);
  const seconds = lastJoin?.fastReconnectDeadlineSeconds ?? 0;
  return seconds > 0 ? seconds * 1000 : DEFAULT_FAST_DEADLINE_MS;
}
