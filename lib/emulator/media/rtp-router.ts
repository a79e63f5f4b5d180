/**
 * The SFU's forwarding table: published tracks (a session and a track type) and, for each, the
 * sinks that receive a copy of every RTP packet. It also keeps the packet counts the emulator
 * reports (received per publisher track, forwarded per subscriber and source). Pure bookkeeping:
 * no I/O, no timers; the peer connections and simulated sources plug in as functions.
 */
import type { RtpPacket } from 'werift';
import type { TrackType } from '../../protocol/index.js';

/** Identifies a published track. */
export interface TrackRef {
  sessionId: string;
  trackType: TrackType;
}

/** Receives forwarded packets. werift's `writeRtp` clones, so a sink may keep or mutate nothing. */
export type RtpSink = (packet: RtpPacket) => void;

interface Source extends TrackRef {
  received: number;
  sinks: Map<string, RtpSink>;
}

export const trackKey = (ref: TrackRef): string => `${ref.sessionId}|${ref.trackType}`;

export class RtpRouter {
  private readonly sources = new Map<string, Source>();
  /** subscriberId → source key → packets forwarded (kept after detach, until `forgetSubscriber`). */
  private readonly forwarded = new Map<string, Map<string, { ref: TrackRef; packets: number }>>();
  /** publisher sessionId → track type → packets received (kept after withdraw, until `forgetPublisher`). */
  private readonly received = new Map<string, Map<TrackType, number>>();

  /** Declares a published track. Returns false when it was already known. */
  announce(ref: TrackRef): boolean {
    const key = trackKey(ref);
    if (this.sources.has(key)) return false;
    this.sources.set(key, { ...ref, received: 0, sinks: new Map() });
    return true;
  }

  /** Removes a published track and every sink on it. Returns false when it was not known. */
  withdraw(ref: TrackRef): boolean {
    return this.sources.delete(trackKey(ref));
  }

  /** The tracks currently published, optionally only those of one session. */
  published(sessionId?: string): TrackRef[] {
    return [...this.sources.values()]
      .filter((s) => sessionId === undefined || s.sessionId === sessionId)
      .map(({ sessionId: id, trackType }) => ({ sessionId: id, trackType }));
  }

  /** One packet from a publisher track: counted, then copied to every sink. Unknown tracks are counted only. */
  publish(ref: TrackRef, packet: RtpPacket): void {
    const counts = this.received.get(ref.sessionId) ?? new Map<TrackType, number>();
    this.received.set(ref.sessionId, counts);
    counts.set(ref.trackType, (counts.get(ref.trackType) ?? 0) + 1);
    const source = this.sources.get(trackKey(ref));
    if (!source) return;
    for (const [subscriberId, sink] of source.sinks) {
      sink(packet);
      const entry = this.forwarded.get(subscriberId)?.get(trackKey(ref));
      if (entry) entry.packets++;
    }
  }

  /** Forwards a published track to `sink` under `subscriberId`. False if the track is not published. */
  attach(subscriberId: string, ref: TrackRef, sink: RtpSink): boolean {
    const source = this.sources.get(trackKey(ref));
    if (!source) return false;
    source.sinks.set(subscriberId, sink);
    const counts = this.forwarded.get(subscriberId) ?? new Map<string, { ref: TrackRef; packets: number }>();
    this.forwarded.set(subscriberId, counts);
    if (!counts.has(trackKey(ref))) counts.set(trackKey(ref), { ref: { ...ref }, packets: 0 });
    return true;
  }

  /** Stops forwarding one track to a subscriber. */
  detach(subscriberId: string, ref: TrackRef): void {
    this.sources.get(trackKey(ref))?.sinks.delete(subscriberId);
  }

  /** Whether `subscriberId` currently receives the track. */
  isAttached(subscriberId: string, ref: TrackRef): boolean {
    return this.sources.get(trackKey(ref))?.sinks.has(subscriberId) ?? false;
  }

  /** Packets forwarded to a subscriber, per source track. */
  forwardedTo(subscriberId: string): { fromSessionId: string; trackType: TrackType; packets: number }[] {
    return [...(this.forwarded.get(subscriberId)?.values() ?? [])].map(({ ref, packets }) => ({
      fromSessionId: ref.sessionId, trackType: ref.trackType, packets,
    }));
  }

  /** Packets received from a publisher, per track type. */
  receivedFrom(sessionId: string): { trackType: TrackType; packets: number }[] {
    return [...(this.received.get(sessionId)?.entries() ?? [])].map(([trackType, packets]) => ({ trackType, packets }));
  }

  /** Drops everything about a session: its tracks, its sinks everywhere, its counters. */
  removeSession(sessionId: string): void {
    for (const [key, source] of this.sources) {
      if (source.sessionId === sessionId) this.sources.delete(key);
      else source.sinks.delete(sessionId);
    }
    this.forwarded.delete(sessionId);
    this.received.delete(sessionId);
  }
}
