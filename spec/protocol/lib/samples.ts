/**
 * Realistic protocol messages (init objects for the generated codec) shared by the codec specs,
 * the wire-compatibility spec and bench/codec.ts. Float values are exact in float32 so they
 * survive a round trip unchanged.
 */
import { TrackType, PeerType, WebsocketReconnectStrategy, type SfuEventInit, type SfuEventKind } from '../../../lib/protocol/index.js';

/** An SDP-like text of about `bytes` bytes (m-sections, candidates, fingerprints), deterministic. */
export function sampleSdp(bytes: number, seed = 1): string {
  const lines = ['v=0', `o=- ${4611731400430051336n + BigInt(seed)} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=msid-semantic: WMS'];
  for (let mid = 0; lines.join('\r\n').length < bytes; mid += 1) {
    lines.push(`m=${mid % 2 ? 'video' : 'audio'} 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8`, 'c=IN IP4 0.0.0.0', `a=mid:${mid}`,
      `a=ice-ufrag:${(seed * 7919 + mid).toString(36)}`, 'a=ice-pwd:Xb8GvF2qJt0nYq5sHcZr3kLw', 'a=ice-options:trickle',
      'a=fingerprint:sha-256 3C:4F:1E:AA:90:27:5B:C8:61:D2:0F:77:E4:13:9A:B6:58:2D:C0:F1:46:8E:3B:A7:D9:12:64:5F:0C:EB:81:39',
      'a=setup:actpass', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=rtcp-fb:111 transport-cc',
      `a=candidate:${mid} 1 udp 2122260223 192.168.1.${mid % 250} ${50000 + mid} typ host generation 0 network-id 1`,
      `a=ssrc:${1000 + mid * 17} cname:rxsfu-${seed}`);
  }
  return lines.join('\r\n').slice(0, bytes);
}

export function sampleParticipant(i: number) {
  return {
    userId: `user-${i}`, sessionId: `session-${i}-7f3a`, publishedTracks: i % 3 ? [TrackType.TRACK_TYPE_AUDIO] : [TrackType.TRACK_TYPE_AUDIO, TrackType.TRACK_TYPE_VIDEO],
    joinedAt: { seconds: 1_732_800_000 + i, nanos: (i * 1000) % 1_000_000_000 }, trackLookupPrefix: `tlp${i}`,
    connectionQuality: 1 + (i % 3), isSpeaking: i % 4 === 0, isDominantSpeaker: i === 0, audioLevel: 0.25 * (i % 4),
    name: `Participant ${i}`, image: `https://example.test/avatar/${i}.png`,
    custom: { fields: { team: { stringValue: i % 2 ? 'blue' : 'red' }, seat: { numberValue: i }, vip: { boolValue: i === 1 },
      tags: { listValue: { values: [{ stringValue: 'a' }, { numberValue: 2 }, { nullValue: 0 }] } },
      nested: { structValue: { fields: { level: { numberValue: 3 } } } } } },
    roles: i === 0 ? ['host', 'admin'] : ['user'], source: 0,
  };
}

const codec = { payloadType: 111, name: 'opus', clockRate: 48000, encodingParameters: '2', fmtp: 'minptime=10;useinbandfec=1' };
const vp8 = { payloadType: 96, name: 'VP8', clockRate: 90000 };

export const sampleTrackInfo = {
  trackId: 'a1b2c3-audio', trackType: TrackType.TRACK_TYPE_AUDIO, mid: '0', dtx: true, stereo: false, red: true, muted: false, codec, publishOptionId: 1,
  layers: [{ rid: 'q', videoDimension: { width: 320, height: 180 }, bitrate: 150_000, fps: 15, quality: 0 }],
};

export const sampleSubscriptions = [
  { userId: 'user-1', sessionId: 'session-1-7f3a', trackType: TrackType.TRACK_TYPE_AUDIO },
  { userId: 'user-2', sessionId: 'session-2-7f3a', trackType: TrackType.TRACK_TYPE_VIDEO, dimension: { width: 640, height: 360 } },
];

