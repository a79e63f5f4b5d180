/**
 * rxsfu: join a Stream Video call from Node as an agent, as RxJS streams, and stay in it.
 *
 * The front door is `joinCall` / `joinCall$`; the rest is exported for agents that compose the
 * layers themselves (a signaling socket alone, the reconnection engine with their own executors…).
 * Wire-level codecs live in `rxsfu/protocol`, the local SFU emulator in `rxsfu/emulator`.
 */
export * from './call/index.js';
export { RxsfuError, ProtocolError, rxsfuError, isRxsfuError, type RxsfuErrorCode, type RxsfuErrorDetails } from './errors.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export {
  createSignalConnection, SignalCloseCode, connectionLost$, heartbeatTimeout$, healthCheckRequests$, sfuEvents$,
  type SignalConnection, type SignalConnectionOptions, type ConnectionLost,
} from './signaling/index.js';
export { createSignalServerClient, type SignalServerClient } from './rpc/index.js';
export { coordinatorJoin$, createUserToken$, type Credentials, type CoordinatorJoinResult } from './coordinator/index.js';
export {
  createReconnectEngine, reconnectEpisodes, ReconnectFailedError,
  type ReconnectOptions, type ReconnectionRecord, type ReconnectState, type ReconnectRequest, type ReconnectExecutors,
} from './reconnect/index.js';
export { opusRtpPackets$, opusToneFrames$, decodeOpus, createOpusDecoder } from './media/index.js';
export { TrackType, PeerType, ErrorCode, WebsocketReconnectStrategy } from './protocol/index.js';
