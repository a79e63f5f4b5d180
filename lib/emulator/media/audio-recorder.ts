/**
 * What a simulated participant hears: every audio track it receives, decoded to 48 kHz mono PCM by
 * the SDK's own receive path (jitter buffer, libopus, concealment), one recording per sender, so a
 * test can assert what an agent said. Each recording keeps its most recent `maxSeconds`.
 */
import { Subject, type SchedulerLike, type Subscription } from 'rxjs';
import type { RtpPacket } from '../../media/rtp-packet.js';
import { remoteAudio$ } from '../../media/remote-audio.js';

/** Decoded audio received from one sender. */
export interface ReceivedAudio {
  fromSessionId: string;
  fromUserId: string;
  sampleRate: 48000;
  /** Mono PCM on the receive clock: gaps and losses are in it as concealment or silence. */
  samples: Int16Array;
  /** RTP packets received from this sender. */
  packets: number;
  /** Media time the packets span by their RTP timestamps (last − first + one 20 ms frame), in ms. */
  rtpSpanMs: number;
}

const SAMPLE_RATE = 48000;

class Recording {
  readonly rtp = new Subject<RtpPacket>();
  private chunks: Int16Array[] = [];
  private length = 0;
  private packets = 0;
  private firstTs: number | undefined;
  /** RTP timestamp ticks from the first packet to the latest, unwrapped. */
  private spanTicks = 0;
  private lastTs = 0;
  readonly subscription: Subscription;

  constructor(readonly fromSessionId: string, readonly fromUserId: string, private readonly maxSamples: number, scheduler?: SchedulerLike) {
    this.subscription = remoteAudio$(this.rtp, () => fromUserId, { sampleRate: SAMPLE_RATE }, scheduler).subscribe((frame) => this.append(frame.samples));
  }

  private append(samples: Int16Array): void {
    this.chunks.push(samples);
    this.length += samples.length;
    while (this.length - this.chunks[0]!.length >= this.maxSamples) this.length -= this.chunks.shift()!.length;
  }

  count(packet: RtpPacket): void {
    const ts = packet.header.timestamp;
    this.packets++;
    if (this.firstTs === undefined) {
      this.firstTs = ts;
      this.lastTs = ts;
    } else if (((ts - this.lastTs) | 0) > 0) {
      // Only forward steps count: a reordered packet is inside the span already.
      this.spanTicks += (ts - this.lastTs) | 0;
      this.lastTs = ts;
    }
    this.rtp.next(packet);
  }

  snapshot(): ReceivedAudio {
    const samples = new Int16Array(this.length);
    this.chunks.reduce((offset, chunk) => (samples.set(chunk, offset), offset + chunk.length), 0);
    const rtpSpanMs = this.packets > 0 ? this.spanTicks / 48 + 20 : 0;
    return { fromSessionId: this.fromSessionId, fromUserId: this.fromUserId, sampleRate: SAMPLE_RATE, samples, packets: this.packets, rtpSpanMs };
  }
}

/** The recordings of one simulated participant, one per sender session. */
export class AudioRecorder {
  private readonly recordings = new Map<string, Recording>();

  constructor(private readonly maxSeconds = 120, private readonly scheduler?: SchedulerLike) {}

  /** The sink for a sender's packets (one recording per sender session). */
  sink(fromSessionId: string, fromUserId: string): (packet: RtpPacket) => void {
    let recording = this.recordings.get(fromSessionId);
    if (!recording) {
      recording = new Recording(fromSessionId, fromUserId, this.maxSeconds * SAMPLE_RATE, this.scheduler);
      this.recordings.set(fromSessionId, recording);
    }
    const target = recording;
    return (packet) => target.count(packet);
  }

  received(): ReceivedAudio[] {
    return [...this.recordings.values()].map((r) => r.snapshot());
  }

  stop(): void {
    for (const r of this.recordings.values()) r.subscription.unsubscribe();
  }
}
