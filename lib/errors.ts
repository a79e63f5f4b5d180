/**
 * One error type for the whole SDK, with a stable `code` per failure (the `ws` habit).
 * Callers switch on `code`; the extra fields say what the peer said.
 *
 * | code | when |
 * | --- | --- |
 * | RXSFU_ERR_MALFORMED_FRAME | bytes that do not decode as the expected protobuf message |
 * | RXSFU_ERR_INVALID_ARGUMENT | a caller passed something unusable |
 * | RXSFU_ERR_SOCKET_OPEN_TIMEOUT | the signaling socket did not open in time |
 * | RXSFU_ERR_SOCKET_ERROR | the socket failed (DNS, refused, TLS, reset) |
 * | RXSFU_ERR_SOCKET_CLOSED | the socket closed before the join finished, or a send after close |
 * | RXSFU_ERR_JOIN_TIMEOUT | no `join_response` in time (the join handshake, first join or reconnect) |
 * | RXSFU_ERR_JOIN_REJECTED | the SFU answered the join with an `error` event |
 * | RXSFU_ERR_ATTEMPT_TIMEOUT | a reconnect attempt gave no answer within `attemptTimeoutMs` (R7) |
 * | RXSFU_ERR_MIGRATION_TIMEOUT | a MIGRATE got no `participant_migration_complete` within `migrationTimeoutMs` |
 * | RXSFU_ERR_INTERNAL | a bug: an exception the SDK did not type (e.g. a `TypeError`), or a broken internal contract |
 * | RXSFU_ERR_COORDINATOR | the coordinator answered with an error, or with garbage |
 * | RXSFU_ERR_UNAUTHORIZED | 401/403 from the coordinator or SFU: never retried |
 * | RXSFU_ERR_RPC | a Twirp call failed (transport, HTTP status or `error` in the response) |
 * | RXSFU_ERR_RPC_TIMEOUT | a Twirp call got no answer in time |
 * | RXSFU_ERR_WEBRTC | a peer connection could not be set up or restarted |
 * | RXSFU_ERR_LEFT | an operation on a call that has been left |
 * | RXSFU_ERR_RECONNECT_FAILED | reconnection gave up; `cause` is what started the episode |
 * | RXSFU_ERR_CALL_ENDED | the SFU ended the call, or told us to disconnect |
 * | RXSFU_ERR_SFU_ERROR | the SFU sent an `error` event during the call (fields: sfuErrorCode, reconnectStrategy) |
 * | RXSFU_ERR_TRACK_SOURCE | a local track's source errored or yielded something unusable: that track ended |
 * | RXSFU_ERR_FRAME_TOO_LARGE | a signaling frame over MAX_SIGNAL_FRAME_BYTES: the socket closes with 1009 (a loss) |
 * | RXSFU_ERR_INSECURE_TRANSPORT | a coordinator or SFU endpoint without TLS (http:, ws:) while `allowInsecure` is off |
 * | RXSFU_ERR_AUDIO_OVERFLOW | a PCM source ran further ahead of real time than the pacing queue holds |
 *
 * Final for reconnection (docs/RECONNECT.md R9: the episode gives up at once, no further attempt):
 * {@link FINAL_RECONNECT_CODES}. Every other code fails one attempt and the next one follows (R4).
 */
import { foreignText } from './foreign-text.js';

