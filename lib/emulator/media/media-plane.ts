/**
 * The emulator's media plane: real werift peer connections on the SFU side of each client session
 * (publisher: client offers; subscriber: SFU offers), RTP forwarding between them and simulated
 * participants, and the counters tests read. Implements contract.ts; the control plane calls it.
 * The planes of one emulator share a TrackBus, so what is published on one SFU is forwarded to
 * subscribers on the others (cascading).
 */
import type { PeerConfig, RTCIceCandidateInit } from 'werift';
import type { SchedulerLike } from 'rxjs';
import { PeerType, type TrackInfo, type TrackSubscriptionDetails, type TrackType } from '../../protocol/index.js';
import { rxsfuError } from '../../errors.js';
import type { MediaCallbacks, MediaParticipant, SfuMediaPlane, SimulatedMediaOptions } from './contract.js';
import { silentLogger } from '../../logger.js';
import type { MediaLogger } from './media-logger.js';
import { PublisherConnection } from './publisher-connection.js';
import { RtpRouter, type TrackRef } from './rtp-router.js';
import type { MediaDisturbance } from './contract.js';
import type { Observable } from 'rxjs';
import type { PcmFrame } from '../../media/audio-frame.js';
import type { ReceivedAudio } from './audio-recorder.js';
import { parseCandidateJson } from './sfu-peer.js';
import { SimulatedMediaSource } from './simulated-media-source.js';
import { SubscriberConnection } from './subscriber-connection.js';
import { sameCall, TrackBus } from './track-bus.js';

/** Options of {@link createMediaPlane}. */
export interface MediaPlaneOptions {
  /** How the plane asks the control plane to send `subscriber_offer` and `ice_trickle`. */
  callbacks: MediaCallbacks;
  /** @default silent */
  logger?: MediaLogger;
  /** Extra werift settings merged over `rtcConfiguration({ iceLite: true, loopbackOnly: true })`. @default none */
  rtc?: Partial<PeerConfig>;
  /** Paces simulated participants' media. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * The emulator-wide track bus shared with the other SFUs' planes (cascading): tracks published
   * on any of them reach subscribers on every one. @default a private bus (this SFU only)
   */
  bus?: TrackBus;
}

interface RealSession {
  participant: MediaParticipant;
  publisher: PublisherConnection;
  subscriber: SubscriberConnection;
  subscriptions: TrackSubscriptionDetails[];
}

/** Creates the media plane of one emulated SFU. */
export function createMediaPlane(options: MediaPlaneOptions): SfuMediaPlane {
  return new MediaPlane(options);
}

class MediaPlane implements SfuMediaPlane {
  private readonly router: RtpRouter;
  private readonly bus: TrackBus;
  private readonly stopListening: () => void;
  private readonly sessions = new Map<string, RealSession>();
  private readonly simulated = new Map<string, SimulatedMediaSource>();
  private readonly logger: MediaLogger;
  private closed = false;

  constructor(private readonly options: MediaPlaneOptions) {
    this.logger = options.logger ?? silentLogger;
    this.bus = options.bus ?? new TrackBus();
    this.router = new RtpRouter(this.bus);
    this.stopListening = this.bus.onChange(() => this.refreshAll());
  }

  /** Idempotent for a session id already present (a FAST reconnect keeps its session). */
  addSession(participant: MediaParticipant): void {
    this.assertOpen();
    if (this.sessions.has(participant.sessionId) || this.simulated.has(participant.sessionId)) return;
    const { sessionId } = participant;
    this.bus.register(participant, this);
    const common = {
      router: this.router, rtc: this.options.rtc, logger: this.logger,
      onCandidate: (peerType: PeerType, json: string) => this.options.callbacks.iceCandidate(sessionId, peerType, json),
    };
    this.sessions.set(sessionId, {
      participant,
      subscriptions: [],
      publisher: new PublisherConnection(sessionId, { ...common, onTracksChanged: () => this.tracksChanged() }),
      subscriber: new SubscriberConnection(participant, {
        ...common,
        onOffer: (offer) => this.options.callbacks.subscriberOffer(sessionId, offer),
        trackLookupPrefixOf: (publisherId) => this.bus.participant(publisherId)?.trackLookupPrefix ?? publisherId,
      }),
    });
  }

  async handlePublisherOffer(sessionId: string, sdp: string, tracks: TrackInfo[]): Promise<string> {
    return this.session(sessionId).publisher.handleOffer(sdp, tracks);
  }

  async handleSubscriberAnswer(sessionId: string, sdp: string, negotiationId: number): Promise<void> {
    return this.session(sessionId).subscriber.handleAnswer(sdp, negotiationId);
  }

