/**
 * The emulator-wide track bus: what makes the emulator's SFUs cascade. Every media plane of one
 * emulator shares it, so a track published on any SFU (a client's publisher connection or a
 * simulated participant) can be forwarded to subscribers on every SFU, like Stream's SFUs relay
 * tracks between themselves.
 *
 * A published track has exactly one owner (the forwarding table of the plane it comes from). When a
 * publisher moves (MIGRATE: same session id, another SFU) the new plane announces the same track
 * and takes it over: the sinks stay attached, subscribers keep their m-section and no renegotiation
 * is needed; packets the old plane still receives are no longer forwarded. A plane can only
 * withdraw the tracks it owns, so the old plane dropping its copy leaves the moved track alone.
 *
 * Pure bookkeeping: no I/O, no timers.
 */
import type { RtpPacket } from '../../media/rtp-packet.js';
import type { TrackType } from '../../protocol/index.js';
import type { MediaParticipant } from './contract.js';

/** Identifies a published track. */
export interface TrackRef {
  sessionId: string;
  trackType: TrackType;
}

/** Receives forwarded packets. werift's `writeRtp` clones, so a sink may keep or mutate nothing. */
export type RtpSink = (packet: RtpPacket) => void;

/** A subscriber's sink on a track, with the counter of its own plane. */
export interface BusSink {
  sink: RtpSink;
  counter: { packets: number };
}

/** A published track on the bus. */
export interface BusSource extends TrackRef {
  /** The forwarding table the packets come from; only its packets are forwarded. */
  owner: object;
  /** Sinks keyed by `${plane scope}|${subscriber session id}`. */
  sinks: Map<string, BusSink>;
  /** How a keyframe request (a subscriber's PLI, or the emulator's own PLI/FIR) reaches the publisher (the owner sets it). */
  keyframeRequested?: (method: KeyframeRequestMethod) => void;
}

/** RTCP feedback asking a video source for a keyframe: Picture Loss Indication or Full Intra Request (RFC 4585, RFC 5104). */
export type KeyframeRequestMethod = 'pli' | 'fir';

/** A keyframe request that reached a published track. */
export interface KeyframeRequest extends TrackRef {
  method: KeyframeRequestMethod;
  /** The subscriber whose PLI it passes on, or `undefined` when the emulator itself asked. */
  fromSessionId?: string;
}

export const trackKey = (ref: TrackRef): string => `${ref.sessionId}|${ref.trackType}`;

/** Shared by the media planes of one emulator (or private to a standalone plane). */
export class TrackBus {
  /** trackKey → the published track. */
  readonly sources = new Map<string, BusSource>();
  private readonly participants = new Map<string, { participant: MediaParticipant; owner: object }>();
  private readonly listeners = new Set<() => void>();

  /** `onKeyframeRequest` hears every keyframe request passed to a publisher (the emulator records them). */
  constructor(private readonly hooks: { onKeyframeRequest?: (request: KeyframeRequest) => void } = {}) {}

  /** Passes a keyframe request to the track's publisher, on whichever SFU it is. Returns whether the track exists. */
  requestKeyframe(request: KeyframeRequest): boolean {
    const source = this.sources.get(trackKey(request));
    if (!source) return false;
    this.hooks.onKeyframeRequest?.(request);
    source.keyframeRequested?.(request.method);
    return true;
  }

  /** Makes a participant known to every plane (names its forwarded streams); the latest registration owns it. */
  register(participant: MediaParticipant, owner: object): void {
    this.participants.set(participant.sessionId, { participant, owner });
  }

  /** Forgets a participant, unless another plane registered it since (it moved there). */
  unregister(sessionId: string, owner: object): void {
    if (this.participants.get(sessionId)?.owner === owner) this.participants.delete(sessionId);
  }

  participant(sessionId: string): MediaParticipant | undefined {
    return this.participants.get(sessionId)?.participant;
  }

  /** Calls `listener` whenever the set of published tracks changed on any plane. Returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A plane changed the published set: every plane re-evaluates its subscribers. */
  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Whether two participants may exchange media: same call, or a call unknown to the plane (standalone use). */
export function sameCall(a: MediaParticipant | undefined, b: MediaParticipant | undefined): boolean {
  return a?.callCid === undefined || b?.callCid === undefined || a.callCid === b.callCid;
}
