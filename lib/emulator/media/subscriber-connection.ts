/**
 * The SFU end of a client's subscriber connection: the SFU offers one sendonly m-section per
 * forwarded track (media stream id `${publisher's trackLookupPrefix}:${TrackTypeName}`), the client
 * answers.
 * Whenever the forwarded set changes the SFU re-offers with the next negotiation id; a change that
 * comes while an offer is outstanding waits for its answer, then goes out as one new offer.
 * An ICE restart (the client's ICERestart, or the SFU's own after every FAST join) is always an
 * offer with `ice_restart` and new ICE credentials, as Stream's SFU sends it.
 */
import { toWeriftRtp } from '../../rtc/werift-rtp.js';
import { MediaStream, MediaStreamTrack, type PeerConfig, type RTCIceCandidateInit, type RTCRtpTransceiver } from 'werift';
import { PeerType } from '../../protocol/index.js';
import { errorMessage, rxsfuError } from '../../errors.js';
import type { MediaParticipant } from './contract.js';
import type { MediaLogger } from './media-logger.js';
import { OrderedQueue } from './ordered-queue.js';
import { trackKey, type RtpRouter, type TrackRef } from './rtp-router.js';
import { SfuPeer } from './sfu-peer.js';
import { gateUdp } from './udp-gate.js';
import { kindOf, mediaStreamId } from './track-types.js';

export interface SubscriberDeps {
  router: RtpRouter;
  rtc?: Partial<PeerConfig>;
  logger: MediaLogger;
  onCandidate(peerType: PeerType, candidateJson: string): void;
  /** Sends the offer to the client; false when it could not be sent (no socket attached). */
  onOffer(offer: { sdp: string; negotiationId: number; iceRestart: boolean }): boolean | void;
  /** The trackLookupPrefix of the session that publishes a track (names the forwarded stream). */
  trackLookupPrefixOf(sessionId: string): string;
}

interface Forwarded {
  ref: TrackRef;
  transceiver: RTCRtpTransceiver;
  track: MediaStreamTrack;
}

export class SubscriberConnection {
  private peer: SfuPeer | undefined;
  private readonly queue: OrderedQueue;
  private readonly forwarded = new Map<string, Forwarded>();
  private desired: TrackRef[] = [];
  private negotiationId = 0;
  private awaitingAnswer: { negotiationId: number; iceRestart: boolean } | undefined;
  private renegotiate = false;
  private iceRestartWanted = false;
  /** An ICE restart waits for the answer to the offer re-sent before it (see `sync`). */
  private restartOnAnswer = false;
  /** Whether any offer went out to the client (it may then have started ICE checks on it). */
  private offerSent = false;
  /** Set by a network cut: every UDP socket of this connection, present or future, is gated by it. */
  private udpBlocked: (() => boolean) | undefined;

  constructor(private readonly participant: MediaParticipant, private readonly deps: SubscriberDeps) {
    this.queue = new OrderedQueue(`subscriber ${participant.sessionId}`);
  }

  /** The tracks to forward from now on (already limited to published tracks of other sessions). */
  setDesired(refs: TrackRef[]): void {
    this.desired = refs;
    this.scheduleSync();
  }

