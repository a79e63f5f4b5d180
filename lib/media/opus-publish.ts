/**
 * PCM → Opus RTP for a published track: the agent's frames (any size, any Opus-native rate, mono or
 * stereo) are cut into 20 ms, queued, and sent one per tick of a 20 ms clock, encoded by libopus at
 * their own rate (8/12/16/24/48 kHz are all native to the encoder; `publishAudio` resamples other
 * rates before this operator, `resample.ts`). When the queue is empty the clock sends encoded
 * silence, so an idle track stays alive for the SFU (no RTP inactivity, no frozen jitter buffers at
 * the listeners). The clock is `frameClock$`: a late tick catches up instead of slipping.
 */
import { Encoder } from '@evan/opus';
import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';
import { rxsfuError } from '../errors.js';
import { assertOpusRate, assertPcmChannels, type OpusSampleRate, type PcmFrame } from './audio-frame.js';
import { createRtpSequencer } from './rtp-packetizer.js';
import { frameClock$ } from './frame-clock.js';

/** Options of {@link encodeOpusRtp}. */
export interface OpusPublishOptions {
  scheduler?: SchedulerLike;
  /** Most audio queued ahead of the clock, in ms; past it the stream fails with RXSFU_ERR_AUDIO_OVERFLOW. @default 120000 */
  maxQueueMs?: number;
  /** @default 111 (werift rewrites it to the negotiated one) */
  payloadType?: number;
  /** Emitting drops everything queued (barge-in without `pace()`). */
  flush$?: Observable<unknown>;
}

const FRAME_MS = 20;
/** The clock catches up at most this far after a stall (event loop blocked); further behind, it resyncs. */
const MAX_CATCH_UP_MS = 200;

interface Block { samples: Int16Array; sampleRate: OpusSampleRate; channels: 1 | 2 }

/** Cuts PCM into 20 ms blocks per (rate, channels); a format change pads and closes the partial block. */
class Framer {
  private partial: Block | undefined;
  private filled = 0;

  push(frame: PcmFrame, out: (block: Block) => void): void {
    assertOpusRate(frame.sampleRate);
    assertPcmChannels(frame);
    if (this.partial && (this.partial.sampleRate !== frame.sampleRate || this.partial.channels !== frame.channels)) this.close(out);
    let offset = 0;
    while (offset < frame.samples.length) {
      this.partial ??= { samples: new Int16Array(((frame.sampleRate * FRAME_MS) / 1000) * frame.channels), sampleRate: frame.sampleRate, channels: frame.channels };
      const take = Math.min(this.partial.samples.length - this.filled, frame.samples.length - offset);
      this.partial.samples.set(frame.samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.partial.samples.length) this.close(out);
    }
  }

  /** Sends the partial block, padded with silence. */
  close(out: (block: Block) => void): void {
    if (this.partial && this.filled > 0) out(this.partial);
    this.partial = undefined;
    this.filled = 0;
  }
}

/** One libopus encoder per format in use (the encoder's state carries over between frames). */
class Encoders {
  private readonly byFormat = new Map<string, Encoder>();
  private last: Block = { samples: new Int16Array(960), sampleRate: 48000, channels: 1 };

  encode(block: Block | undefined): Uint8Array {
    const input = block ?? { ...this.last, samples: new Int16Array(this.last.samples.length) };
    this.last = input;
    const key = `${input.sampleRate}/${input.channels}`;
    let encoder = this.byFormat.get(key);
    if (!encoder) {
      encoder = new Encoder({ channels: input.channels, sample_rate: input.sampleRate, application: 'voip' });
      this.byFormat.set(key, encoder);
    }
    return encoder.encode(input.samples);
  }
}

/**
 * Operator: PCM frames → Opus RTP packets on a 20 ms clock, silence when idle. Never completes by
 * itself (the track lives until stopped); the source completing only means silence from then on.
 *
 * ```
 * pcm:    (ab)----------c--      a, b: 20 ms frames at once; c later
 * rtp:    A-B-s-s-s-s-s-C-s-     one packet per 20 ms tick: A, B, C encoded audio, s silence
 * ```
 */
export function encodeOpusRtp(options: OpusPublishOptions = {}): OperatorFunction<PcmFrame, RtpPacket> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxQueueMs = options.maxQueueMs ?? 120_000;
  return (source$) =>
    new Observable<RtpPacket>((subscriber) => {
      const framer = new Framer();
      const encoders = new Encoders();
      const sequencer = createRtpSequencer({ payloadType: options.payloadType ?? 111, timestampStep: 960 });
      const queue: Block[] = [];
      const flush = options.flush$?.subscribe(() => (queue.length = 0));
      const subscription = source$.subscribe({
        next: (frame) => {
          try {
            framer.push(frame, (block) => queue.push(block));
          } catch (err) {
            subscriber.error(err);
            return;
          }
          if (queue.length * FRAME_MS > maxQueueMs) {
            subscriber.error(rxsfuError('RXSFU_ERR_AUDIO_OVERFLOW', `publishAudio: more than ${maxQueueMs} ms of audio queued; pace the source (pace()) or raise maxQueueMs`));
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => framer.close((block) => queue.push(block)),
      });
      // After the source's synchronous frames are queued: the first tick is at once.
      const clock = frameClock$(FRAME_MS, { scheduler, maxCatchUpMs: MAX_CATCH_UP_MS }).subscribe(() => {
        for (const packet of sequencer.next([encoders.encode(queue.shift())])) subscriber.next(packet);
      });
      return () => {
        clock.unsubscribe();
        flush?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
