/**
 * The tracks the agent publishes, across reconnects: publish (with the rollback of a refused
 * track), republish in publish order on a new publisher (REJOIN, MIGRATE), writing every packet to
 * both publishers while a MIGRATE runs, and stopping at leave.
 *
 * Each track's source is subscribed once and outlives the connections: a reconnect only changes the
 * track's `targets` (the transceivers its packets are written to).
 */
import { ReplaySubject, Subject, Subscription, lastValueFrom, of, defer, finalize, isObservable, takeUntil, type Observable } from 'rxjs';
import { isRtpPacket, type RtpPacket } from '../media/rtp-packet.js';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { describeValue } from '../validate.js';
import { guardTrackSource } from './track-source.js';
import type { TrackType } from '../protocol/index.js';
import type { Publisher, PublishedTrack } from '../rtc/publisher.js';
import type { Logger } from '../logger.js';
import type { SfuConnection } from './sfu-connection.js';

/** A track the agent publishes. Its source keeps feeding it across reconnects. */
export interface LocalTrack {
  readonly trackType: TrackType;
  readonly kind: 'audio' | 'video';
  /** Whether it is muted now. */
  readonly muted: boolean;
  /**
   * Mutes: nothing is sent any more (the source keeps running and what it produces meanwhile is
   * discarded, like a muted microphone) and the SFU is told (`UpdateMuteStates`), so the others see
   * the track unpublished with cause USER_MUTED. Survives reconnects: a new session announces it
   * muted (`TrackInfo.muted`). Resolves once the SFU acknowledged; during a reconnect, once the call
   * is joined again. Rejects with RXSFU_ERR_LEFT after leave, RXSFU_ERR_INVALID_ARGUMENT after `stop()`.
   */
  mute(): Promise<void>;
  /** Undoes `mute()`, the same way. */
  unmute(): Promise<void>;
  /**
   * Unpublishes: the source is unsubscribed, the transceiver stopped and the publisher renegotiated
   * without it, so the SFU and the others learn the track is gone (`track_unpublished`). Idempotent;
   * resolves at once after leave.
   */
  stop(): Promise<void>;
  /**
   * Completes when the track stops sending (`stop()`, leave, or its source completed); errors when
   * its source failed or yielded something unusable (that track ends, nothing else does): with the
   * SDK stage's own code (e.g. `RXSFU_ERR_INVALID_ARGUMENT` for a PCM frame), else `RXSFU_ERR_TRACK_SOURCE`.
   */
  readonly ended$: Observable<never>;
  /**
   * Each time the SFU asks for a keyframe for this track (RTCP PLI from a subscriber, passed on):
   * a video source should make its next frame a keyframe. `publishVideo` wires it for you.
   */
  readonly keyframeRequests$: Observable<void>;
}

interface LocalTrackSpec {
  readonly trackType: TrackType;
  readonly kind: 'audio' | 'video';
  /**
   * Where packets go: the transceiver on the current publisher, and during a MIGRATE also the one
   * on the new SFU's publisher (the old keeps carrying media until the migration completes).
   */
  targets: { publisher: Publisher; track: PublishedTrack }[];
  source: Subscription;
  muted: boolean;
  stopped: boolean;
  /** PLIs from every publisher this track is on (MIGRATE: two). */
  keyframeRequests: Subject<void>;
}

/** What the local tracks need from the call. */
export interface LocalTracksHost {
  /** The connection in use now (undefined before the first join). */
  current(): SfuConnection | undefined;
  /** Whether the call is joined now (no reconnect running). */
  joined(): boolean;
  /** Resolves once no reconnect runs: joined again, or ended. */
  settled(): Promise<unknown>;
  /** Throws the call's failure (or `RXSFU_ERR_LEFT`) once leave began. */
  assertLive(): void;
  /** Emits at leave: negotiations and sources stop. */
  readonly left$: Observable<void>;
  /** The list of local track types changed; `removed` is the type of a track taken back. */
  changed(removed?: TrackType): void;
  readonly logger: Logger;
}

/** Writes one packet to every target (werift copies what it is given before rewriting the header). */
function writeToTargets(spec: LocalTrackSpec, packet: RtpPacket): void {
  if (spec.muted) return;
  spec.targets.forEach(({ track }) => track.writeRtp(packet));
}

export class LocalTracks {
  private readonly specs: LocalTrackSpec[] = [];

  constructor(private readonly host: LocalTracksHost) {}

  /** The published track types, in publish order. */
  types(): TrackType[] {
    return this.specs.map((spec) => spec.trackType);
  }

