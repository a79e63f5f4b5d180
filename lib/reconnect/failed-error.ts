/**
 * The error of a reconnection that gave up (R11), and the error facts the rules read: which errors
 * are final (R9), which SFU an attempt blamed (R5).
 */
import { errorMessage, isRxsfuError, RxsfuError, rxsfuError } from '../errors.js';
import { WebsocketReconnectStrategy } from '../protocol/index.js';
import type { ReconnectRequest } from './request.js';

/** Why an episode failed. */
export type ReconnectFailureReason =
  /** R9: 401/403. */
  | 'unauthorized'
  /** R9/R13: the SFU said DISCONNECT, or the call ended. */
  | 'disconnected'
  /** R8: too many REJOIN/MIGRATE attempts in the window. */
  | 'rate-limit'
  /** R10: the overall disconnection deadline passed. */
  | 'deadline'
  /** R17: offline for longer than the outage budget. */
  | 'offline'
  /** R18: the supervisor's budget of fresh joins is spent; `cause` is the failure it was curing. */
  | 'supervisor-budget'
  /** R9: an attempt failed with `RXSFU_ERR_INTERNAL` (a bug: retrying would only repeat it). */
  | 'internal';

/**
 * `RXSFU_ERR_RECONNECT_FAILED`: `cause` is what started the episode (the trigger's `cause`, else its
 * `detail`), `lastError` is the error of the last attempt, `reason` says which rule gave up.
 */
export class ReconnectFailedError extends RxsfuError {
  override name = 'ReconnectFailedError';
  readonly reason: ReconnectFailureReason;
  readonly trigger: ReconnectRequest;
  readonly lastError?: RxsfuError;

  constructor(reason: ReconnectFailureReason, trigger: ReconnectRequest, lastError?: RxsfuError) {
    const last = lastError ? `; last error: ${lastError.code} ${lastError.message}` : '';
    super('RXSFU_ERR_RECONNECT_FAILED', `reconnection failed (${reason}) after ${trigger.source}: ${trigger.detail}${last}`, {
      cause: trigger.cause ?? trigger.detail,
    });
    this.reason = reason;
    this.trigger = trigger;
    this.lastError = lastError;
  }
}

const SFU_ID = Symbol('rxsfu.reconnect.sfuId');

/** Tag an attempt's error with the SFU it targeted, so R5 blames that SFU. Returns the same error. */
export function withSfuId<E extends RxsfuError>(error: E, sfuId: string): E {
  Object.defineProperty(error, SFU_ID, { value: sfuId, enumerable: false });
  return error;
}

/** The SFU an error was tagged with by `withSfuId`, if any. */
export function sfuIdOf(error: RxsfuError): string | undefined {
  return (error as unknown as { [SFU_ID]?: string })[SFU_ID];
}

/** R9: the failure reason when `error` forbids any further attempt, else `undefined`. */
export function finalReason(error: RxsfuError): ReconnectFailureReason | undefined {
  if (error.code === 'RXSFU_ERR_UNAUTHORIZED') return 'unauthorized';
  if (error.code === 'RXSFU_ERR_CALL_ENDED') return 'disconnected';
  if (error.code === 'RXSFU_ERR_INTERNAL') return 'internal';
  if (error.reconnectStrategy === WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT) return 'disconnected';
  return undefined;
}

/**
 * R13: the `left` error of a call that is over, whoever heard it (the current connection's
 * `call_ended` or DISCONNECT, or an attempt's own connection before adoption): `cause` itself when it
 * is RXSFU_ERR_CALL_ENDED, else RXSFU_ERR_CALL_ENDED wrapping it, with the SFU's error facts kept.
 */
export function callEndedError(cause: unknown, detail: string): RxsfuError {
  if (isRxsfuError(cause, 'RXSFU_ERR_CALL_ENDED')) return cause;
  const facts = isRxsfuError(cause)
    ? { sfuErrorCode: cause.sfuErrorCode, reconnectStrategy: cause.reconnectStrategy, shouldRetry: cause.shouldRetry }
    : {};
  return rxsfuError('RXSFU_ERR_CALL_ENDED', `disconnected: ${detail}`, { ...facts, cause });
}

/**
 * An executor that threw or errored with something other than an `RxsfuError` fails its attempt
 * with `RXSFU_ERR_INTERNAL`: every I/O edge types its failures, so an untyped one (a `TypeError`, …)
 * is a bug, final under R9, never retried as if the SFU had refused.
 */
export function asAttemptError(error: unknown): RxsfuError {
  if (isRxsfuError(error)) return error;
  return rxsfuError('RXSFU_ERR_INTERNAL', `reconnect attempt failed with an untyped error: ${errorMessage(error)}`, { cause: error });
}
