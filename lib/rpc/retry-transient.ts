/**
 * The retry policy of the Twirp client as a plain operator, separate from any I/O, so that the
 * policy (what is retried, how often, how long in between) is checked in virtual time.
 */
import { asyncScheduler, retry, throwError, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { isRxsfuError } from '../errors.js';
import { isHttpTransportError } from '../http/request.js';
import { retryBackoff } from '../backoff.js';

export interface RetryTransientOptions {
  /** Attempts in total, the first one included; 1 disables retries. @default 3 */
  maxAttempts?: number;
  /** Delay in ms before retry number `attempt` (1-based). @default retryBackoff() (≤250, ≤500, … ≤5000 ms) */
  backoff?: (attempt: number) => number;
  /** Which errors deserve another attempt. @default isTransientRpcError */
  isRetryable?: (err: unknown) => boolean;
}

/**
 * Transient: the network broke, the attempt timed out, or the SFU answered with an `error` that
 * says `should_retry`. Never: authorization failures, Twirp error statuses, garbage bodies, left.
 */
export function isTransientRpcError(err: unknown): boolean {
  if (isHttpTransportError(err)) return true;
  if (isRxsfuError(err, 'RXSFU_ERR_RPC_TIMEOUT')) return true;
  return isRxsfuError(err, 'RXSFU_ERR_RPC') && err.shouldRetry === true;
}

/**
 * Resubscribes to the source after a retryable error, waiting `backoff(n)` on `scheduler`;
 * any other error, or the last attempt's error, passes through unchanged.
 *
 * ```
 * source:   -#                (transient error, each subscription)
 * backoff:  n => 10
 * result:   -- 10ms --- 10ms -#   (maxAttempts 3: three subscriptions, then the last error)
 *
 * source:   -#                (not retryable)
 * result:   -#
 * ```
 */
export function retryTransient<T>(
  options: RetryTransientOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  const backoff = options.backoff ?? retryBackoff();
  const isRetryable = options.isRetryable ?? isTransientRpcError;
  return retry({
    count: Math.max(0, maxAttempts - 1),
    delay: (err: unknown, retryNumber: number) =>
      isRetryable(err) ? timer(Math.max(0, backoff(retryNumber)), scheduler) : throwError(() => err),
  });
}
