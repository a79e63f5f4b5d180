/**
 * Socket signals → decoded SFU frames.
 *
 * Design choice for malformed frames: a frame that does not decode (or arrives as a text frame) is
 * a *value* `{ kind: 'malformed', error: ProtocolError }`, not an Observable error. One bad frame
 * from the SFU must not end the session, so later frames keep flowing; the connection surfaces the
 * ProtocolError on its `protocolErrors$` and logs a warning. Only the byte length is kept, never the
 * bytes.
 *
 * ```
 * signals:  --o--m1--mX--m2--c|      (mX: bytes that do not decode)
 * frames:   --o--e1--x---e2--c|      (e: { kind: 'event' }, x: { kind: 'malformed' })
 * ```
 */
import { map, type Observable, type OperatorFunction } from 'rxjs';
import { ProtocolError } from '../errors.js';
import { decodeSfuEvent, type SfuEvent } from '../protocol/index.js';
import { webSocket$, type SocketSignal, type WebSocketOptions } from './web-socket.js';

/** A socket signal with its message decoded: lifecycle values pass through unchanged. */
export type SignalFrame =
  | Exclude<SocketSignal, { kind: 'message' }>
  | { readonly kind: 'event'; readonly event: SfuEvent }
  | { readonly kind: 'malformed'; readonly error: ProtocolError };

/** Decodes each `message` signal as an `SfuEvent`; see the file comment for malformed frames. */
export function decodeSfuFrames(): OperatorFunction<SocketSignal, SignalFrame> {
  return map((signal) => (signal.kind === 'message' ? decodeFrame(signal.data, signal.isBinary) : signal));
}

/**
 * A cold Observable of the SFU's frames on a new socket to `url`: `open`, then `event` / `malformed`
 * per frame, `error` at most once, `close` last (then it completes). Unsubscribing closes the socket
 * with `options.unsubscribeCloseCode` (use a {@link SignalCloseCode} to say why).
 */
export function sfuEvents$(url: string, options: WebSocketOptions = {}): Observable<SignalFrame> {
  return webSocket$(url, options).pipe(decodeSfuFrames());
}

function decodeFrame(data: Uint8Array, isBinary: boolean): SignalFrame {
  if (!isBinary) {
    return { kind: 'malformed', error: new ProtocolError('SfuEvent', data.byteLength, 'text frame, expected binary') };
  }
  try {
    return { kind: 'event', event: decodeSfuEvent(data) };
  } catch (error) {
    // decodeSfuEvent only ever throws ProtocolError.
    return { kind: 'malformed', error: error as ProtocolError };
  }
}
