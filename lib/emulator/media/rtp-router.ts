/**
 * One SFU's forwarding table, over the emulator's {@link TrackBus}: the tracks this SFU publishes
 * (announced here, owned here) and the sinks of this SFU's subscribers, on tracks published on any
 * SFU sharing the bus. It keeps this SFU's packet counts (received per publisher track, forwarded
 * per subscriber and source). Pure bookkeeping: no I/O, no timers; the peer connections and
 * simulated sources plug in as functions. Without a bus argument it is a standalone table.
 */
import type { RtpPacket } from '../../media/rtp-packet.js';
import type { TrackType } from '../../protocol/index.js';
import { TrackBus, trackKey, type KeyframeRequestMethod, type RtpSink, type TrackRef } from './track-bus.js';
import type { MediaDisturbance } from './contract.js';
import { disturbedSink } from './media-disturbance.js';

export { trackKey, type RtpSink, type TrackRef } from './track-bus.js';

/** Scopes sink keys, so the same session id subscribing on two SFUs (during MIGRATE) gets two sinks. */
let routerCount = 0;

export class RtpRouter {
  private readonly scope = `router-${++routerCount}`;
  /** subscriberId → source key → packets forwarded (kept after detach, until `removeSession`). */
  private readonly forwarded = new Map<string, Map<string, { ref: TrackRef; counter: { packets: number } }>>();
  /** publisher sessionId → track type → packets received (kept after withdraw, until `removeSession`). */
  private readonly received = new Map<string, Map<TrackType, number>>();
  /** Subscribers of this SFU whose packets are silently dropped (fault: media stops, signaling lives). */
  private readonly dropped = new Set<string>();
  /** Subscribers of this SFU whose packets are dropped or reordered on a pattern (fault). */
  private readonly disturbed = new Map<string, MediaDisturbance>();

  /** @param bus shared with the other SFUs' tables; a private one by default */
  constructor(readonly bus: TrackBus = new TrackBus()) {}

  /**
   * Declares a track published from here. Returns false when it was already known: published here,
   * or on another SFU (a publisher that moved here), in which case this table takes it over.
   */
  announce(ref: TrackRef): boolean {
    const existing = this.bus.sources.get(trackKey(ref));
    if (existing) {
      existing.owner = this;
      return false;
    }
    this.bus.sources.set(trackKey(ref), { ...ref, owner: this, sinks: new Map() });
    return true;
  }

  /** Removes a track published from here and every sink on it. Returns false when it was not ours. */
  withdraw(ref: TrackRef): boolean {
    if (this.bus.sources.get(trackKey(ref))?.owner !== this) return false;
    return this.bus.sources.delete(trackKey(ref));
  }

  /** The tracks currently published on any SFU of the bus, optionally only those of one session. */
  published(sessionId?: string): TrackRef[] {
    return [...this.bus.sources.values()]
      .filter((s) => sessionId === undefined || s.sessionId === sessionId)
      .map(({ sessionId: id, trackType }) => ({ sessionId: id, trackType }));
  }

  /**
   * One packet from a publisher track on this SFU: counted, then copied to every sink on any SFU if
   * this table owns the track. Unknown tracks (or ones that moved away) are counted only.
   */
  publish(ref: TrackRef, packet: RtpPacket): void {
    const counts = this.received.get(ref.sessionId) ?? new Map<TrackType, number>();
    this.received.set(ref.sessionId, counts);
    counts.set(ref.trackType, (counts.get(ref.trackType) ?? 0) + 1);
    const source = this.bus.sources.get(trackKey(ref));
    if (source?.owner !== this) return;
    for (const { sink, counter } of source.sinks.values()) {
      sink(packet);
      counter.packets++;
    }
  }

  /** Forwards a published track (from any SFU) to `sink` under `subscriberId`. False if it is not published. */
  attach(subscriberId: string, ref: TrackRef, sink: RtpSink): boolean {
    const source = this.bus.sources.get(trackKey(ref));
    if (!source) return false;
    const counts = this.forwarded.get(subscriberId) ?? new Map<string, { ref: TrackRef; counter: { packets: number } }>();
    this.forwarded.set(subscriberId, counts);
    const entry = counts.get(trackKey(ref)) ?? { ref: { ...ref }, counter: { packets: 0 } };
    counts.set(trackKey(ref), entry);
    const disturbed = disturbedSink(sink, () => this.disturbed.get(subscriberId));
    const gated: RtpSink = (packet) => {
      if (!this.dropped.has(subscriberId)) disturbed(packet);
    };
    source.sinks.set(this.sinkKey(subscriberId), { sink: gated, counter: entry.counter });
    return true;
  }

  /** Stops forwarding one track to a subscriber of this SFU. */
  detach(subscriberId: string, ref: TrackRef): void {
    this.bus.sources.get(trackKey(ref))?.sinks.delete(this.sinkKey(subscriberId));
  }

  /** Whether `subscriberId` (on this SFU) currently receives the track. */
  isAttached(subscriberId: string, ref: TrackRef): boolean {
    return this.bus.sources.get(trackKey(ref))?.sinks.has(this.sinkKey(subscriberId)) ?? false;
  }

  /** Packets forwarded to a subscriber of this SFU, per source track. */
  forwardedTo(subscriberId: string): { fromSessionId: string; trackType: TrackType; packets: number }[] {
    return [...(this.forwarded.get(subscriberId)?.values() ?? [])].map(({ ref, counter }) => ({
      fromSessionId: ref.sessionId, trackType: ref.trackType, packets: counter.packets,
    }));
  }

  /** Packets this SFU received from a publisher, per track type. */
  receivedFrom(sessionId: string): { trackType: TrackType; packets: number }[] {
    return [...(this.received.get(sessionId)?.entries() ?? [])].map(([trackType, packets]) => ({ trackType, packets }));
  }

  /** Fault: from now on nothing reaches `subscriberId` on this SFU (its sinks stay attached; counters still count). */
  dropTo(subscriberId: string): void {
    this.dropped.add(subscriberId);
  }

  /** The publisher side of a track this table owns says how to get a keyframe out of its source. */
  onKeyframeRequest(ref: TrackRef, handler: (method: KeyframeRequestMethod) => void): void {
    const source = this.bus.sources.get(trackKey(ref));
    if (source?.owner === this) source.keyframeRequested = handler;
  }

  /** A subscriber asked for a keyframe (PLI): passed to the track's publisher, on whichever SFU it is. */
  requestKeyframe(ref: TrackRef, fromSessionId: string): void {
    this.bus.requestKeyframe({ ...ref, method: 'pli', fromSessionId });
  }

  /** Fault: packets to `subscriberId` on this SFU are dropped/reordered on a fixed pattern; `undefined` ends it. */
  disturb(subscriberId: string, disturbance: MediaDisturbance | undefined): void {
    if (disturbance) this.disturbed.set(subscriberId, { ...disturbance });
    else this.disturbed.delete(subscriberId);
  }

  /** Drops everything this SFU has of a session: the tracks it owns, its sinks everywhere, its counters. */
  removeSession(sessionId: string): void {
    const sinkKey = this.sinkKey(sessionId);
    for (const [key, source] of this.bus.sources) {
      if (source.sessionId === sessionId && source.owner === this) this.bus.sources.delete(key);
      else source.sinks.delete(sinkKey);
    }
    this.forwarded.delete(sessionId);
    this.received.delete(sessionId);
    this.dropped.delete(sessionId);
    this.disturbed.delete(sessionId);
  }

  private sinkKey(subscriberId: string): string {
    return `${this.scope}|${subscriberId}`;
  }
}
