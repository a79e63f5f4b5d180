/**
 * The only I/O in signaling: a cold Observable over a `ws` WebSocket.
 *
 * Subscribing opens the socket; every callback `ws` makes becomes a value ({@link SocketSignal}),
 * so the rest of signaling is pure RxJS. Writing and closing are inputs, not methods: frames come
 * in on `outgoing$` (subscribed once the socket is open), close requests on `close$`. After a
 * requested close the Observable keeps emitting until the socket's `close` event, then completes;
 * unsubscribing early closes the socket with `unsubscribeCloseCode`.
 *
 * ```
 * socket:    --open--msg--msg--error--close|
 * signals:   --o-----m----m----e------c|
 * ```
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Observable, type Subscription } from 'rxjs';
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import { errorMessage, rxsfuError, type RxsfuError } from '../errors.js';

/** What the socket reported. `error` (at most one) is always followed by `close`. */
export type SocketSignal =
  | { readonly kind: 'open' }
  | { readonly kind: 'message'; readonly data: Uint8Array; readonly isBinary: boolean }
  | { readonly kind: 'error'; readonly error: RxsfuError }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** A request to close the socket with a WebSocket close code (1000, or 3000–4999). */
export interface CloseRequest {
  readonly code: number;
  readonly reason: string;
}

export interface WebSocketOptions {
  /**
   * Frames to write. Subscribed when the socket opens (values before that are not seen, so pass
   * a source that holds them back until then); unsubscribed when the socket closes.
   * @default EMPTY (nothing is written)
   */
  outgoing$?: Observable<Uint8Array>;
  /** Each value closes the socket with its code and reason; the first one wins. @default never */
  close$?: Observable<CloseRequest>;
  /** Close code used when the subscriber unsubscribes before the socket closed. @default 1000 */
  unsubscribeCloseCode?: number;
  /** Extra `ws` client options (e.g. `headers`). @default {} */
  wsOptions?: ClientOptions;
  /**
   * Told the size of each chunk the TCP socket reads once upgraded, before `ws` assembles frames:
   * bytes arriving prove the path alive even while a large frame is still incomplete. @default none
   */
  bytesRead?: { next(byteCount: number): void };
}

/**
 * The largest signaling frame accepted: 8 MiB. The largest real frame is a `join_response` for a
 * big call (about 300 bytes per participant: 8 MiB holds over 25,000); `ws`'s default of 100 MiB
 * would let a hostile SFU make us buffer that much per frame. A bigger frame is a socket error
 * `RXSFU_ERR_FRAME_TOO_LARGE` and `ws` closes the socket (sending 1009): a loss, like any socket error.
 */
export const MAX_SIGNAL_FRAME_BYTES = 8 * 1024 * 1024;

/** Opens a WebSocket to `url` per subscription. See the file comment for the protocol. */
export function webSocket$(url: string, options: WebSocketOptions = {}): Observable<SocketSignal> {
  return new Observable<SocketSignal>((subscriber) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, { maxPayload: MAX_SIGNAL_FRAME_BYTES, ...options.wsOptions });
    } catch (cause) {
      // Bad URL: ws throws synchronously. Report it like any socket failure.
      subscriber.error(rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `cannot open WebSocket: ${errorMessage(cause)}`, { cause }));
      return;
    }
    socket.binaryType = 'nodebuffer';
    let outgoing: Subscription | undefined;
    const close = (request: CloseRequest): void => closeSocket(socket, request);
    const closeRequests = options.close$?.subscribe(close);
    let tcp: Duplex | undefined;
    const onBytes = (chunk: Buffer): void => options.bytesRead?.next(chunk.length);
    if (options.bytesRead) {
      socket.on('upgrade', (response: IncomingMessage) => {
        tcp = response.socket;
        tcp.on('data', onBytes);
      });
    }

    socket.on('open', () => {
      outgoing = options.outgoing$?.subscribe((frame) => socket.send(frame));
      subscriber.next({ kind: 'open' });
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      subscriber.next({ kind: 'message', data: toBytes(data), isBinary });
    });
    socket.on('error', (cause: Error & { code?: string }) => {
      const error = cause.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? rxsfuError('RXSFU_ERR_FRAME_TOO_LARGE', `signaling frame over ${MAX_SIGNAL_FRAME_BYTES} bytes`, { cause, closeCode: 1009 })
        : rxsfuError('RXSFU_ERR_SOCKET_ERROR', `signaling socket error: ${cause.message}`, { cause });
      subscriber.next({ kind: 'error', error });
    });
    socket.on('close', (code: number, reason: Buffer) => {
      outgoing?.unsubscribe();
      subscriber.next({ kind: 'close', code, reason: reason.toString('utf8') });
      subscriber.complete();
    });

    return () => {
      outgoing?.unsubscribe();
      closeRequests?.unsubscribe();
      tcp?.off('data', onBytes);
      socket.removeAllListeners();
      // ws may still report the aborted handshake as an error event: never let it go unhandled.
      socket.on('error', noop);
      closeSocket(socket, { code: options.unsubscribeCloseCode ?? 1000, reason: 'unsubscribed' });
    };
  });
}

/** RFC 6455 caps a close reason at 123 bytes; `ws` throws beyond that. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Closes unless already closing; a connecting socket is aborted (ws then reports 1006). The reason
 * is cut to 123 UTF-8 bytes: reasons can carry an SFU's own message, and `ws` throws on longer ones.
 */
function closeSocket(socket: WebSocket, { code, reason }: CloseRequest): void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return;
  try {
    socket.close(code, closeReason(reason));
  } catch {
    // An invalid code from a caller must not throw inside a subscription: drop the connection instead.
    socket.terminate();
  }
}

/** `reason` cut to at most 123 UTF-8 bytes (ending in `…` when cut), never inside a character. */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  const ellipsis = '…'; // 3 bytes
  let cut = '';
  for (const char of reason) {
    if (Buffer.byteLength(cut + char + ellipsis) > MAX_CLOSE_REASON_BYTES) break;
    cut += char;
  }
  return cut + ellipsis;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function noop(): void {}