export function sampleJoinRequest(sdpBytes = 4096) {
  return {
    token: 'eyJhbGciOiJIUzI1NiJ9.sample.sfu-token', sessionId: 'b7e1c2d4-0000-4000-8000-000000000001', unifiedSessionId: 'uni-1',
    subscriberSdp: sampleSdp(sdpBytes, 1), publisherSdp: sampleSdp(sdpBytes, 2),
    clientDetails: { sdk: { type: 9, major: '0', minor: '1', patch: '0' }, os: { name: 'linux', version: '6.1', architecture: 'x64' },
      browser: { name: 'node', version: '20' }, webrtcVersion: 'werift-0.25' },
    reconnectDetails: { strategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, announcedTracks: [sampleTrackInfo], subscriptions: sampleSubscriptions,
      reconnectAttempt: 2, fromSfuId: 'sfu-a', previousSessionId: 'b7e1c2d4-0000-4000-8000-000000000000', reason: 'ws closed 4001' },
    preferredPublishOptions: [{ trackType: TrackType.TRACK_TYPE_AUDIO, codec, bitrate: 64_000, id: 1 }],
    preferredSubscribeOptions: [{ trackType: TrackType.TRACK_TYPE_VIDEO, codecs: [vp8] }],
    capabilities: [1, 2], source: 0,
  };
}

export function sampleJoinResponse(participants: number) {
  const list = Array.from({ length: participants }, (_, i) => sampleParticipant(i));
  return {
    callState: { participants: list, startedAt: { seconds: 1_732_799_000, nanos: 500_000_000 },
      participantCount: { total: participants, anonymous: 1 }, pins: [{ userId: 'user-1', sessionId: 'session-1-7f3a' }] },
    reconnected: false, fastReconnectDeadlineSeconds: 30,
    publishOptions: [{ trackType: TrackType.TRACK_TYPE_VIDEO, codec: vp8, bitrate: 1_200_000, fps: 30, maxSpatialLayers: 3, maxTemporalLayers: 1,
      videoDimension: { width: 1280, height: 720 }, id: 2, audioBitrateProfiles: [{ profile: 1, bitrate: 96_000 }], degradationPreference: 1 }],
  };
}

const participant = sampleParticipant(3);

/** One SfuEvent per payload kind (every member of the event_payload oneof). */
export const sampleEvents: { [K in SfuEventKind]: SfuEventInit } = {
  subscriberOffer: { subscriberOffer: { iceRestart: true, sdp: sampleSdp(600, 3), negotiationId: 7 } },
  publisherAnswer: { publisherAnswer: { sdp: sampleSdp(600, 4) } },
  connectionQualityChanged: { connectionQualityChanged: { connectionQualityUpdates: [{ userId: 'u', sessionId: 's', connectionQuality: 3 }] } },
  audioLevelChanged: { audioLevelChanged: { audioLevels: [{ userId: 'u', sessionId: 's', level: 0.5, isSpeaking: true }, { userId: 'v', sessionId: 't', level: 0.125 }] } },
  iceTrickle: { iceTrickle: { peerType: PeerType.PEER_TYPE_SUBSCRIBER, iceCandidate: '{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}', sessionId: 's' } },
  changePublishQuality: { changePublishQuality: { audioSenders: [{ codec, trackType: TrackType.TRACK_TYPE_AUDIO, publishOptionId: 1 }],
    videoSenders: [{ codec: vp8, trackType: TrackType.TRACK_TYPE_VIDEO, publishOptionId: 2, degradationPreference: 2,
      layers: [{ name: 'f', active: true, maxBitrate: 1_000_000, scaleResolutionDownBy: 1.5, codec: vp8, maxFramerate: 30, scalabilityMode: 'L1T3' }] }] } },
  participantJoined: { participantJoined: { callCid: 'default:abc', participant, isPinned: true } },
  participantLeft: { participantLeft: { callCid: 'default:abc', participant } },
  dominantSpeakerChanged: { dominantSpeakerChanged: { userId: 'u', sessionId: 's' } },
  joinResponse: { joinResponse: sampleJoinResponse(3) },
  healthCheckResponse: { healthCheckResponse: { participantCount: { total: 12, anonymous: 2 } } },
  trackPublished: { trackPublished: { userId: 'u', sessionId: 's', type: TrackType.TRACK_TYPE_SCREEN_SHARE, participant } },
  trackUnpublished: { trackUnpublished: { userId: 'u', sessionId: 's', type: TrackType.TRACK_TYPE_VIDEO, cause: 1, participant } },
  error: { error: { error: { code: 700, message: 'SFU full', shouldRetry: true }, reconnectStrategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE } },
  callGrantsUpdated: { callGrantsUpdated: { currentGrants: { canPublishAudio: true, canScreenshare: true }, message: 'grants changed' } },
  goAway: { goAway: { reason: 2 } },
  iceRestart: { iceRestart: { peerType: PeerType.PEER_TYPE_SUBSCRIBER } },
  pinsUpdated: { pinsUpdated: { pins: [{ userId: 'u', sessionId: 's' }] } },
  callEnded: { callEnded: { reason: 3 } },
  participantUpdated: { participantUpdated: { callCid: 'default:abc', participant } },
  participantMigrationComplete: { participantMigrationComplete: {} },
  changePublishOptions: { changePublishOptions: { publishOptions: [{ trackType: TrackType.TRACK_TYPE_AUDIO, codec, useSingleLayer: true }], reason: 'codec switch' } },
  inboundStateNotification: { inboundStateNotification: { inboundVideoStates: [{ userId: 'u', sessionId: 's', trackType: TrackType.TRACK_TYPE_VIDEO, paused: true }] } },
};

