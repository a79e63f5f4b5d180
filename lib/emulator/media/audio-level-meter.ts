/**
 * The emulator's SFU listening to a call: every published audio track (a simulated participant's
 * tone or speech, an agent's `publishAudio`) is decoded as it passes the track bus, its loudness kept
 * per window, and each window becomes `audio_level_changed` / `dominant_speaker_changed` for the
 * call (speaker-detection.ts decides which). One meter per emulator: the bus spans every SFU, and
 * the registry delivers to a call's participants wherever they are.
 */
import { interval, type SchedulerLike, type Subscription } from 'rxjs';
import type { RtpPacket } from '../../media/rtp-packet.js';
import { TrackType, type SfuEventInit } from '../../protocol/index.js';
import { createOpusDecoder, type OpusDecoder } from '../../media/opus-decode.js';
import { rmsLevel } from '../../media/pcm-signal.js';
import { trackKey, type BusSource, type TrackBus } from './track-bus.js';
import { detectSpeakers, initialSpeakerState, type MeasuredLevel, type SpeakerDetectionOptions, type SpeakerState } from './speaker-detection.js';

/** Options of {@link AudioLevelMeter}. */
export interface AudioLevelMeterOptions extends SpeakerDetectionOptions {
  scheduler: SchedulerLike;
  /** Sends an event to every participant of a call (`type:id`). */
  send(callCid: string, event: SfuEventInit): void;
  /** @default 250 */
  windowMs?: number;
}

interface Meter {
  source: BusSource;
  decoder: OpusDecoder;
  /** Loudest 20 ms frame of the window, 0..1. */
  peak: number;
}

const SINK_KEY = 'emulator-audio-level-meter';

export class AudioLevelMeter {
  private readonly meters = new Map<string, Meter>();
  private readonly calls = new Map<string, SpeakerState>();
  private readonly ticker: Subscription;

  constructor(private readonly bus: TrackBus, private readonly options: AudioLevelMeterOptions) {
    this.ticker = interval(options.windowMs ?? 250, options.scheduler).subscribe(() => this.closeWindow());
  }

  /** Stops measuring and takes its sinks off the bus. */
  stop(): void {
    this.ticker.unsubscribe();
    for (const meter of this.meters.values()) meter.source.sinks.delete(SINK_KEY);
    this.meters.clear();
  }

  private closeWindow(): void {
    this.follow();
    const byCall = new Map<string, MeasuredLevel[]>();
    for (const meter of this.meters.values()) {
      const participant = this.bus.participant(meter.source.sessionId);
      if (!participant) continue;
      const callCid = participant.callCid ?? '';
      byCall.set(callCid, [...(byCall.get(callCid) ?? []), { sessionId: participant.sessionId, userId: participant.userId, level: meter.peak }]);
      meter.peak = 0;
    }
    for (const callCid of this.calls.keys()) if (!byCall.has(callCid)) this.calls.delete(callCid);
    for (const [callCid, levels] of byCall) {
      const update = detectSpeakers(this.calls.get(callCid) ?? initialSpeakerState, levels, this.options);
      this.calls.set(callCid, update.state);
      if (update.audioLevels) this.options.send(callCid, { audioLevelChanged: { audioLevels: update.audioLevels } });
      if (update.dominant) this.options.send(callCid, { dominantSpeakerChanged: update.dominant });
    }
  }

  /** Meters every audio track on the bus (a re-published one anew), forgets those gone. */
  private follow(): void {
    for (const [key, meter] of this.meters) {
      if (this.bus.sources.get(key) !== meter.source) this.meters.delete(key);
    }
    for (const source of this.bus.sources.values()) {
      if (source.trackType !== TrackType.TRACK_TYPE_AUDIO || this.meters.has(trackKey(source))) continue;
      const meter: Meter = { source, decoder: createOpusDecoder(), peak: 0 };
      this.meters.set(trackKey(source), meter);
      source.sinks.set(SINK_KEY, { sink: (packet) => this.measure(meter, packet), counter: { packets: 0 } });
    }
  }

  private measure(meter: Meter, packet: RtpPacket): void {
    try {
      meter.peak = Math.max(meter.peak, rmsLevel(meter.decoder.decode(packet.payload)) / 32768);
    } catch {
      // not Opus (a hostile or broken publisher): it counts as silent
    }
  }
}
