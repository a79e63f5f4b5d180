/**
 * Checks for values a caller hands the SDK. Each throws `RXSFU_ERR_INVALID_ARGUMENT` naming the
 * option and the accepted range; a message never quotes a string's contents (it may be a token),
 * only its kind.
 */
import { isRxsfuError, rxsfuError, type RxsfuError } from './errors.js';

/**
 * The longest delay any timer of the SDK may take. Node clamps a longer (or non-finite) `setTimeout`
 * delay to 1 ms, which would turn "never" into "at once": so every duration option is at most this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Least period of anything that ticks while joined (health checks, stats reports): 100 ms. */
export const MIN_PERIOD_MS = 100;

/** A safe description of `value` for an error message: numbers and kinds, never string contents. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number': return String(value);
    case 'boolean': return String(value);
    case 'string': return `a string of ${value.length} characters`;
    case 'undefined': return 'undefined';
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

export function invalidArgument(message: string): RxsfuError {
  return rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', message);
}

/**
 * Runs a check over a caller's object; a throw that is not already typed (a getter or Proxy that
 * throws while read) becomes `RXSFU_ERR_INVALID_ARGUMENT` too: no input gives a plain TypeError.
 */
export function checked<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (isRxsfuError(err)) throw err;
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `${name} could not be read`, { cause: err });
  }
}

/** A non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value` as an object (`undefined` → `{}` when `optional`). */
export function recordOption(name: string, value: unknown, optional = false): Record<string, unknown> {
  if (optional && value === undefined) return {};
  if (!isRecord(value)) throw invalidArgument(`${name} must be an object, got ${describeValue(value)}`);
  return value;
}

/** An integer in `[min, max]`; `undefined` → `fallback`. NaN, ±Infinity and fractions are refused. */
export function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

/** A duration (ms) in `[min, MAX_TIMER_MS]`, or exactly 0 when `zeroDisables`. */
export function durationOption(name: string, value: unknown, fallback: number, min: number, zeroDisables = false): number {
  if (zeroDisables && value === 0) return 0;
  const range = zeroDisables ? ` (or 0: off)` : '';
  try {
    return integerOption(name, value, fallback, min, MAX_TIMER_MS);
  } catch {
    throw invalidArgument(`${name} must be an integer number of ms in [${min}, ${MAX_TIMER_MS}]${range}, got ${describeValue(value)}`);
  }
}

/** A non-empty string, or `undefined` when absent and `optional`. */
export function stringOption(name: string, value: unknown, optional: true): string | undefined;
export function stringOption(name: string, value: unknown, optional?: false): string;
export function stringOption(name: string, value: unknown, optional = false): string | undefined {
  if (optional && value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(`${name} must be a non-empty string, got ${describeValue(value)}`);
  return value;
}

export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(`${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** One of `allowed`; `undefined` → `fallback`. */
export function oneOfOption<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw invalidArgument(`${name} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`);
  return value as T;
}

/** An object whose `methods` are all functions (a logger, a scheduler); `undefined` → `fallback`. */
export function methodsOption<T>(name: string, value: unknown, methods: readonly string[], fallback: T): T {
  if (value === undefined) return fallback;
  const missing = isRecord(value) || typeof value === 'function'
    ? methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function')
    : methods;
  if (missing.length > 0) throw invalidArgument(`${name} must have the methods ${methods.join(', ')} (missing: ${missing.join(', ')})`);
  return value as T;
}
