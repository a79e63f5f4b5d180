/**
 * rxsfu: join a Stream Video call from Node as an agent, as RxJS streams, and stay in it.
 *
 * The front door is `joinCall` / `joinCall$`; the rest is exported for agents that compose the
 * layers themselves (a signaling socket alone, the reconnection engine with their own executors…).
 * Wire-level codecs live in `rxsfu/protocol`, the local SFU emulator in `rxsfu/emulator`.
 */
export * from './call/index.js';
export { RxsfuError, ProtocolError, rxsfuError, isRxsfuError, FINAL_RECONNECT_CODES, type RxsfuErrorCode, type RxsfuErrorDetails } from './errors.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export { VERSION } from './version.js';
export {
  createSignalConnection, SignalCloseCode, connectionLost$, heartbeatTimeout$, healthCheckRequests$, sfuEvents$,
  networkDead$, DEFAULT_NETWORK_DEAD_AFTER_MS,
  type SignalConnection, type SignalConnectionOptions, type ConnectionLost, type ConnectionLostInputs, type SignalState,
  type SignalFrame, type HeartbeatTimeout, type NetworkDead, type WebSocketOptions,
} from './signaling/index.js';
export { createSignalServerClient, type SignalServerClient, type SignalServerClientOptions } from './rpc/index.js';
export {
  coordinatorJoin$, createUserToken$, DEFAULT_COORDINATOR_URL, DEFAULT_LOCATION_HINT_URL,
  type Credentials, type CoordinatorJoinResult, type CoordinatorJoinOptions, type CreateUserTokenOptions,
} from './coordinator/index.js';
export type { IceServer } from './rtc/ice-server.js';
export {
  createReconnectEngine, reconnectEpisodes, ReconnectFailedError, withSfuId, mergeTriggers,
  fromConnectionLost, fromSfuError, fromGoAway, fromIceRestartEvent, fromIceFailed, fromPeerFailed, fromMediaStalled, fromCallEnded,
  type ReconnectOptions, type ReconnectionRecord, type ReconnectState, type ReconnectRequest, type ReconnectExecutors,
  type ReconnectEngine, type ReconnectionEvent, type AttemptContext, type JoinedInfo, type ReconnectFailureReason,
  type ReconnectOutcome, type OutageRecord, type OutageEnd, type OutageAnsweredBy, type SupervisorOptions,
} from './reconnect/index.js';
export {
  opusRtpPackets$, opusToneFrames$, decodeOpus, createOpusDecoder, vp8RtpPackets$,
  type OpusRtpOptions, type OpusToneOptions, type OpusDecoder, type Vp8RtpOptions,
  remoteAudio$, jitterBuffer, OPUS_SAMPLE_RATES, pace, encodeOpusRtp, resampleToOpusRate, opusRateFor, rmsLevel, estimateFrequencyHz, pcmSignalFrame,
  type PaceOptions, type OpusPublishOptions, mixAudio$, type MixOptions, type MixedFrame,
  vp8Depacketize, remoteVideo$, type VideoFrame, type RemoteVideoOptions, packetizeVp8, vp8SyntheticFrames$,
  type Vp8SourceFrame, type Vp8PacketizerOptions, type RtpPacket, type RtpHeader, type RtpHeaderExtension, isRtpPacket,
  vp8KeyframeToWebp, vp8KeyframeFromWebp, isVp8Keyframe, vp8KeyframeCodec$, type Vp8KeyframeCodec, type RgbaImage,
  type AudioFrame, type AudioOptions, type PcmFrame, type OpusSampleRate, type JitterBufferOptions, type JitterOutput,
} from './media/index.js';
export { TrackType, PeerType, ErrorCode, WebsocketReconnectStrategy } from './protocol/index.js';
