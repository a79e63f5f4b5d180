/**
 * A participant that lives inside the emulator: no socket, media generated in-process by the SFU's
 * media plane. It is announced like anyone else (participant_joined, track_published); the media
 * plane subscribes it to every track of its call on every SFU (cascading through the track bus), so
 * `received()` counts what agents send wherever they are. When its SFU is killed it reconnects, as a
 * human's client would: its media moves to another alive SFU (same session, no leave), the new SFU
 * takes its tracks over so subscribers keep them; with no SFU left its media stops.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { TrackType, type SfuEventInit } from '../protocol/index.js';
import { rxsfuError } from '../errors.js';
import { toParticipant, type CallRegistry, type RegisteredSession } from './call-registry.js';
import type { EmulatorRecords, LeaveReason } from './records.js';
import type { SimulatedCamera, SimulatedTone } from './media/contract.js';
import type { Observable } from 'rxjs';
import type { PcmFrame } from '../media/audio-frame.js';
import type { ReceivedAudio } from './media/audio-recorder.js';
import type { SimulatedHost } from './sfu-host.js';

/** Decoded audio a simulated participant received from one sender. */
export type ReceivedAudioSummary = ReceivedAudio;

/** Options of `Emulator.addParticipant`. */
export interface SimulatedParticipantOptions {
  /** @default 'default' */
  callType?: string;
  callId: string;
  userId: string;
  /** Publish an Opus tone; an object chooses the tone. @default true (440 Hz, speech-like) */
  audio?: boolean | SimulatedTone;
  /**
   * Publish a camera: real VP8 keyframes of a picture naming this participant (quadrants: its
   * colour, white, black, the complement; `cameraColour(userId)` unless given), 15 a second and on
   * every keyframe request. @default false
   */
  video?: boolean | SimulatedCamera;
  /** The SFU to live on. @default the SFU already hosting the call, else the first alive one */
  sfuId?: string;
}

/** Packets received from one publisher track. */
export interface ReceivedTrackPackets {
  fromSessionId: string;
  trackType: TrackType;
  packets: number;
}

/** A participant living inside the emulator (no socket; media generated in-process). */
export interface SimulatedParticipant {
  readonly sessionId: string;
  readonly userId: string;
  readonly callCid: string;
  /** The SFU its media lives on now (it moves when its SFU is killed). */
  readonly sfuId: string;
  /** RTP packets received so far, per track it subscribes to. */
  received(): ReceivedTrackPackets[];
  /**
   * Speaks `pcm$` (PCM frames at an Opus-native rate) on its audio track instead of its tone, paced
   * in real time, silence once it runs dry. Throws RXSFU_ERR_INVALID_ARGUMENT without an audio track.
   */
  speak(pcm$: Observable<PcmFrame>): void;
  /**
   * What it heard: every audio track it received, decoded to 48 kHz mono (the most recent 120 s of
   * each), one entry per sender session, so a test can check what an agent said.
   */
  receivedAudio(): ReceivedAudioSummary[];
  /** Leaves the call: participant_left to the others, media removed. Idempotent. */
  leave(): Promise<void>;
}

export class SimulatedSession implements RegisteredSession {
  readonly simulated = true;
  readonly publishedTracks = new Set<TrackType>();
  readonly trackLookupPrefix = randomBytes(6).toString('hex');
  readonly sessionId = randomUUID();
  /** Packets counted by the SFUs it lived on before (each SFU's counters go with its media). */
  readonly earlierReceived: ReceivedTrackPackets[] = [];
  /** Audio heard on the SFUs it lived on before. */
  readonly earlierAudio: ReceivedAudio[] = [];
  constructor(
    readonly userId: string,
    readonly callCid: string,
    public sfuId: string,
    readonly media: { audio: boolean; video: boolean | SimulatedCamera; tone?: SimulatedTone },
    readonly joinedAtMs: number,
  ) {}

