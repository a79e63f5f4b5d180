/**
 * The seam between the emulator's SFU sessions (signaling, Twirp, faults) and its media plane
 * (werift peer connections, RTP forwarding, simulated participants). The session layer calls these;
 * the media layer calls back through MediaCallbacks. Promise-based on purpose: the emulator is an
 * I/O edge, not the SDK's Rx core.
 *
 * Track naming on the wire (same as Stream's SFU): every track the SFU sends on a subscriber
 * connection carries the media stream id `${trackLookupPrefix}:${TrackTypeName}`, e.g.
 * `a1b2c3:TRACK_TYPE_AUDIO`, so a client maps it to a participant and a track type.
 */
import type { Observable } from 'rxjs';
import type { PcmFrame } from '../../media/audio-frame.js';
import type { ReceivedAudio } from './audio-recorder.js';
import type { TrackInfo, TrackSubscriptionDetails, TrackType, PeerType } from '../../protocol/index.js';
import type { SimulatedCamera } from './simulated-camera.js';

/** What `faults.session(id).disturbMedia()` does to the packets it forwards to that session. */
export interface MediaDisturbance {
  /** Drops every n-th packet of each track (n ≥ 2). */
  dropEvery?: number;
  /** Holds every n-th packet of each track and sends it after the next one (n ≥ 2). */
  reorderEvery?: number;
}

/** How the media plane asks the session layer to signal. */
export interface MediaCallbacks {
  /**
   * The SFU wants to (re)negotiate a session's subscriber connection: send `subscriber_offer`.
   * Returns false when it could not be sent (no socket attached: kept for a FAST resume).
   */
  subscriberOffer(sessionId: string, offer: { sdp: string; negotiationId: number; iceRestart: boolean }): boolean | void;
  /** A local ICE candidate of the SFU side, as RTCIceCandidateInit JSON: send `ice_trickle`. */
  iceCandidate(sessionId: string, peerType: PeerType, candidateJson: string): void;
}

/** Who a track belongs to, as the media plane needs to know it. */
export interface MediaParticipant {
  sessionId: string;
  userId: string;
  trackLookupPrefix: string;
  /**
   * The call (`type:id`). Simulated participants only take tracks of their own call; when either
   * side leaves it out (a plane used on its own) they take every track. @default unknown
   */
  callCid?: string;
}

/** What a simulated participant publishes: an Opus tone and/or a camera (real VP8 keyframes). */
export interface SimulatedMediaOptions {
  audio?: boolean;
  /** `true`: the default camera (see simulated-camera.ts). */
  video?: boolean | SimulatedCamera;
  /** The tone it speaks. @default 440 Hz, speech-like (syllables and pauses) */
  tone?: SimulatedTone;
}

/** The tone a simulated participant speaks. */
export interface SimulatedTone {
  /** @default 440 */
  frequencyHz?: number;
  /** Syllables and pauses; false = a steady tone. @default true */
  speechLike?: boolean;
}

export type { SimulatedCamera };

/** One SFU's media: werift peer connections of its client sessions, RTP forwarding, simulated participants. */
export interface SfuMediaPlane {
  /** Creates the (empty) peer-connection slots of a real client session. */
  addSession(participant: MediaParticipant): void;
  /** Publisher connection: the client offers, the SFU answers (ICE-lite). `tracks` map mids to track types. */
  handlePublisherOffer(sessionId: string, sdp: string, tracks: TrackInfo[]): Promise<string>;
  /** Subscriber connection: the client's answer to the offer with `negotiationId`. */
  handleSubscriberAnswer(sessionId: string, sdp: string, negotiationId: number): Promise<void>;
  /** A trickled client candidate (RTCIceCandidateInit JSON). Queued until the description is applied. */
  addIceCandidate(sessionId: string, peerType: PeerType, candidateJson: string): Promise<void>;
  /** The full set of tracks this session wants (replaces the previous set); renegotiates when it changes. */
  setSubscriptions(sessionId: string, subscriptions: TrackSubscriptionDetails[]): void;
  /** Client-requested ICE restart (Twirp IceRestart) or SFU-driven restart of the subscriber. */
  restartIce(sessionId: string, peerType: PeerType): Promise<void>;
  /** Tracks a session currently publishes (those with RTP flowing or announced). */
  publishedTracks(sessionId: string): TrackType[];
  /** Fault: silently stops forwarding RTP to a session; its peer connections and signaling stay up. */
  dropMediaTo?(sessionId: string): void;
  /** Network cut: the session's peer connections drop every datagram both ways while `blocked()`. */
  gateUdp?(sessionId: string, blocked: () => boolean): void;
  /** Fault: drops/reorders RTP to a session on a fixed pattern; `undefined` ends it. */
  disturbMediaTo?(sessionId: string, disturbance: MediaDisturbance | undefined): void;
  /** Closes a session's peer connections and stops forwarding to and from it. */
  removeSession(sessionId: string): Promise<void>;

  /** A simulated participant: publishes Opus audio / VP8 video generated in-process. */
  addSimulatedParticipant(participant: MediaParticipant, options: SimulatedMediaOptions): void;
  /** A simulated participant's audio track carries `pcm$` from now on (instead of its tone). */
  speakSimulated(sessionId: string, pcm$: Observable<PcmFrame>): void;
  /** Audio a simulated participant received, decoded, per sender. */
  receivedAudio(sessionId: string): ReceivedAudio[];
  /** RTP packets that reached `sessionId` (a simulated participant) from each publisher track it subscribes to. */
  receivedPackets(sessionId: string): { fromSessionId: string; trackType: TrackType; packets: number }[];
  /** RTP packets the SFU received from a real client session, per track type. */
  publishedPackets(sessionId: string): { trackType: TrackType; packets: number }[];

  close(): Promise<void>;
}
