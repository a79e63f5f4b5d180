/**
 * The publisher connection: we offer sendonly transceivers, send the offer with `SetPublisher`
 * (injected, so lib/call wires it to the Twirp client), and apply the SFU's answer. Every step runs
 * in the connection's ordered signaling queue; local candidates go out only once the offer they
 * belong to was answered.
 */
import { randomUUID } from 'node:crypto';
import { concatMap, defer, map, Observable, tap } from 'rxjs';
import { MediaStream, MediaStreamTrack } from 'werift';
import type { RtpPacket } from '../media/rtp-packet.js';
import { toWeriftRtp } from './werift-rtp.js';
import { rxsfuError } from '../errors.js';
import type { TrackInfo, TrackType } from '../protocol/index.js';
import { afterIceRestart$, expectTransportUp$, hasConnected, iceChecksStarted } from './ice-restart.js';
import { fromPublishOption, type PublishOption } from './publish-options.js';
import { createPeerCore, type PeerCore } from './peer.js';
import type { IceRestartOptions, PeerOptions, PeerStats } from './peer-options.js';
import { keyframeRequests$ } from './keyframe-requests.js';

export interface PublisherOptions extends PeerOptions {
  /** Sends `SetPublisher{sdp, tracks}` (session id added by the caller); one value: the answer. */
  setPublisher: (request: { sdp: string; tracks: TrackInfo[] }) => Observable<{ sdp: string }>;
}

export interface PublishedTrack {
  /** Our id for the track, announced in `TrackInfo.track_id`. */
  readonly trackId: string;
  readonly trackType: TrackType;
  readonly kind: 'audio' | 'video';
  /** The media section id; null until the first `negotiate$()` after `addTrack`. */
  readonly mid: string | null;
  /**
   * Sends one RTP packet. werift rewrites payload type, SSRC and sequence offset to what was
   * negotiated; packets written before the connection is up are dropped.
   */
  writeRtp(packet: RtpPacket): void;
  /** Each RTCP PLI (or FIR) the SFU sends for this track: it wants a keyframe. */
  readonly pictureLoss$: Observable<void>;
}

export interface Publisher {
  /** Local candidates as RTCIceCandidateInit JSON, for `IceTrickle{peer_type: PUBLISHER}`. Completes on close. */
  readonly localCandidate$: Observable<string>;
  /** werift's connectionState, current value first; completes after `closed`. */
  readonly connectionState$: Observable<string>;
  /** werift's ICE connection state; `failed` asks for an ICE restart. */
  readonly iceConnectionState$: Observable<string>;
  /** A value per SRTP/SRTCP packet received (RTP, or the SFU's RTCP reports); completes at close. Liveness (issue 13). */
  readonly mediaHeard$: Observable<void>;
  /** One value when werift finished closing (after `close()`). */
  readonly closed$: Observable<void>;
  /** True once `close()` was called. */
  isClosed(): boolean;
  /** Adds a sendonly transceiver; announce it with `negotiate$()`. */
  addTrack(kind: 'audio' | 'video', trackType: TrackType): PublishedTrack;
  /**
   * Takes back a track the SFU refused: its transceiver is stopped (the next offer rejects its
   * media section) and it leaves `announcedTracks()`. Unknown tracks are ignored.
   */
  removeTrack(track: PublishedTrack): void;
  /** Marks a track muted or not in `announcedTracks()` (`TrackInfo.muted` of the next SetPublisher). */
  setTrackMuted(track: PublishedTrack, muted: boolean): void;
  /** offer → setLocalDescription → setPublisher → setRemoteDescription(answer). Cold, queued, one value. */
  negotiate$(options?: { iceRestart?: boolean }): Observable<void>;
  /** A remote candidate (`ice_trickle` for PUBLISHER); waits for the answer it belongs to. Never throws: one that does not parse is logged and dropped. */
  addRemoteCandidate(json: string): void;
  /** The tracks for `SetPublisher` and `reconnect_details.announced_tracks`, in publish order. */
  announcedTracks(): TrackInfo[];
  /**
   * The SFU's publish options (JoinResponse, then `change_publish_options`): each track announces
   * its option's id and codec, a video track its layer (`publish-options.ts`).
   */
  setPublishOptions(options: readonly PublishOption[]): void;
  /** `change_publish_quality`: a video track whose layers are all off writes nothing until one is on again. */
  setSending(trackType: TrackType, sending: boolean): void;
  /**
   * ICE restart (FAST reconnect): restart offer/answer, werift workaround, then the check: a packet
   * coming back when we wrote one lately, otherwise a packet or the ICE transports connected again
   * (an idle publisher gets no RTCP). Fails with RXSFU_ERR_WEBRTC when the check does not pass, so
   * the caller can escalate. A publisher that never connected has nothing to restart: it gets a
   * plain renegotiation, and the check waits for its first connection.
   */
  restartIce$(options?: IceRestartOptions): Observable<void>;
  /** This peer connection's werift stats as plain objects; cold, one value (a werift failure is RXSFU_ERR_WEBRTC). */
  stats$(): Observable<PeerStats>;
  /** Idempotent and synchronous; never waits on werift. */
  close(): void;
}

interface TrackSlot {
  published: PublishedTrack;
  muted: boolean;
  /** False while the SFU switched every layer of this track off. */
  sending: boolean;
  transceiverMid: () => string | null;
  stop: () => void;
}

