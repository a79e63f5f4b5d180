/**
 * The SFU end of a client's publisher connection: the client offers sendonly audio/video, the SFU
 * answers recvonly. Each m-section maps to a track type through the client's TrackInfo list
 * (`mid` → `trackType`); every RTP packet received on it goes to the forwarding table.
 * An offer with new ICE credentials is the client's ICE restart (WERIFT.md pitfall 4 applied).
 * RTCP receiver reports go to the client from the answer on, whether it sends media or not.
 */
import type { PeerConfig, RTCIceCandidateInit, RTCRtpTransceiver } from 'werift';
import { PeerType, type TrackInfo, type TrackType } from '../../protocol/index.js';
import { rxsfuError } from '../../errors.js';
import type { MediaLogger } from './media-logger.js';
import { OrderedQueue } from './ordered-queue.js';
import type { RtpRouter } from './rtp-router.js';
import { SfuPeer } from './sfu-peer.js';
import { gateUdp } from './udp-gate.js';
import { defaultTrackType } from './track-types.js';
import { sendKeyframeRequest } from './keyframe-feedback.js';

export interface PublisherDeps {
  router: RtpRouter;
  rtc?: Partial<PeerConfig>;
  logger: MediaLogger;
  onCandidate(peerType: PeerType, candidateJson: string): void;
  /** The set of tracks this session publishes changed. */
  onTracksChanged(): void;
}

export class PublisherConnection {
  private peer: SfuPeer | undefined;
  private readonly queue: OrderedQueue;
  private readonly trackTypeByMid = new Map<string, TrackType>();
  private readonly hooked = new Map<string, () => void>();
  /** FIR sequence number (RFC 5104: +1 per new request). */
  private firSequence = 0;
  private announced = new Set<TrackType>();

  constructor(private readonly sessionId: string, private readonly deps: PublisherDeps) {
    this.queue = new OrderedQueue(`publisher ${sessionId}`);
  }

  /** SetPublisher: applies the offer, returns the SFU's answer SDP. */
  async handleOffer(sdp: string, tracks: TrackInfo[]): Promise<string> {
    const answer = await this.queue.run('offer', () => this.applyOffer(sdp, tracks));
    // The answer travels back in the SetPublisher response; trickle after the caller had the
    // chance to send it (the candidates are in the answer SDP too: ICE-lite gathers before answering).
    setImmediate(() => this.peer?.releaseCandidates());
    return answer;
  }

  private async applyOffer(sdp: string, tracks: TrackInfo[]): Promise<string> {
    if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `publisher offer of ${this.sessionId} is not an SDP`);
    }
    const peer = (this.peer ??= this.createPeer());
    for (const track of tracks) if (track.mid && track.trackType) this.trackTypeByMid.set(track.mid, track.trackType);
    const { iceRestarted } = await peer.applyRemote('offer', sdp);
    const answer = await peer.describeLocal(() => peer.pc.createAnswer());
    if (iceRestarted) peer.restartIceTransports();
    this.hookTransceivers();
    this.updateAnnounced();
    return answer;
  }

  addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    return this.queue.run('candidate', () => (this.peer ??= this.createPeer()).addCandidate(candidate));
  }

  /** Track types currently announced by the client's offers. */
  tracks(): TrackType[] {
    return [...this.announced];
  }

  /** Network cut: this connection's UDP is dropped both ways while `blocked()` (udp-gate.ts). */
  gateUdp(blocked: () => boolean): void {
    if (this.peer) gateUdp(this.peer.pc, blocked);
  }

  async close(): Promise<void> {
    this.queue.close();
    for (const stop of this.hooked.values()) stop();
    this.hooked.clear();
    for (const trackType of this.announced) this.deps.router.withdraw({ sessionId: this.sessionId, trackType });
    this.announced.clear();
    await this.peer?.close();
  }

  /** Created by the first offer, or by a candidate that arrives before it (it waits there). */
  private createPeer(): SfuPeer {
    return new SfuPeer(`publisher ${this.sessionId}`, this.deps.rtc, (json) =>
      this.deps.onCandidate(PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED, json), this.deps.logger);
  }

  private trackTypeOf(transceiver: RTCRtpTransceiver): TrackType {
    return this.trackTypeByMid.get(transceiver.mid ?? '') ?? defaultTrackType(transceiver.kind);
  }

  private receiving(): RTCRtpTransceiver[] {
    return (this.peer?.pc.getTransceivers() ?? []).filter(
      (t) => !t.stopped && (t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv'),
    );
  }

  /** Forwards each receiving m-section's track (its main track: simulcast layers are not split). */
  private hookTransceivers(): void {
    for (const transceiver of this.receiving()) {
      if (this.hooked.has(transceiver.id)) continue;
      const stop = transceiver.receiver.track.onReceiveRtp.subscribe((packet) =>
        this.deps.router.publish({ sessionId: this.sessionId, trackType: this.trackTypeOf(transceiver) }, packet)).unSubscribe;
      this.hooked.set(transceiver.id, stop);
      // Like a real SFU, report to the publisher from the start, even while it sends nothing: an
      // empty receiver report every 0.5–1.5 s is how a silent publisher still hears its SFU (the
      // agent's liveness, issue 13). werift would only start them at the first RTP packet; they
      // end with the receiver (stop) and survive a send that fails before DTLS is up.
      transceiver.receiver.runRtcp().catch(() => undefined);
    }
  }

  private updateAnnounced(): void {
    const now = new Set(this.receiving().map((t) => this.trackTypeOf(t)));
    const ref = (trackType: TrackType) => ({ sessionId: this.sessionId, trackType });
    let changed = false;
    for (const trackType of this.announced) if (!now.has(trackType)) changed = this.deps.router.withdraw(ref(trackType)) || changed;
    for (const trackType of now) changed = this.deps.router.announce(ref(trackType)) || changed;
    // A subscriber's PLI on one of these tracks becomes our PLI to the client's publisher (the emulator's own request: PLI or FIR).
    for (const transceiver of this.receiving()) {
      const { receiver } = transceiver;
      this.deps.router.onKeyframeRequest(ref(this.trackTypeOf(transceiver)), (method) => sendKeyframeRequest(receiver, method, this.firSequence++));
    }
    this.announced = now;
    if (changed) this.deps.onTracksChanged();
  }
}