  /** Publishes a track fed by `source$`; resolves once the SFU accepted the publisher offer. */
  async publish(kind: 'audio' | 'video', trackType: TrackType, source$: Observable<RtpPacket>): Promise<LocalTrack> {
    const host = this.host;
    host.assertLive();
    // Before anything is added or negotiated: a dead track would be announced and re-published on every REJOIN.
    if (!isObservable(source$)) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `publish ${kind}: the source must be an Observable, got ${describeValue(source$)}`);
    // During a reconnect the publisher is being moved: publish on the connection it ends on.
    if (!host.joined()) {
      await host.settled();
      host.assertLive();
    }
    const conn = host.current();
    if (!conn) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'publish before the call is joined');
    const spec: LocalTrackSpec = { kind, trackType, source: new Subscription(), targets: [], muted: false, stopped: false, keyframeRequests: new Subject<void>() };
    const track = conn.publisher.addTrack(kind, trackType);
    this.addTarget(spec, conn.publisher, track);
    this.specs.push(spec);
    try {
      await lastValueFrom(conn.publisher.negotiate$().pipe(takeUntil(host.left$)), { defaultValue: undefined });
    } catch (err) {
      await this.afterFailedPublish(conn, spec, track, err);
    }
    // A leave during the negotiation cut it short: the SFU never accepted this track.
    host.assertLive();
    host.changed();
    return {
      kind, trackType,
      get muted() {
        return spec.muted;
      },
      mute: () => this.setMuted(spec, true),
      unmute: () => this.setMuted(spec, false),
      stop: () => this.stop(spec),
      ended$: this.feed(spec, source$),
      keyframeRequests$: spec.keyframeRequests.asObservable(),
    };
  }

  /** A transceiver the track's packets go to; its PLIs become the track's keyframe requests. */
  private addTarget(spec: LocalTrackSpec, publisher: Publisher, track: PublishedTrack): void {
    spec.targets.push({ publisher, track });
    track.pictureLoss$.pipe(takeUntil(this.host.left$)).subscribe(() => spec.keyframeRequests.next());
  }

  /** Subscribes the guarded source (track-source.ts): a bad value ends this track, typed, never the process. */
  private feed(spec: LocalTrackSpec, source$: Observable<unknown>): Observable<never> {
    const ended = new ReplaySubject<never>(1);
    spec.source = source$.pipe(
      guardTrackSource(`${spec.kind} track`, isRtpPacket, 'an RtpPacket', (packet) => writeToTargets(spec, packet)),
      takeUntil(this.host.left$),
      finalize(() => ended.complete()),
    ).subscribe({
      error: (err: RxsfuError) => {
        this.host.logger.warn('local track source failed', { kind: spec.kind, error: err.message });
        ended.error(err);
      },
    });
    return ended.asObservable();
  }

  /** mute()/unmute(): the state is kept here (for the next SetPublisher), then told to the SFU. */
  private async setMuted(spec: LocalTrackSpec, muted: boolean): Promise<void> {
    this.host.assertLive();
    if (spec.stopped) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `${spec.kind} track stopped: it cannot be ${muted ? 'muted' : 'unmuted'}`);
    spec.muted = muted;
    for (const { publisher, track } of spec.targets) publisher.setTrackMuted(track, muted);
    await this.afterReconnects((conn) => conn.rpc.updateMuteStates$({ sessionId: conn.sessionId, muteStates: [{ trackType: spec.trackType, muted: spec.muted }] }));
  }

  /** stop(): gone from every publisher, then one negotiation without it. */
  private async stop(spec: LocalTrackSpec): Promise<void> {
    if (spec.stopped) return;
    spec.stopped = true;
    spec.source.unsubscribe();
    const index = this.specs.indexOf(spec);
    if (index >= 0) this.specs.splice(index, 1);
    for (const { publisher, track } of spec.targets) publisher.removeTrack(track);
    spec.targets = [];
    try {
      this.host.assertLive();
    } catch {
      return; // leave unpublishes everything anyway
    }
    this.host.changed(spec.trackType);
    await this.afterReconnects((conn) => conn.publisher.negotiate$());
  }

  /**
   * Runs `request$` on the connection the call is joined on. A reconnect that cuts it short (the
   * Twirp client closed) is waited out and the request sent again to the session it ends on: a
   * FAST keeps the SFU session, so it must hear it; a new session hears it anyway (idempotent).
   */
  private async afterReconnects(request$: (conn: SfuConnection) => Observable<unknown>): Promise<void> {
    const host = this.host;
    for (;;) {
      if (!host.joined()) await host.settled();
      try {
        host.assertLive();
      } catch {
        return;
      }
      const conn = host.current();
      if (!conn) return;
      try {
        await lastValueFrom(request$(conn).pipe(takeUntil(host.left$)), { defaultValue: undefined });
        return;
      } catch (err) {
        if (host.joined() && host.current() === conn) throw err;
      }
    }
  }

  /**
   * The publish negotiation failed. If a reconnect cut it short (its `dispose` closed the Twirp
   * client), the track rides on what the reconnect carries over: FAST's ICE restart renegotiates
   * every transceiver, REJOIN/MIGRATE's `republish$` recreates every spec; so wait for it and keep
   * the track. Otherwise the SFU refused it: take it back, or every later negotiation (and every
   * REJOIN) would re-send it, and throw the SFU's error.
   */
  private async afterFailedPublish(conn: SfuConnection, spec: LocalTrackSpec, track: PublishedTrack, err: unknown): Promise<void> {
    const host = this.host;
    host.assertLive();
    if (!host.joined() || host.current() !== conn) {
      await host.settled();
      host.assertLive();
      return;
    }
    this.specs.splice(this.specs.indexOf(spec), 1);
    conn.publisher.removeTrack(track);
    host.changed(spec.trackType);
    throw err;
  }

  /**
   * Re-creates every local track, in publish order, on a new publisher connection (REJOIN,
   * MIGRATE). A closed publisher (REJOIN) is dropped; an open one (MIGRATE) keeps receiving packets
   * until the old connection is retired.
   */
  republish$(conn: SfuConnection): Observable<void> {
    return defer(() => {
      if (this.specs.length === 0) return of(undefined);
      for (const spec of this.specs) {
        const track = conn.publisher.addTrack(spec.kind, spec.trackType);
        conn.publisher.setTrackMuted(track, spec.muted);
        spec.targets = spec.targets.filter((t) => !t.publisher.isClosed());
        this.addTarget(spec, conn.publisher, track);
      }
      return conn.publisher.negotiate$();
    });
  }

  /** Local tracks stop writing to `conn`'s publisher (it is being closed). */
  dropPublisher(conn: SfuConnection): void {
    for (const spec of this.specs) spec.targets = spec.targets.filter((t) => t.publisher !== conn.publisher);
  }

  /** Every source stops (leave). */
  stopAll(): void {
    for (const spec of this.specs) spec.source.unsubscribe();
  }
}
