/**
 * The configuration block of docs/RECONNECT.md, as a documented interface with defaults.
 */
import { NEVER, type Observable } from 'rxjs';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';
import { durationOption, integerOption, invalidArgument, methodsOption, recordOption } from '../validate.js';
import type { JoinedInfo } from './types.js';

/**
 * Sliding-window limit on attempts (R8): REJOIN/MIGRATE (`rateLimit`) and FAST (`fastRateLimit`).
 * `max` is an integer in [0, 1000]; `windowMs` must be at least `max × 100` (on average at most ten
 * attempts a second, so no configuration turns the SDK into a reconnect loop against an SFU).
 */
export interface RateLimitOptions {
  /** Attempts allowed per window. @default 10 */
  readonly max?: number;
  /** Window length. @default 120000 (REJOIN/MIGRATE), 60000 (FAST) */
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
  /** FAST rate limit (R8): a FAST beyond it is escalated to REJOIN. @default { max: 10, windowMs: 60000 } */
  readonly fastRateLimit?: RateLimitOptions;
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
  readonly fastRateLimit: Required<RateLimitOptions>;
  readonly disconnectionTimeoutMs: number;
  readonly random: () => number;
  readonly initial: JoinedInfo | undefined;
  readonly leave$: Observable<unknown>;
}

/** FAST window when neither the option nor the SFU gave one (R4). */
export const DEFAULT_FAST_DEADLINE_MS = 10_000;

/**
 * Apply defaults and check every field, once: durations are integers in [0, 2^31 − 1] ms (`MAX_TIMER_MS`) (attempt
 * and episode bounds at least 1), `fastAttempts` in [0, 100], rate limits as `RateLimitOptions` says.
 * Anything else is a caller bug: `RXSFU_ERR_INVALID_ARGUMENT` naming the option.
 */
export function resolveReconnectOptions(input: unknown = {}): ResolvedReconnectOptions {
  const options = recordOption('reconnect', input, true) as ReconnectOptions;
  const backoff = recordOption('reconnect.backoff', options.backoff, true);
  const fastDeadline = options.fastDeadlineMs;
  if (typeof fastDeadline !== 'function') durationOption('reconnect.fastDeadlineMs', fastDeadline, 0, 0);
  return {
    fastAttempts: integerOption('reconnect.fastAttempts', options.fastAttempts, 3, 0, 100),
    fastDeadlineMs: fastDeadline,
    attemptTimeoutMs: durationOption('reconnect.attemptTimeoutMs', options.attemptTimeoutMs, 10_000, 1),
    migrationTimeoutMs: durationOption('reconnect.migrationTimeoutMs', options.migrationTimeoutMs, 7_000, 0),
    backoff: {
      baseMs: durationOption('reconnect.backoff.baseMs', backoff.baseMs, DEFAULT_BACKOFF.baseMs, 0),
      maxDelayMs: durationOption('reconnect.backoff.maxDelayMs', backoff.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs, 0),
    },
    rateLimit: rateLimitOption('reconnect.rateLimit', options.rateLimit, { max: 10, windowMs: 120_000 }),
    fastRateLimit: rateLimitOption('reconnect.fastRateLimit', options.fastRateLimit, { max: 10, windowMs: 60_000 }),
    disconnectionTimeoutMs: durationOption('reconnect.disconnectionTimeoutMs', options.disconnectionTimeoutMs, 60_000, 1),
    random: options.random === undefined ? Math.random : checkedRandom(options.random),
    initial: options.initial,
    leave$: methodsOption('reconnect.leave$', options.leave$, ['subscribe'], NEVER as Observable<unknown>),
  };
}

/** The shortest window per allowed attempt (R8): at most ten attempts a second on average. */
export const MIN_RATE_WINDOW_MS_PER_ATTEMPT = 100;

function rateLimitOption(name: string, value: unknown, fallback: Required<RateLimitOptions>): Required<RateLimitOptions> {
  const given = recordOption(name, value, true);
  const max = integerOption(`${name}.max`, given.max, fallback.max, 0, 1000);
  const windowMs = durationOption(`${name}.windowMs`, given.windowMs, fallback.windowMs, 1);
  if (windowMs < max * MIN_RATE_WINDOW_MS_PER_ATTEMPT) {
    throw invalidArgument(`${name}.windowMs (${windowMs}) must be at least max × ${MIN_RATE_WINDOW_MS_PER_ATTEMPT} (${max * MIN_RATE_WINDOW_MS_PER_ATTEMPT}): no reconnect loops`);
  }
  return { max, windowMs };
}

/** The caller's `random`, unable to throw (a throw inside the engine's timers would end the process): 0.5 then. */
function checkedRandom(random: unknown): () => number {
  if (typeof random !== 'function') throw invalidArgument('reconnect.random must be a function returning a number in [0, 1)');
  return () => {
    try {
      const value: unknown = random();
      return typeof value === 'number' ? value : 0.5;
    } catch {
      return 0.5;
    }
  };
}

/** A caller's getter, read inside the engine: a throw counts as "no value" rather than ending the process. */
function readGetter(getter: () => number | undefined): unknown {
  try {
    return getter();
  } catch {
    return undefined;
  }
}

/** The FAST window in force (R4, R15): the option, else the SFU's, else the default. */
export function fastDeadlineMs(options: ResolvedReconnectOptions, lastJoin: JoinedInfo | undefined): number {
  const given = typeof options.fastDeadlineMs === 'function' ? readGetter(options.fastDeadlineMs) : options.fastDeadlineMs;
  if (typeof given === 'number' && Number.isFinite(given)) return Math.max(given, 0);
  const seconds = lastJoin?.fastReconnectDeadlineSeconds ?? 0;
  return seconds > 0 ? seconds * 1000 : DEFAULT_FAST_DEADLINE_MS;
}