  /** SendAnswer: applies the client's answer to the offer `negotiationId`. */
  handleAnswer(sdp: string, negotiationId: number): Promise<void> {
    return this.queue.run('answer', async () => {
      const pending = this.awaitingAnswer;
      if (!pending || pending.negotiationId !== negotiationId || !this.peer) {
        throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT',
          `subscriber answer for negotiation ${negotiationId} of ${this.participant.sessionId}, expected ${pending?.negotiationId ?? 'none'}`);
      }
      await this.peer.applyRemote('answer', sdp);
      this.awaitingAnswer = undefined;
      if (pending.iceRestart) this.peer.restartIceTransports();
      if (this.restartOnAnswer) {
        this.restartOnAnswer = false;
        this.iceRestartWanted = true;
      }
      if (this.renegotiate || this.iceRestartWanted) this.scheduleSync();
    });
  }

  /**
   * SFU-side ICE restart: a new offer with `ice_restart` and fresh credentials (nothing to do before
   * the first offer). It replaces an offer still waiting for its answer (whose answer is then
   * refused as stale).
   */
  restartIce(): Promise<void> {
    this.iceRestartWanted = true;
    return this.queue.run('ice restart', () => this.sync());
  }

  /** A client candidate. Before the SFU's first offer there is nothing it could belong to: dropped. */
  addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    return this.queue.run('candidate', async () => {
      if (this.peer) return this.peer.addCandidate(candidate);
      this.deps.logger.debug('subscriber candidate before any offer: dropped', { sessionId: this.participant.sessionId });
    });
  }

  /** The tracks forwarded right now. */
  forwardedTracks(): TrackRef[] {
    return [...this.forwarded.values()].map((f) => f.ref);
  }

  /** Network cut: this connection's UDP is dropped both ways while `blocked()` (udp-gate.ts). */
  gateUdp(blocked: () => boolean): void {
    this.udpBlocked = blocked;
    if (this.peer) gateUdp(this.peer.pc, blocked);
  }

  async close(): Promise<void> {
    this.queue.close();
    for (const { ref, track } of this.forwarded.values()) {
      this.deps.router.detach(this.participant.sessionId, ref);
      track.stop();
    }
    this.forwarded.clear();
    await this.peer?.close();
  }

  private scheduleSync(): void {
    this.queue.run('sync', () => this.sync()).catch((cause: unknown) =>
      this.deps.logger.warn('subscriber renegotiation failed', { sessionId: this.participant.sessionId, cause: errorMessage(cause) }));
  }

  /** Brings the transceivers in line with `desired` and offers if anything changed. */
  private async sync(): Promise<void> {
    // An ICE restart does not wait for an outstanding answer: that offer may be lost with the
    // client's old signaling socket (FAST reconnect), so the restart offer replaces it.
    if (this.awaitingAnswer && !(this.iceRestartWanted && this.peer)) {
      this.renegotiate = true;
      return;
    }
    this.renegotiate = false;
    const reoffer = this.iceRestartWanted && this.peer !== undefined;
    this.iceRestartWanted = false;
    // werift cannot restart the ICE of a transport that never started (no answer applied yet: the
    // client's first SendAnswer or the offer itself was lost). So the unanswered offer goes out
    // again first, as it was, and the ICE restart follows as soon as its answer is applied, unless
    // no offer ever reached the client (nothing of its ICE to restart).
    const iceRestart = reoffer && !!this.peer!.pc.remoteDescription;
    if (reoffer && !iceRestart && this.offerSent) this.restartOnAnswer = true;
    const wanted = new Map(this.desired.map((ref) => [trackKey(ref), ref]));
    const removed = [...this.forwarded.keys()].filter((key) => !wanted.has(key));
    const added = [...wanted.entries()].filter(([key]) => !this.forwarded.has(key));
    if (removed.length === 0 && added.length === 0 && !reoffer) return;
    const peer = (this.peer ??= this.createPeer());
    if (this.awaitingAnswer) {
      // the unanswered offer is abandoned: back to stable before the restart offer
      await peer.pc.setLocalDescription({ type: 'rollback' });
      this.awaitingAnswer = undefined;
    }
    removed.forEach((key) => this.stopForwarding(key));
    added.forEach(([key, ref]) => this.startForwarding(peer, key, ref));
    await this.offer(peer, iceRestart);
  }

  private startForwarding(peer: SfuPeer, key: string, ref: TrackRef): void {
    const track = new MediaStreamTrack({ kind: kindOf(ref.trackType) });
    const stream = new MediaStream({ id: mediaStreamId(this.deps.trackLookupPrefixOf(ref.sessionId), ref.trackType) });
    const transceiver = peer.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    this.deps.router.attach(this.participant.sessionId, ref, (packet) => track.writeRtp(toWeriftRtp(packet)));
    // The SFU passes a subscriber's PLI on to the publisher, as Stream's SFU does.
    transceiver.sender.onPictureLossIndication.subscribe(() => this.deps.router.requestKeyframe(ref, this.participant.sessionId));
    this.forwarded.set(key, { ref, transceiver, track });
  }

  private stopForwarding(key: string): void {
    const entry = this.forwarded.get(key)!;
    this.deps.router.detach(this.participant.sessionId, entry.ref);
    entry.transceiver.stop();
    entry.track.stop();
    this.forwarded.delete(key);
  }

  private async offer(peer: SfuPeer, iceRestart: boolean): Promise<void> {
    const sdp = await peer.describeLocal(() => peer.pc.createOffer({ iceRestart }));
    // A connection made or restarted during a cut has new sockets: the cut holds them too.
    if (this.udpBlocked) gateUdp(peer.pc, this.udpBlocked);
    const negotiationId = ++this.negotiationId;
    this.awaitingAnswer = { negotiationId, iceRestart };
    if (this.deps.onOffer({ sdp, negotiationId, iceRestart }) !== false) this.offerSent = true;
    peer.releaseCandidates();
  }

  private createPeer(): SfuPeer {
    return new SfuPeer(`subscriber ${this.participant.sessionId}`, this.deps.rtc, (json) =>
      this.deps.onCandidate(PeerType.PEER_TYPE_SUBSCRIBER, json), this.deps.logger);
  }
}