export type RxsfuErrorCode =
  | 'RXSFU_ERR_MALFORMED_FRAME'
  | 'RXSFU_ERR_INVALID_ARGUMENT'
  | 'RXSFU_ERR_SOCKET_OPEN_TIMEOUT'
  | 'RXSFU_ERR_SOCKET_ERROR'
  | 'RXSFU_ERR_SOCKET_CLOSED'
  | 'RXSFU_ERR_JOIN_TIMEOUT'
  | 'RXSFU_ERR_JOIN_REJECTED'
  | 'RXSFU_ERR_ATTEMPT_TIMEOUT'
  | 'RXSFU_ERR_MIGRATION_TIMEOUT'
  | 'RXSFU_ERR_INTERNAL'
  | 'RXSFU_ERR_COORDINATOR'
  | 'RXSFU_ERR_UNAUTHORIZED'
  | 'RXSFU_ERR_RPC'
  | 'RXSFU_ERR_RPC_TIMEOUT'
  | 'RXSFU_ERR_WEBRTC'
  | 'RXSFU_ERR_LEFT'
  | 'RXSFU_ERR_RECONNECT_FAILED'
  | 'RXSFU_ERR_CALL_ENDED'
  | 'RXSFU_ERR_SFU_ERROR'
  | 'RXSFU_ERR_TRACK_SOURCE'
  | 'RXSFU_ERR_FRAME_TOO_LARGE'
  | 'RXSFU_ERR_INSECURE_TRANSPORT'
  | 'RXSFU_ERR_AUDIO_OVERFLOW';

/**
 * R9: codes after which a reconnection episode stops at once (with an SFU `error` whose strategy is
 * DISCONNECT, whatever its code): 401/403 will not heal by retrying, an ended call has nothing to
 * rejoin, and retrying a bug only repeats it.
 */
export const FINAL_RECONNECT_CODES: readonly RxsfuErrorCode[] = ['RXSFU_ERR_UNAUTHORIZED', 'RXSFU_ERR_CALL_ENDED', 'RXSFU_ERR_INTERNAL'];

/** What the far side said, when it said something. Every field is optional. */
export interface RxsfuErrorDetails {
  /** SFU `models.ErrorCode` number (e.g. 700 SFU_FULL). */
  sfuErrorCode?: number;
  /** SFU `WebsocketReconnectStrategy` number attached to an `error` event. */
  reconnectStrategy?: number;
  /** Whether the SFU said the request may be retried (`models.Error.should_retry`). */
  shouldRetry?: boolean;
  /** HTTP status of a coordinator or Twirp answer. */
  httpStatus?: number;
  /** Stream coordinator error code (its JSON `code`), or Twirp's string code. */
  serverCode?: number | string;
  /** WebSocket close code. */
  closeCode?: number;
  /** The underlying error. */
  cause?: unknown;
}

/** Every error the SDK raises: switch on `code`; the optional fields say what the far side said. */
export class RxsfuError extends Error implements RxsfuErrorDetails {
  override name = 'RxsfuError';
  readonly code: RxsfuErrorCode;
  sfuErrorCode?: number;
  reconnectStrategy?: number;
  shouldRetry?: boolean;
  httpStatus?: number;
  serverCode?: number | string;
  closeCode?: number;
  override cause?: unknown;

  constructor(code: RxsfuErrorCode, message: string, details: RxsfuErrorDetails = {}) {
    super(message);
    this.code = code;
    Object.assign(this, details);
  }
}

/** A frame or body that does not decode. Carries the byte length, never the bytes (they may hold tokens). */
export class ProtocolError extends RxsfuError {
  override name = 'ProtocolError';
  readonly byteLength: number;
  readonly messageType: string;
  constructor(messageType: string, byteLength: number, cause: unknown) {
    super('RXSFU_ERR_MALFORMED_FRAME', `malformed ${messageType} (${byteLength} bytes): ${errorMessage(cause)}`, { cause });
    this.messageType = messageType;
    this.byteLength = byteLength;
  }
}

/** The one factory: `rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'no join_response in 5000 ms')`. */
export function rxsfuError(code: RxsfuErrorCode, message: string, details?: RxsfuErrorDetails): RxsfuError {
  return new RxsfuError(code, message, details);
}

/** Type guard: an RxsfuError, and with `code` given, one with that code. */
export function isRxsfuError(err: unknown, code?: RxsfuErrorCode): err is RxsfuError {
  return err instanceof RxsfuError && (code === undefined || err.code === code);
}

/**
 * What to log or wrap of any thrown value: an Error's message, else the value as a string, cut to
 * `FOREIGN_TEXT_MAX_CHARS` (a thrown value is text we did not write: it must not grow logs or errors).
 */
export function errorMessage(cause: unknown): string {
  return foreignText(cause instanceof Error ? cause.message : String(cause));
}
