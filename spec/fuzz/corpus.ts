/**
 * Valid inputs the fuzzer starts from: one SFU event of each kind the SDK reads, client requests,
 * Twirp responses, coordinator join JSON and ICE candidates. Mutations of these reach deeper into
 * the decoders and the call than random bytes do.
 */
import { RTCPeerConnection } from 'werift';
import { encodeSfuEvent, encodeSfuRequest, signal, toProto3Json, type SfuEventInit } from '../../lib/protocol/index.js';
import { rtcConfiguration } from '../../lib/rtc/config.js';
import { sampleJoinRequest, sampleJoinResponse, sampleParticipant, sampleSdp } from '../protocol/lib/samples.js';

/** Session ids the corpus' events talk about (so mutated events hit existing participants). */
export const SESSIONS = ['session-1-7f3a', 'session-2-7f3a', 'session-3-7f3a'];

/** One event of each kind, about participants that exist in `sampleJoinResponse(3)`. */
export function sampleEvents(sdp: string): SfuEventInit[] {
  const p = sampleParticipant(2);
  return [
    { joinResponse: sampleJoinResponse(3) },
    { participantJoined: { callCid: 'default:fuzz', participant: sampleParticipant(7) } },
    { participantUpdated: { callCid: 'default:fuzz', participant: { ...p, name: 'renamed' } } },
    { participantLeft: { callCid: 'default:fuzz', participant: sampleParticipant(3) } },
    { trackPublished: { userId: p.userId, sessionId: p.sessionId, type: 2, participant: p } },
    { trackUnpublished: { userId: p.userId, sessionId: p.sessionId, type: 1, cause: 1 } },
    { audioLevelChanged: { audioLevels: SESSIONS.map((sessionId, i) => ({ sessionId, userId: `user-${i}`, level: 0.5, isSpeaking: i === 0 })) } },
    { connectionQualityChanged: { connectionQualityUpdates: [{ sessionId: SESSIONS[0], userId: 'user-1', connectionQuality: 3 }] } },
    { dominantSpeakerChanged: { sessionId: SESSIONS[1], userId: 'user-2' } },
    { subscriberOffer: { iceRestart: false, sdp, negotiationId: 1 } },
    { iceTrickle: { peerType: 1, sessionId: SESSIONS[0], iceCandidate: '{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}' } },
    { healthCheckResponse: { participantCount: { total: 4, anonymous: 0 } } },
    { error: { error: { code: 700, message: 'SFU is full', shouldRetry: true }, reconnectStrategy: 2 } },
    { goAway: { reason: 1 } },
    { iceRestart: { peerType: 1 } },
    { participantMigrationComplete: {} },
    { callEnded: { reason: 1 } },
  ];
}

/** Encoded event frames and client request frames. */
export function sampleFrames(sdp: string): { events: Uint8Array[]; requests: Uint8Array[] } {
  return {
    events: sampleEvents(sdp).map(encodeSfuEvent),
    requests: [
      encodeSfuRequest({ joinRequest: sampleJoinRequest(512) }),
      encodeSfuRequest({ healthCheckRequest: {} }),
      encodeSfuRequest({ leaveCallRequest: { sessionId: SESSIONS[0], reason: 'bye' } }),
    ],
  };
}

/** Twirp response bodies as the SFU sends them (protobuf), and their proto3 JSON. */
export function sampleTwirpBodies(sdp: string): { protobuf: Uint8Array[]; json: string[] } {
  const setPublisher = { sdp, sessionId: SESSIONS[0], iceRestart: false, error: { code: 0, message: '', shouldRetry: false } };
  return {
    protobuf: [signal.SetPublisherResponse.encode(setPublisher).finish(), signal.SendAnswerResponse.encode({}).finish(),
      signal.UpdateSubscriptionsResponse.encode({ error: { code: 100, message: 'bad', shouldRetry: true } }).finish()],
    json: [JSON.stringify(toProto3Json(signal.SetPublisherResponse, setPublisher)), '{}', '{"error":{"code":1,"message":"bad","shouldRetry":true}}'],
  };
}

/** A coordinator join answer (snake_case JSON). */
export function sampleCoordinatorJoin(): string {
  return JSON.stringify({
    call: { cid: 'default:fuzz' }, members: [], own_capabilities: ['send-audio'], created: true,
    credentials: { server: { url: 'http://127.0.0.1:1/twirp', ws_endpoint: 'ws://127.0.0.1:1/ws', edge_name: 'sfu-1' }, token: 'sfu-token', ice_servers: [{ urls: ['turn:127.0.0.1'], username: 'u', password: 'p' }] },
    stats_options: { reporting_interval_ms: 10000, enable_rtc_stats: false },
  });
}

export const SAMPLE_CANDIDATE = '{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}';

/** A real SFU-side offer (werift, sendonly audio), for subscriber offers; the sample SDP if werift fails. */
export async function realOffer(): Promise<string> {
  const pc = new RTCPeerConnection(rtcConfiguration());
  try {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription?.sdp ?? sampleSdp(1024);
  } finally {
    await pc.close();
  }
}
