/**
 * Remote tracks as the user sees them: one `CallRemoteTrack` per (participant session, track type),
 * stable across reconnects. A reconnect that keeps the subscriber connection (FAST) keeps feeding
 * the same `rtp$`; one that replaces it (REJOIN, MIGRATE) feeds the same `rtp$` from the new
 * connection's track, and says so on `replaced$`. The track ends when its participant leaves or
 * unpublishes it, or when the call is left.
 */
import { Subject, asyncScheduler, throwError, type Observable, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from '../media/rtp-packet.js';
import { rxsfuError } from '../errors.js';
import type { AudioFrame, AudioOptions } from '../media/audio-frame.js';
import { remoteAudio$ } from '../media/remote-audio.js';
import { remoteVideo$ } from '../media/remote-video.js';
import type { VideoFrame } from '../media/vp8-depacketizer.js';
import type { TrackType } from '../protocol/index.js';
import type { CallParticipant, ParticipantMap } from './participants.js';

/** One remote track, per participant session and track type, stable across reconnects. */
export interface CallRemoteTrack {
  /** `${sessionId}:${trackType}`. */
  readonly id: string;
  /** Its owner as the call knows it now (kept current on every participants update). */
  readonly participant: CallParticipant;
  readonly trackType: TrackType;
  readonly kind: 'audio' | 'video';
  /** RTP packets as they arrive, across reconnects; completes when the track ends. */
  readonly rtp$: Observable<RtpPacket>;
  /** Emits each time a reconnect moved this track onto a new peer connection. */
  readonly replaced$: Observable<{ reason: string }>;
  /**
   * The voice as PCM frames (audio tracks): jitter-buffered, Opus-decoded natively at the asked
   * rate, losses concealed, on a clock that never skips, across reconnects (see {@link AudioOptions}).
   * Cold: one jitter buffer and decoder per subscription, nothing decoded while nobody listens.
   * Completes with the track. On a video track: error RXSFU_ERR_INVALID_ARGUMENT.
   */
  audio$(options?: AudioOptions): Observable<AudioFrame<CallParticipant>>;
  /**
   * Encoded VP8 frames reassembled from RTP (video tracks): keyframe flag, width/height on
   * keyframes, RTP timestamp, `gapBefore` after a loss. Asks for a keyframe by itself when it starts,
   * after every reconnect that moved the track, and after a loss. Cold. On an audio track: error
   * RXSFU_ERR_INVALID_ARGUMENT.
   */
  readonly frames$: Observable<VideoFrame>;
  /** Asks the sender for a keyframe now (RTCP PLI through the SFU). */
  requestKeyframe(): void;
}

/** What the subscriber connection reports for each incoming track. */
export interface IncomingTrack {
  trackLookupPrefix: string;
  trackType: TrackType;
  kind: 'audio' | 'video';
  rtp$: Observable<RtpPacket>;
  /** RTCP PLI on the peer connection this track arrives on. */
  requestKeyframe?(): void;
}

interface Entry {
  track: CallRemoteTrack;
  /** Kept current by `prune`, which sees every participants update. */
  participant: CallParticipant;
  rtp: Subject<RtpPacket>;
  replaced: Subject<{ reason: string }>;
  /** Which peer connection generation feeds it now. */
  generation: number;
  /** PLI on the peer connection that feeds it now. */
  requestKeyframe: () => void;
}

export class RemoteTrackRegistry {
  /** @param scheduler times the jitter buffers and gap measurement of `audio$` */
  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  private readonly entries = new Map<string, Entry>();
  private readonly added = new Subject<CallRemoteTrack>();
  /** New tracks, once each. */
  readonly added$: Observable<CallRemoteTrack> = this.added.asObservable();

  /** All live tracks now. */
  current(): CallRemoteTrack[] {
    return [...this.entries.values()].map((e) => e.track);
  }

  /**
   * Binds an incoming track to its participant. Returns the packet sink to subscribe `rtp$` into,
   * or undefined when no participant owns the prefix (a late track of someone who left).
   */
  attach(incoming: IncomingTrack, participants: ParticipantMap, generation: number): Subject<RtpPacket> | undefined {
    const participant = [...participants.values()].find((p) => p.trackLookupPrefix === incoming.trackLookupPrefix);
    if (!participant) return undefined;
    const id = `${participant.sessionId}:${incoming.trackType}`;
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.generation !== generation) {
        existing.generation = generation;
        existing.requestKeyframe = () => incoming.requestKeyframe?.();
        existing.replaced.next({ reason: 'peer connection replaced by a reconnect' });
      }
      return existing.rtp;
    }
    const rtp = new Subject<RtpPacket>();
    const replaced = new Subject<{ reason: string }>();
    const entry: Entry = {
      track: undefined as unknown as CallRemoteTrack, participant, rtp, replaced, generation, requestKeyframe: () => incoming.requestKeyframe?.(),
    };
    entry.track = {
      id, trackType: incoming.trackType, kind: incoming.kind,
      // The owner as the call knows it now (name, speaking, quality…), not as it was at first packet.
      get participant() { return entry.participant; },
      rtp$: rtp.asObservable(), replaced$: replaced.asObservable(),
      audio$: (options?: AudioOptions) => incoming.kind === 'audio'
        ? remoteAudio$(rtp.asObservable(), () => entry.participant, options, this.scheduler)
        : throwError(() => rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `audio$ on a ${incoming.kind} track (${id})`)),
      frames$: incoming.kind === 'video'
        ? remoteVideo$(rtp.asObservable(), () => entry.requestKeyframe(), {}, this.scheduler)
        : throwError(() => rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `frames$ on a ${incoming.kind} track (${id})`)),
      requestKeyframe: () => entry.requestKeyframe(),
    };
    const track = entry.track;
    this.entries.set(id, entry);
    this.added.next(track);
    return rtp;
  }

  /** Ends tracks whose participant left or no longer publishes them, or (given `wanted` ids) that we no longer subscribe to. */
  prune(participants: ParticipantMap, wanted?: ReadonlySet<string>): void {
    for (const [id, entry] of this.entries) {
      const p = participants.get(entry.participant.sessionId);
      if (p) entry.participant = p;
      const gone = !p || !p.publishedTracks.includes(entry.track.trackType);
      // An unsubscribed track ends too; subscribing again announces a new one.
      if (gone || (wanted !== undefined && !wanted.has(id))) this.end(id, entry);
    }
  }

  /** Ends everything (leave). */
  close(): void {
    for (const [id, entry] of this.entries) this.end(id, entry);
    this.added.complete();
  }

  private end(id: string, entry: Entry): void {
    this.entries.delete(id);
    entry.rtp.complete();
    entry.replaced.complete();
  }
}
