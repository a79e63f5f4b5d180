/**
 * A participant that lives inside the emulator's SFU: it publishes Opus audio (a speech-like tone)
 * and/or synthetic VP8 video generated in-process straight into the forwarding table (no peer
 * connection needed), and subscribes to every other track of its call (the plane picks them, on
 * every SFU) so tests can count what reached it.
 */
import { type SchedulerLike, Subscription } from 'rxjs';
import { TrackType } from '../../protocol/index.js';
import { opusRtpPackets$ } from '../../media/opus-rtp.js';
import { vp8RtpPackets$ } from '../../media/vp8.js';
import type { MediaParticipant, SimulatedMediaOptions } from './contract.js';
import type { RtpRouter, TrackRef } from './rtp-router.js';

export class SimulatedMediaSource {
  private readonly sources = new Subscription();
  private readonly tracks: TrackType[];

  constructor(
    readonly participant: MediaParticipant,
    options: SimulatedMediaOptions,
    private readonly router: RtpRouter,
    private readonly scheduler?: SchedulerLike,
  ) {
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
      this.sources.add(opusRtpPackets$({ speechLike: true, scheduler: this.scheduler }).subscribe((p) => this.router.publish(ref, p)));
    }
    if (this.tracks.includes(TrackType.TRACK_TYPE_VIDEO)) {
      const ref = { sessionId, trackType: TrackType.TRACK_TYPE_VIDEO };
      this.sources.add(vp8RtpPackets$({ scheduler: this.scheduler }).subscribe((p) => this.router.publish(ref, p)));
    }
  }

  /** Subscribes (counting only) to every published track of other sessions not yet attached. */
  subscribeTo(published: TrackRef[]): void {
    for (const ref of published) {
      if (ref.sessionId === this.participant.sessionId || this.router.isAttached(this.participant.sessionId, ref)) continue;
      this.router.attach(this.participant.sessionId, ref, () => undefined);
    }
  }

  stop(): void {
    this.sources.unsubscribe();
    this.router.removeSession(this.participant.sessionId);
  }
}