  async addIceCandidate(sessionId: string, peerType: PeerType, candidateJson: string): Promise<void> {
    const session = this.session(sessionId);
    const candidate: RTCIceCandidateInit = parseCandidateJson(candidateJson);
    return peerType === PeerType.PEER_TYPE_SUBSCRIBER
      ? session.subscriber.addCandidate(candidate)
      : session.publisher.addCandidate(candidate);
  }

  setSubscriptions(sessionId: string, subscriptions: TrackSubscriptionDetails[]): void {
    this.session(sessionId).subscriptions = [...subscriptions];
    this.refreshSubscriber(sessionId);
  }

  /**
   * Subscriber: a new offer with iceRestart. Publisher: nothing to do on the SFU side; the client
   * restarts by sending an ICE-restart offer through SetPublisher.
   */
  async restartIce(sessionId: string, peerType: PeerType): Promise<void> {
    const session = this.session(sessionId);
    if (peerType === PeerType.PEER_TYPE_SUBSCRIBER) return session.subscriber.restartIce();
    this.logger.debug('publisher ICE restart requested: waiting for the client offer', { sessionId });
  }

  publishedTracks(sessionId: string): TrackType[] {
    return this.router.published(sessionId).map((ref) => ref.trackType);
  }

  disturbMediaTo(sessionId: string, disturbance: MediaDisturbance | undefined): void {
    this.router.disturb(sessionId, disturbance);
  }

  dropMediaTo(sessionId: string): void {
    this.router.dropTo(sessionId);
  }

  gateUdp(sessionId: string, blocked: () => boolean): void {
    const session = this.sessions.get(sessionId);
    session?.publisher.gateUdp(blocked);
    session?.subscriber.gateUdp(blocked);
  }

  async removeSession(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    const simulated = this.simulated.get(sessionId);
    this.sessions.delete(sessionId);
    this.simulated.delete(sessionId);
    simulated?.stop();
    if (session) await Promise.all([session.publisher.close(), session.subscriber.close()]);
    this.router.removeSession(sessionId);
    if (session || simulated) this.bus.unregister(sessionId, this);
    if (session || simulated) this.tracksChanged();
  }

  addSimulatedParticipant(participant: MediaParticipant, options: SimulatedMediaOptions): void {
    this.assertOpen();
    if (this.sessions.has(participant.sessionId) || this.simulated.has(participant.sessionId)) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `session ${participant.sessionId} already exists`);
    }
    const simulated = new SimulatedMediaSource(participant, options, this.router, this.options.scheduler);
    this.bus.register(participant, this);
    this.simulated.set(participant.sessionId, simulated);
    simulated.start();
    this.tracksChanged();
  }

  speakSimulated(sessionId: string, pcm$: Observable<PcmFrame>): void {
    const simulated = this.simulated.get(sessionId);
    if (!simulated) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `no simulated participant ${sessionId} on this SFU`);
    simulated.speak(pcm$);
  }

  receivedAudio(sessionId: string): ReceivedAudio[] {
    return this.simulated.get(sessionId)?.receivedAudio() ?? [];
  }

  receivedPackets(sessionId: string): { fromSessionId: string; trackType: TrackType; packets: number }[] {
    return this.router.forwardedTo(sessionId);
  }

  publishedPackets(sessionId: string): { trackType: TrackType; packets: number }[] {
    return this.router.receivedFrom(sessionId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    const ids = [...this.sessions.keys(), ...this.simulated.keys()];
    await Promise.all(ids.map((id) => this.removeSession(id)));
    // the other SFUs drop what this one published
    this.bus.changed();
  }

  private session(sessionId: string): RealSession {
    this.assertOpen();
    const session = this.sessions.get(sessionId);
    if (!session) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `unknown media session ${sessionId}`);
    return session;
  }

  private assertOpen(): void {
    if (this.closed) throw rxsfuError('RXSFU_ERR_LEFT', 'the media plane is closed');
  }

  /** The published set changed here: every subscriber on every SFU of the bus re-evaluates what it forwards. */
  private tracksChanged(): void {
    if (!this.closed) this.bus.changed();
  }

  /**
   * Brings this SFU's subscribers in line with what is published on the bus: simulated participants
   * take every track of their call, clients what they subscribed to.
   */
  private refreshAll(): void {
    if (this.closed) return;
    const published = this.router.published();
    for (const simulated of this.simulated.values()) {
      simulated.subscribeTo(published.filter((ref) => sameCall(simulated.participant, this.bus.participant(ref.sessionId))));
    }
    for (const sessionId of this.sessions.keys()) this.refreshSubscriber(sessionId, published);
  }

  private refreshSubscriber(sessionId: string, published: TrackRef[] = this.router.published()): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const wanted = published.filter((ref) => ref.sessionId !== sessionId && session.subscriptions.some(
      (sub) => sub.sessionId === ref.sessionId && sub.trackType === ref.trackType));
    session.subscriber.setDesired(wanted);
  }
}
