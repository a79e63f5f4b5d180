/**
 * An agent built from the wire up for emulator specs: coordinator join over HTTP, the signaling
 * socket, Twirp in JSON, and two werift peer connections. It publishes an Opus tone and counts the
 * RTP it receives per media stream id. Every step is the protocol, nothing in-process.
 */
import { MediaStreamTrack, RTCPeerConnection } from 'werift';
import type { Subscription } from 'rxjs';
import { opusRtpPackets$ } from '../../../lib/media/index.js';
import { rtcConfiguration } from '../../../lib/rtc/config.js';
import { toWeriftRtp } from '../../../lib/rtc/werift-rtp.js';
import { PeerType, WebsocketReconnectStrategy, type JoinRequest, type SfuEvent } from '../../../lib/protocol/index.js';
import type { Emulator } from '../../../lib/emulator/index.js';
import { joinAgent, type Credentials, type JoinedAgent } from './fixture.js';
import { httpPost } from './http.js';
import { RawSfuClient } from './sfu-client.js';

export class WireAgent {
  readonly publisher = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  readonly subscriber = new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true }));
  readonly received = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private media: Subscription | undefined;
  /** The current signaling socket (replaced by a FAST reconnect). */
  client: RawSfuClient;

  private constructor(readonly joined: JoinedAgent) {
    this.publisher.onIceCandidate.subscribe((c) => c?.candidate && void this.trickle(PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED, JSON.stringify(c.toJSON())));
    this.subscriber.onIceCandidate.subscribe((c) => c?.candidate && void this.trickle(PeerType.PEER_TYPE_SUBSCRIBER, JSON.stringify(c.toJSON())));
    this.subscriber.onTrack.subscribe((track) => {
      const streamId = this.subscriber.getTransceivers().find((t) => t.receiver.track === track)?.receiver.remoteStreamId ?? '?';
      track.onReceiveRtp.subscribe(() => this.received.set(streamId, (this.received.get(streamId) ?? 0) + 1));
    });
    this.client = joined.client;
    this.client.onEvent((event) => this.onEvent(event));
  }

  /** Drops the socket without a leave and resumes the session on a new one (FAST); media is left alone. */
  async reconnectFast(): Promise<SfuEvent> {
    await this.client.terminate();
    this.client = await RawSfuClient.connect(this.joined.credentials.server.ws_endpoint);
    this.client.onEvent((event) => this.onEvent(event));
    return this.client.join({
      token: this.joined.credentials.token,
      sessionId: this.sessionId,
      reconnectDetails: { strategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_FAST, reconnectAttempt: 1 },
    });
  }

  /** `credentials` picks the SFU (default: the coordinator's choice); `extra` goes into the JoinRequest (e.g. a MIGRATE). */
  static async join(emu: Emulator, userId: string, callId = 'demo', options: { credentials?: Credentials; extra?: Partial<JoinRequest> } = {}): Promise<WireAgent> {
    return new WireAgent(await joinAgent(emu, userId, callId, options.extra, options.credentials));
  }

  get sessionId(): string {
    return this.joined.sessionId;
  }

  /** Twirp JSON call with the SFU token; throws on a Twirp error or a `models.Error`. */
  async rpc(method: string, body: Record<string, unknown>): Promise<any> {
    const { url } = this.joined.credentials.server;
    const answer = await httpPost(`${url}/stream.video.sfu.signal.SignalServer/${method}`, JSON.stringify({ sessionId: this.sessionId, ...body }), {
      'content-type': 'application/json',
      authorization: `Bearer ${this.joined.credentials.token}`,
    });
    const json = answer.json();
    if (answer.status !== 200 || json.error) throw new Error(`${method} failed: ${answer.status} ${answer.body.toString()}`);
    return json;
  }

  /** Offers sendonly audio through SetPublisher and starts writing Opus RTP. */
  async publishAudio(): Promise<void> {
    const track = new MediaStreamTrack({ kind: 'audio' });
    const transceiver = this.publisher.addTransceiver(track, { direction: 'sendonly' });
    await this.publisher.setLocalDescription(await this.publisher.createOffer());
    const tracks = [{ trackId: track.id, trackType: 'TRACK_TYPE_AUDIO', mid: transceiver.mid ?? '' }];
    const answer = await this.rpc('SetPublisher', { sdp: this.publisher.localDescription!.sdp, tracks });
    await this.publisher.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.media = opusRtpPackets$().subscribe((packet) => track.writeRtp(toWeriftRtp(packet)));
  }

  packetsFrom(trackLookupPrefix: string): number {
    return this.received.get(`${trackLookupPrefix}:TRACK_TYPE_AUDIO`) ?? 0;
  }

  async close(): Promise<void> {
    this.media?.unsubscribe();
    await this.client.terminate();
    await Promise.all([this.publisher.close(), this.subscriber.close()]);
  }

  private onEvent(event: SfuEvent): void {
    if (event.subscriberOffer) {
      const { sdp, negotiationId, iceRestart } = event.subscriberOffer;
      this.enqueue(async () => {
        await this.subscriber.setRemoteDescription({ type: 'offer', sdp: sdp ?? '' });
        await this.subscriber.setLocalDescription(await this.subscriber.createAnswer());
        // WERIFT.md pitfall 4: after an ICE restart a connected werift transport must be started again.
        if (iceRestart && this.subscriber.connectionState === 'connected') this.subscriber.iceTransports.forEach((t) => void t.start().catch(() => undefined));
        await this.rpc('SendAnswer', { peerType: 'PEER_TYPE_SUBSCRIBER', sdp: this.subscriber.localDescription!.sdp, negotiationId });
      });
    } else if (event.iceTrickle) {
      const { peerType, iceCandidate } = event.iceTrickle;
      const pc = peerType === PeerType.PEER_TYPE_SUBSCRIBER ? this.subscriber : this.publisher;
      this.enqueue(() => pc.addIceCandidate(JSON.parse(iceCandidate ?? '{}')));
    }
  }

  private trickle(peerType: PeerType, iceCandidate: string): Promise<void> {
    const body = { peerType: peerType === PeerType.PEER_TYPE_SUBSCRIBER ? 'PEER_TYPE_SUBSCRIBER' : undefined, iceCandidate };
    return this.rpc('IceTrickle', body).then(() => undefined, () => undefined);
  }

  private enqueue(step: () => Promise<unknown>): void {
    this.chain = this.chain.then(step).catch(() => undefined);
  }
}