  /** Its SFU died: the media moves to `target` (added there first, so the tracks are taken over, not re-offered). */
  relocate(from: SimulatedHost, target: SimulatedHost | undefined): Promise<void> {
    const { sessionId, userId, trackLookupPrefix, callCid } = this;
    this.earlierReceived.push(...from.media.receivedPackets(sessionId));
    this.earlierAudio.push(...from.media.receivedAudio(sessionId));
    if (target) {
      target.media.addSimulatedParticipant({ sessionId, userId, trackLookupPrefix, callCid }, this.media);
      this.sfuId = target.id;
    }
    return from.media.removeSession(sessionId);
  }

  received(sfu: SimulatedHost | undefined): ReceivedTrackPackets[] {
    const totals = new Map<string, ReceivedTrackPackets>();
    for (const r of [...this.earlierReceived, ...(sfu?.media.receivedPackets(this.sessionId) ?? [])]) {
      const key = `${r.fromSessionId}|${r.trackType}`;
      totals.set(key, { ...r, packets: (totals.get(key)?.packets ?? 0) + r.packets });
    }
    return [...totals.values()];
  }
  /** Audio heard here and on earlier SFUs, one entry per sender (earlier recordings first). */
  receivedAudio(sfu: SimulatedHost | undefined): ReceivedAudio[] {
    const bySender = new Map<string, ReceivedAudio>();
    for (const r of [...this.earlierAudio, ...(sfu?.media.receivedAudio(this.sessionId) ?? [])]) {
      const before = bySender.get(r.fromSessionId);
      if (!before) bySender.set(r.fromSessionId, r);
      else {
        const samples = new Int16Array(before.samples.length + r.samples.length);
        samples.set(before.samples);
        samples.set(r.samples, before.samples.length);
        bySender.set(r.fromSessionId, { ...r, samples });
      }
    }
    return [...bySender.values()];
  }
  connected(): boolean {
    return false;
  }
  deliver(_event: SfuEventInit): void {}
}

/** The emulator's own handle: the public one plus a removal with a reason. */
export interface SimulatedParticipantHandle extends SimulatedParticipant {
  remove(reason: LeaveReason): Promise<void>;
}

export function addSimulatedParticipant(sfu: SimulatedHost, records: EmulatorRecords, options: SimulatedParticipantOptions): SimulatedParticipantHandle {
  const registry = sfu.registry;
  const callCid = `${options.callType ?? 'default'}:${options.callId}`;
  const audio = options.audio !== false;
  const tone = typeof options.audio === 'object' ? options.audio : undefined;
  const video = options.video ?? false;
  const session = new SimulatedSession(options.userId, callCid, sfu.id, { audio, video, ...(tone ? { tone } : {}) }, sfu.scheduler.now());
  if (audio) session.publishedTracks.add(TrackType.TRACK_TYPE_AUDIO);
  if (video) session.publishedTracks.add(TrackType.TRACK_TYPE_VIDEO);
  registry.ensureCall(callCid, options.userId);
  const { sessionId, userId, trackLookupPrefix } = session;
  sfu.media.addSimulatedParticipant({ sessionId, userId, trackLookupPrefix, callCid }, session.media);
  registry.add(session);
  announce(registry, session);
  const current = () => sfu.allSfus().find((s) => s.id === session.sfuId);
  let left = false;
  const remove = async (reason: LeaveReason) => {
    if (left) return;
    left = true;
    if (registry.remove(session)) {
      registry.broadcast(callCid, { participantLeft: { callCid, participant: toParticipant(session) } }, sessionId);
      records.leaves.push({ at: sfu.scheduler.now(), sfuId: session.sfuId, sessionId, userId, callCid, reason });
    }
    await current()?.media.removeSession(sessionId);
  };
  return {
    sessionId,
    userId,
    callCid,
    get sfuId() {
      return session.sfuId;
    },
    received: () => session.received(current()),
    receivedAudio: () => session.receivedAudio(current()),
    speak: (pcm$) => {
      const sfuNow = current();
      if (!sfuNow || !session.media.audio) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `speak: ${session.userId} has no audio track on a live SFU`);
      sfuNow.media.speakSimulated(sessionId, pcm$);
    },
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
