/**
 * A participant that lives inside the emulator's SFU: it publishes Opus audio (a speech-like tone)
 * and/or real VP8 video (simulated-camera.ts) generated in-process straight into the forwarding table (no peer
 * connection needed), and subscribes to every other track of its call (the plane picks them, on
 * every SFU) so tests can count what reached it.
 */
import { type Observable, type SchedulerLike, Subject, Subscription } from 'rxjs';
import { TrackType } from '../../protocol/index.js';
import { opusRtpPackets$ } from '../../media/opus-rtp.js';
import { simulatedCameraRtp$ } from './simulated-camera.js';
import type { MediaParticipant, SimulatedCamera, SimulatedMediaOptions } from './contract.js';
import type { RtpRouter, TrackRef } from './rtp-router.js';
import { AudioRecorder, type ReceivedAudio } from './audio-recorder.js';
import { encodeOpusRtp } from '../../media/opus-publish.js';
import type { PcmFrame } from '../../media/audio-frame.js';
import { rxsfuError } from '../../errors.js';
import { continuousRtp } from './continuous-rtp.js';

/** One 20 ms Opus frame in RTP timestamp units (48 kHz clock). */
const OPUS_FRAME_TICKS = 960;

export class SimulatedMediaSource {
  private readonly sources = new Subscription();
  private voice = new Subscription();
  /** The audio track's one RTP stream across sources (tone, then each `speak()`). */
  private readonly voiceStream = continuousRtp();
  private readonly recorder: AudioRecorder;
  private readonly tracks: TrackType[];
  private readonly tone: SimulatedMediaOptions['tone'];
  private readonly camera: SimulatedCamera;

  constructor(
    readonly participant: MediaParticipant,
    options: SimulatedMediaOptions,
    private readonly router: RtpRouter,
    private readonly scheduler?: SchedulerLike,
  ) {
    this.tone = options.tone;
    this.camera = typeof options.video === 'object' ? options.video : {};
    this.recorder = new AudioRecorder(120, scheduler);
    this.tracks = [
      ...(options.audio ? [TrackType.TRACK_TYPE_AUDIO] : []),
      ...(options.video ? [TrackType.TRACK_TYPE_VIDEO] : []),
    ];
  }

  /** Announces its tracks and starts generating RTP. */
  start(): void {
    const { sessionId } = this.participant;
    for (const trackType of this.tracks) this.router.announce({ sessionId, trackType });
    if (this.tracks.includes(TrackType.TRACK_TYPE_AUDIO)) {
      const ref = { sessionId, trackType: TrackType.TRACK_TYPE_AUDIO };
      this.voice = opusRtpPackets$({ speechLike: this.tone?.speechLike ?? true, frequencyHz: this.tone?.frequencyHz, scheduler: this.scheduler }).subscribe((p) => this.router.publish(ref, this.voiceStream(p)));
    }
    if (this.tracks.includes(TrackType.TRACK_TYPE_VIDEO)) {
      const ref = { sessionId, trackType: TrackType.TRACK_TYPE_VIDEO };
      // Real VP8 keyframes of its picture, and one at once when a subscriber (PLI) or the emulator (PLI/FIR) asks.
      const keyframeRequests = new Subject<void>();
      this.router.onKeyframeRequest(ref, () => keyframeRequests.next());
      this.sources.add(simulatedCameraRtp$(this.participant.userId, this.camera, keyframeRequests, this.scheduler)
        .subscribe({ next: (p) => this.router.publish(ref, p), error: () => undefined }));
    }
  }

  /**
   * From now on its audio track carries `pcm$` (encoded and paced like an agent's `publishAudio`,
   * silence when it runs dry) instead of its tone.
   */
  speak(pcm$: Observable<PcmFrame>): void {
    if (!this.tracks.includes(TrackType.TRACK_TYPE_AUDIO)) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'speak: this simulated participant publishes no audio');
    const ref = { sessionId: this.participant.sessionId, trackType: TrackType.TRACK_TYPE_AUDIO };
    this.voice.unsubscribe();
    this.voiceStream.newSource(OPUS_FRAME_TICKS);
    this.voice = pcm$.pipe(encodeOpusRtp({ scheduler: this.scheduler })).subscribe({ next: (p) => this.router.publish(ref, this.voiceStream(p)), error: () => undefined });
  }

  /** Subscribes to every published track of other sessions not yet attached: audio is decoded and recorded, the rest counted. */
  subscribeTo(published: TrackRef[]): void {
    for (const ref of published) {
      if (ref.sessionId === this.participant.sessionId || this.router.isAttached(this.participant.sessionId, ref)) continue;
      const sink = ref.trackType === TrackType.TRACK_TYPE_AUDIO
        ? this.recorder.sink(ref.sessionId, this.router.bus.participant(ref.sessionId)?.userId ?? ref.sessionId)
        : () => undefined;
      this.router.attach(this.participant.sessionId, ref, sink);
    }
  }

  /** Decoded audio received so far, per sender. */
  receivedAudio(): ReceivedAudio[] {
    return this.recorder.received();
  }

  stop(): void {
    this.voice.unsubscribe();
    this.recorder.stop();
    this.sources.unsubscribe();
    this.router.removeSession(this.participant.sessionId);
  }
}
