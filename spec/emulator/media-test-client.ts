/**
 * A minimal client for the media-plane specs: plain werift peer connections configured with
 * rtcConfiguration({ loopbackOnly: true }), wired straight to the plane (no control plane). It publishes real Opus RTP
 * and counts what arrives on its subscriber connection per media stream id.
 */
import { MediaStreamTrack, RTCPeerConnection, type RtpPacket } from 'werift';
import { lastValueFrom, filter, Subject, Subscription, take, timeout } from 'rxjs';
import { rtcConfiguration } from '../../lib/rtc/config.js';
import { toWeriftRtp } from '../../lib/rtc/werift-rtp.js';
import { opusRtpPackets$ } from '../../lib/media/opus-rtp.js';
import { vp8RtpPackets$ } from '../../lib/media/vp8.js';
import { PeerType, TrackType, type TrackInfo } from '../../lib/protocol/index.js';
import type { SfuMediaPlane } from '../../lib/emulator/media/index.js';

type Offer = { sdp: string; negotiationId: number; iceRestart: boolean };

export class TestClient {
  readonly publisher = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  readonly subscriber = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  /** RTP received on the subscriber connection, per media stream id. */
  readonly received = new Map<string, RtpPacket[]>();
  readonly packets$ = new Subject<{ streamId: string; packet: RtpPacket }>();
  readonly offers: Offer[] = [];
  /** Set to lose the subscriber's next answers on their way to the SFU (a SendAnswer lost in a cut). */
  loseAnswers = false;
  /** RTCP packet types received on the publisher connection (what the SFU reports to us). */
  readonly publisherRtcp: number[] = [];
  /** Every track announced so far (SetPublisher carries the full list each time). */
  private readonly announced: TrackInfo[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private readonly media = new Subscription();

  constructor(readonly plane: SfuMediaPlane, readonly sessionId: string) {
    this.publisher.onIceCandidate.subscribe((c) => {
      if (c?.candidate) void this.plane.addIceCandidate(sessionId, PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED, JSON.stringify(c.toJSON())).catch(() => undefined);
    });
    this.subscriber.onIceCandidate.subscribe((c) => {
      if (c?.candidate) void this.plane.addIceCandidate(sessionId, PeerType.PEER_TYPE_SUBSCRIBER, JSON.stringify(c.toJSON())).catch(() => undefined);
    });
    this.subscriber.onTrack.subscribe((track) => {
      const transceiver = this.subscriber.getTransceivers().find((t) => t.receiver.track === track);
      const streamId = transceiver?.receiver.remoteStreamId ?? '?';
      track.onReceiveRtp.subscribe((packet) => {
        const list = this.received.get(streamId) ?? [];
        list.push(packet);
        this.received.set(streamId, list);
        this.packets$.next({ streamId, packet });
      });
    });
  }

  /** The plane's subscriberOffer callback lands here: answer in order, like an SDK would. */
  onOffer(offer: Offer): Promise<void> {
    this.offers.push(offer);
    return this.enqueue(async () => {
      await this.subscriber.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      await this.subscriber.setLocalDescription(await this.subscriber.createAnswer());
      if (offer.iceRestart && this.subscriber.connectionState === 'connected') await Promise.all(this.subscriber.iceTransports.map((t) => t.start()));
      if (!this.loseAnswers) await this.plane.handleSubscriberAnswer(this.sessionId, this.subscriber.localDescription!.sdp, offer.negotiationId);
    });
  }

  /** The plane's iceCandidate callback lands here. */
  onCandidate(peerType: PeerType, json: string): Promise<void> {
    const pc = peerType === PeerType.PEER_TYPE_SUBSCRIBER ? this.subscriber : this.publisher;
    // Candidates of a newer ICE generation than the applied description are rejected by werift; the SDP has them anyway.
    return this.enqueue(() => pc.addIceCandidate(JSON.parse(json)).catch(() => undefined));
  }

  /** Publishes a 440 Hz Opus tone over a real publisher connection. */
  publishAudio(): Promise<void> {
    return this.publish([{ kind: 'audio', trackType: TrackType.TRACK_TYPE_AUDIO }]);
  }

  /**
   * Offers one sendonly m-section per entry (announced with its track type in TrackInfo), applies
   * the SFU's answer, then writes Opus (audio) or synthetic VP8 (video) RTP into each (unless `send` is false).
   */
  async publish(entries: { kind: 'audio' | 'video'; trackType: TrackType }[], { send = true } = {}): Promise<void> {
    const added = entries.map((entry) => {
      const track = new MediaStreamTrack({ kind: entry.kind });
      return { ...entry, track, transceiver: this.publisher.addTransceiver(track, { direction: 'sendonly' }) };
    });
    await this.publisher.setLocalDescription(await this.publisher.createOffer());
    const tracks: TrackInfo[] = added.map((a) => ({ trackId: a.track.id, trackType: a.trackType, mid: a.transceiver.mid ?? '' }));
    this.announced.push(...tracks);
    const answer = await this.plane.handlePublisherOffer(this.sessionId, this.publisher.localDescription!.sdp, this.announced);
    await this.publisher.setRemoteDescription({ type: 'answer', sdp: answer });
    for (const transport of this.publisher.dtlsTransports) transport.onRtcp.subscribe((packet) => this.publisherRtcp.push(packet.type));
    if (!send) return;
    for (const { kind, track } of added) {
      const source$ = kind === 'audio' ? opusRtpPackets$() : vp8RtpPackets$();
      this.media.add(source$.subscribe((packet) => track.writeRtp(toWeriftRtp(packet))));
    }
  }

  /** The client restarts ICE on its publisher: new offer with iceRestart through SetPublisher. */
  async restartPublisherIce(): Promise<void> {
    await this.publisher.setLocalDescription(await this.publisher.createOffer({ iceRestart: true }));
    const answer = await this.plane.handlePublisherOffer(this.sessionId, this.publisher.localDescription!.sdp, this.announced);
    await this.publisher.setRemoteDescription({ type: 'answer', sdp: answer });
    await Promise.all(this.publisher.iceTransports.map((t) => t.start()));
  }

  /** Resolves once `count` more packets arrived on the stream id. */
  nextPackets(streamId: string, count: number, ms = 8000): Promise<unknown> {
    return lastValueFrom(this.packets$.pipe(filter((p) => p.streamId === streamId), take(count), timeout(ms)));
  }

  count(streamId: string): number {
    return this.received.get(streamId)?.length ?? 0;
  }

  async close(): Promise<void> {
    this.media.unsubscribe();
    this.packets$.complete();
    await Promise.all([this.publisher.close(), this.subscriber.close()]);
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const result = this.chain.then(step);
    this.chain = result.catch(() => undefined);
    return result;
  }
}
