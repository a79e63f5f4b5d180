/**
 * # rxsfu signaling
 *
 * The SFU signaling socket as RxJS streams: one WebSocket, binary protobuf frames
 * (`SfuRequest` out, `SfuEvent` in).
 *
 * ```ts
 * const signal = createSignalConnection({ url: credentials.server.wsEndpoint });
 * signal.connectionLost$.subscribe((loss) => reconnect(loss));   // at most one per connection
 * signal.join$(joinRequest).subscribe((joinResponse) => …);      // opens, sends JoinRequest first
 * signal.events$.subscribe((event) => …);                         // every decoded SfuEvent
 * signal.close(SignalCloseCode.LEAVE, 'bye');                     // our close: never a loss
 * ```
 *
 * Layers, I/O only at the bottom:
 * - `webSocket$` (web-socket.ts): the `ws` adapter. Cold; callbacks become {@link SocketSignal}s.
 * - `sfuEvents$` (sfu-events.ts): frames decoded. A malformed frame is a `{ kind: 'malformed' }`
 *   value carrying a ProtocolError, never an error: the socket and later frames survive it.
 * - Pure pipelines, each marble-tested: `joinHandshake$` (open / join timeouts, SFU rejection),
 *   `healthCheckRequests$` + `heartbeatTimeout$` (any frame resets the watchdog),
 *   `connectionLost$` (unexpected close | error after the handshake | heartbeat timeout, once).
 * - `createSignalConnection` wires them to one socket.
 *
 * Beyond the contract: `protocolErrors$` (frames that did not decode; the socket stays up),
 * `wsOptions` (extra `ws` client options such as headers). A heartbeat timeout emits the loss,
 * closes the socket with 4001 and ends the connection at once (a silent peer may never answer the
 * close frame). `close()` ends it at once too; `ws` finishes the close handshake in the background.
 * `send()` queues but does not open: `join$` opens, and its JoinRequest goes out ahead of the queue.
 *
 * Close codes ({@link SignalCloseCode}): 1000 leave, 4001 unhealthy (heartbeat lost), 4100 dispose
 * (replaced by a reconnect), 4101 join failed. A close or error before the handshake fails `join$`
 * (RXSFU_ERR_SOCKET_CLOSED / RXSFU_ERR_SOCKET_ERROR); after it, it is a `connectionLost$`.
 * Nothing here logs the JoinRequest: it carries the SFU token.
 */
export { SignalCloseCode } from './close-codes.js';
export { connectionLost$, type ConnectionLost, type ConnectionLostInputs } from './connection-lost.js';
export { DEFAULT_HEALTH_CHECK_INTERVAL_MS, DEFAULT_UNHEALTHY_AFTER_MS, HEALTH_CHECK_REQUEST, healthCheckRequests$, heartbeatTimeout$, STALL_TOLERANCE_MS, type HeartbeatTimeout } from './health-check.js';
export { DEFAULT_NETWORK_DEAD_AFTER_MS, networkDead$, type NetworkDead } from './network-dead.js';
export { joinHandshake$, type JoinHandshakeInputs, type JoinHandshakeOptions } from './join-handshake.js';
export { decodeSfuFrames, sfuEvents$, type SignalFrame } from './sfu-events.js';
export {
  createSignalConnection,
  type SignalConnection,
  type SignalConnectionOptions,
  type SignalLogger,
  type SignalState,
} from './signal-connection.js';
export { webSocket$, MAX_SIGNAL_FRAME_BYTES, type CloseRequest, type SocketSignal, type WebSocketOptions } from './web-socket.js';