/** The Twirp request bodies the SDK sends, by method request type name. */
export const sampleTwirpRequests = {
  SetPublisherRequest: { sdp: sampleSdp(2000, 5), sessionId: 's', tracks: [sampleTrackInfo] },
  SendAnswerRequest: { peerType: PeerType.PEER_TYPE_SUBSCRIBER, sdp: sampleSdp(1500, 6), sessionId: 's', negotiationId: 9 },
  UpdateSubscriptionsRequest: { sessionId: 's', tracks: sampleSubscriptions },
  UpdateMuteStatesRequest: { sessionId: 's', muteStates: [{ trackType: TrackType.TRACK_TYPE_AUDIO, muted: true }] },
  ICERestartRequest: { sessionId: 's', peerType: PeerType.PEER_TYPE_SUBSCRIBER },
  SendStatsRequest: { sessionId: 's', subscriberStats: '{"a":1}', publisherStats: '{}', webrtcVersion: 'werift', sdk: 'rxsfu', sdkVersion: '0.1.0',
    audioDevices: { availableDevices: ['default'], currentDevice: 'default', isPermitted: true }, android: { thermalState: 3, isPowerSaverMode: true },
    telemetry: { reconnection: { timeSeconds: 1.5, strategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_FAST } }, rtcStats: '[]',
    encodeStats: [{ trackType: TrackType.TRACK_TYPE_VIDEO, codec: vp8, avgFrameTimeMs: 2.5, avgFps: 30, videoDimension: { width: 640, height: 480 }, targetBitrate: 500_000 }],
    unifiedSessionId: 'uni-1' },
  SendMetricsRequest: { sessionId: 's', unifiedSessionId: 'uni-1',
    inbounds: [{ base: { ssrc: 1234, kind: 'audio', timestampMs: 1_732_800_000_123 }, jitterSeconds: 0.5, packetsReceived: 2 ** 40 + 7, packetsLost: 3, fps: 0 }],
    outbounds: [{ base: { ssrc: 99, kind: 'video' }, fps: 30, bitrateBps: 800_000, minDimensionPx: 360 }] },
} as const;

export const sampleIceTrickle = { peerType: PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED, iceCandidate: '{"candidate":"candidate:2 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"ab"}', sessionId: 's' };