/** A sendonly transceiver carrying a new track; `onWrite` is told of every packet written to it. */
function addSendonlyTrack(pc: PeerCore['pc'], kind: 'audio' | 'video', trackType: TrackType, onWrite: () => void): TrackSlot {
  let slot: TrackSlot | undefined;
  const trackId = randomUUID();
  const track = new MediaStreamTrack({ kind, id: trackId });
  const stream = new MediaStream({ id: trackId, tracks: [track] });
  const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  const published: PublishedTrack = {
    trackId,
    trackType,
    kind,
    get mid() {
      return transceiver.mid;
    },
    writeRtp: (packet) => {
      if (slot && !slot.sending) return;
      onWrite();
      track.writeRtp(toWeriftRtp(packet));
    },
    pictureLoss$: keyframeRequests$(transceiver.sender),
  };
  slot = { published, muted: false, sending: true, transceiverMid: () => transceiver.mid, stop: () => transceiver.stop() };
  return slot;
}

/** What `SetPublisher` and `announced_tracks` say of one track. */
function trackInfo({ published, transceiverMid, muted }: TrackSlot, options: readonly PublishOption[]): TrackInfo {
  const option = options.find((o) => o.trackType === published.trackType);
  return { trackId: published.trackId, trackType: published.trackType, mid: transceiverMid() ?? '', muted, ...fromPublishOption(option) };
}

/** The tracks as `SetPublisher` announces them, following the SFU's publish options and quality requests. */
function announcements(slots: readonly TrackSlot[]): Pick<Publisher, 'announcedTracks' | 'setPublishOptions' | 'setSending'> {
  let publishOptions: readonly PublishOption[] = [];
  return {
    announcedTracks: () => slots.map((slot) => trackInfo(slot, publishOptions)),
    setPublishOptions: (options) => {
      publishOptions = [...options];
    },
    setSending: (trackType, sending) => {
      for (const slot of slots) if (slot.published.trackType === trackType) slot.sending = sending;
    },
  };
}

/** The offer/answer exchange itself (offer → SetPublisher with `tracks()` → answer); runs inside the queue. */
function offerAnswer$(core: PeerCore, setPublisher: PublisherOptions['setPublisher'], tracks: () => TrackInfo[], iceRestart: boolean): Observable<void> {
  return defer(() => {
    core.holdLocalCandidates();
    return core.setLocalDescription$('offer', { iceRestart });
  }).pipe(
    tap((sdp) => core.logger.debug?.('publisher: sending offer', { bytes: sdp.length, iceRestart })),
    concatMap((sdp) => setPublisher({ sdp, tracks: tracks() })),
    concatMap((answer) => core.setRemoteDescription$('answer', answer?.sdp)),
    tap(() => core.releaseLocalCandidates()),
    map(() => undefined),
  );
}

export function createPublisher(options: PublisherOptions): Publisher {
  const core = createPeerCore(options, 'publisher');
  const { pc, queue, logger } = core;
  const slots: TrackSlot[] = [];
  /** Scheduler time of the last `writeRtp` on any track: tells the ICE-restart check whether we are sending. */
  let lastWriteAt: number | undefined;

  function addTrack(kind: 'audio' | 'video', trackType: TrackType): PublishedTrack {
    if (core.isClosed()) throw rxsfuError('RXSFU_ERR_WEBRTC', 'addTrack on a closed publisher');
    const slot = addSendonlyTrack(pc, kind, trackType, () => (lastWriteAt = core.scheduler.now()));
    slots.push(slot);
    return slot.published;
  }

  function removeTrack(track: PublishedTrack): void {
    const index = slots.findIndex((slot) => slot.published === track);
    if (index >= 0 && !core.isClosed()) slots[index]!.stop();
    if (index >= 0) slots.splice(index, 1);
  }

  const announced = announcements(slots);

  const exchange$ = (iceRestart: boolean) => offerAnswer$(core, options.setPublisher, announced.announcedTracks, iceRestart);

  function negotiate$(opts: { iceRestart?: boolean } = {}): Observable<void> {
    return queue.run$('publisher negotiation', () => exchange$(opts.iceRestart ?? false).pipe(core.withinNegotiation('publisher negotiation')));
  }

  function restartIce$(opts: IceRestartOptions = {}): Observable<void> {
    // Decided inside the queue: a negotiation queued before this one may connect the publisher.
    let restarted = false;
    const exchanged$ = queue.run$('publisher ice restart', () => {
      // One whose checks started but never connected (the path died during its setup) needs the
      // restart too: a plain renegotiation would wait behind werift's dead checks (issue 13).
      restarted = hasConnected(pc) || iceChecksStarted(pc);
      if (!restarted) logger.debug?.('publisher: never connected, renegotiating without an ICE restart');
      return exchange$(restarted).pipe(core.withinNegotiation('publisher ice restart negotiation'));
    });
    // Nothing was restarted when its ICE never started: wait for werift's own first connection
    // (packets written before it were dropped, so they say nothing).
    return exchanged$.pipe(concatMap(() => restarted
      ? afterIceRestart$(pc, opts, core.scheduler, logger, () => lastWriteAt)
      : expectTransportUp$(pc, opts.mediaTimeoutMs ?? 5000, core.scheduler)));
  }

  return {
    localCandidate$: core.localCandidate$,
    connectionState$: core.connectionState$,
    iceConnectionState$: core.iceConnectionState$,
    mediaHeard$: core.mediaHeard$,
    closed$: core.closed$,
    isClosed: core.isClosed,
    addTrack,
    removeTrack,
    setTrackMuted: (track, muted) => slots.filter((slot) => slot.published === track).forEach((slot) => (slot.muted = muted)),
    negotiate$,
    addRemoteCandidate: core.addRemoteCandidate,
    ...announced,
    restartIce$,
    stats$: core.stats$,
    close: core.close,
  };
}
