/**
 * A participant that lives inside the emulator: no socket, media generated in-process by the SFU's
 * media plane. It is announced like anyone else (participant_joined, track_published); the media
 * plane subscribes it to everything published on its SFU, so `received()` counts what agents send.
 * Media does not cross SFUs (the emulator has no cascading): a simulated participant only exchanges
 * RTP with sessions on its own SFU, which is why the coordinator prefers the SFU hosting the call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TrackType, type SfuEventInit } from '../protocol/index.js';
import { toParticipant, type CallRegistry, type RegisteredSession } from './call-registry.js';
import type { EmulatorRecords, LeaveReason } from './records.js';
import type { SfuServer } from './sfu-server.js';

export interface SimulatedParticipantOptions {
  /** @default 'default' */
  callType?: string;
  callId: string;
  userId: string;
  /** Publish an Opus tone. @default true */
  audio?: boolean;
  /** Publish synthetic VP8. @default false */
  video?: boolean;
  /** The SFU to live on. @default the SFU already hosting the call, else the first alive one */
  sfuId?: string;
}

/** Packets received from one publisher track. */
export interface ReceivedTrackPackets {
  fromSessionId: string;
  trackType: TrackType;
  packets: number;
}

export interface SimulatedParticipant {
  readonly sessionId: string;
  readonly userId: string;
  readonly callCid: string;
  readonly sfuId: string;
  /** RTP packets received so far, per track it subscribes to. */
  received(): ReceivedTrackPackets[];
  /** Leaves the call: participant_left to the others, media removed. Idempotent. */
  leave(): Promise<void>;
}

class SimulatedSession implements RegisteredSession {
  readonly simulated = true;
  readonly publishedTracks = new Set<TrackType>();
  readonly trackLookupPrefix = randomBytes(6).toString('hex');
  readonly joinedAtMs = Date.now();
  readonly sessionId = randomUUID();
  constructor(readonly userId: string, readonly callCid: string, readonly sfuId: string) {}
  connected(): boolean {
    return false;
  }
  deliver(_event: SfuEventInit): void {}
}

/** The emulator's own handle: the public one plus a removal with a reason. */
export interface SimulatedParticipantHandle extends SimulatedParticipant {
  remove(reason: LeaveReason): Promise<void>;
}

export function addSimulatedParticipant(sfu: SfuServer, records: EmulatorRecords, options: SimulatedParticipantOptions): SimulatedParticipantHandle {
  const registry = sfu.registry;
  const callCid = `${options.callType ?? 'default'}:${options.callId}`;
  const session = new SimulatedSession(options.userId, callCid, sfu.id);
  const audio = options.audio ?? true;
  const video = options.video ?? false;
  if (audio) session.publishedTracks.add(TrackType.TRACK_TYPE_AUDIO);
  if (video) session.publishedTracks.add(TrackType.TRACK_TYPE_VIDEO);
  registry.ensureCall(callCid, options.userId);
  const { sessionId, userId, trackLookupPrefix } = session;
  sfu.media.addSimulatedParticipant({ sessionId, userId, trackLookupPrefix, callCid }, { audio, video });
  registry.add(session);
  announce(registry, session);
  let left = false;
  const remove = async (reason: LeaveReason) => {
    if (left) return;
    left = true;
    if (registry.remove(session)) {
      registry.broadcast(callCid, { participantLeft: { callCid, participant: toParticipant(session) } }, sessionId);
      records.leaves.push({ at: Date.now(), sfuId: sfu.id, sessionId, userId, callCid, reason });
    }
    await sfu.media.removeSession(sessionId);
  };
  return {
    sessionId,
    userId,
    callCid,
    sfuId: sfu.id,
    received: () => sfu.media.receivedPackets(sessionId),
    leave: () => remove('simulated-leave'),
    remove,
  };
}

function announce(registry: CallRegistry, session: SimulatedSession): void {
  const { callCid, sessionId, userId } = session;
  registry.broadcast(callCid, { participantJoined: { callCid, participant: toParticipant(session) } }, sessionId);
  for (const type of session.publishedTracks) {
    registry.broadcast(callCid, { trackPublished: { userId, sessionId, type, participant: toParticipant(session) } }, sessionId);
  }
}
