/**
 * PCM audio as the SDK hands it out and takes it in: 16-bit samples (interleaved when stereo). It
 * hands out only libopus's native rates (decoded natively, no resampler); it takes any common rate
 * (`publishAudio` resamples the others, `resample.ts`).
 */
import { rxsfuError } from '../errors.js';

/** The rates libopus decodes to and encodes from natively. */
export const OPUS_SAMPLE_RATES = [8000, 12000, 16000, 24000, 48000] as const;
export type OpusSampleRate = (typeof OPUS_SAMPLE_RATES)[number];

/** PCM the agent produces (`publishAudio`, `pace`): samples interleaved when stereo. */
export interface PcmFrame {
  readonly samples: Int16Array;
  readonly sampleRate: number;
  readonly channels: 1 | 2;
}

/** One frame of a remote participant's voice, on the track's continuous clock. */
export interface AudioFrame<P = unknown> extends PcmFrame {
  readonly sampleRate: OpusSampleRate;
  /**
   * Media time of the first sample, in ms since the subscription started. Advances by exactly
   * `frameMs` per frame, across losses, pauses and reconnects (a reconnect's gap is filled with
   * concealed frames, see `maxGapFillMs`).
   */
  readonly timestampMs: number;
  /** True when any of it was made up: libopus packet-loss concealment or silence for a gap. */
  readonly concealed: boolean;
  /** The speaker, as the call knows them when the frame is made. */
  readonly participant: P;
  /** Packets that arrived too late for the jitter buffer and were dropped, since the subscription started. */
  readonly latePackets: number;
  /** Packets never received (concealed instead), since the subscription started. */
  readonly lostPackets: number;
  /** Media time skipped right before this frame: only after a gap longer than `maxGapFillMs`. */
  readonly gapMs?: number;
}

/** Options of `remoteTrack.audio$()`. */
export interface AudioOptions {
  /** Output rate; libopus decodes to each natively. @default 48000 */
  sampleRate?: OpusSampleRate;
  /** 1 = mono, 2 = interleaved stereo. @default 1 */
  channels?: 1 | 2;
  /** Frame duration, a multiple of 10 ms up to 1000. @default 20 */
  frameMs?: number;
  /** Jitter buffer: packets held behind a missing one before it is declared lost. @default 5 (100 ms of 20 ms packets) */
  jitterDepth?: number;
  /** Jitter buffer: the longest a missing packet is waited for, in ms. @default 60 */
  jitterMaxWaitMs?: number;
  /**
   * A gap in the stream (sender pause, reconnect) up to this long is filled with concealed frames,
   * so the clock never skips; a longer one is filled up to this and the rest is skipped, reported
   * on the next frame's `gapMs`. @default 60000
   */
  maxGapFillMs?: number;
}

export type ResolvedAudioOptions = Required<AudioOptions>;

/** Checks `options` and fills the defaults. Throws RXSFU_ERR_INVALID_ARGUMENT. */
export function resolveAudioOptions(options: AudioOptions = {}): ResolvedAudioOptions {
  const resolved = {
    sampleRate: options.sampleRate ?? 48000, channels: options.channels ?? 1, frameMs: options.frameMs ?? 20,
    jitterDepth: options.jitterDepth ?? 5, jitterMaxWaitMs: options.jitterMaxWaitMs ?? 60, maxGapFillMs: options.maxGapFillMs ?? 60000,
  };
  assertOpusRate(resolved.sampleRate);
  if (resolved.channels !== 1 && resolved.channels !== 2) invalid(`channels must be 1 or 2, got ${String(resolved.channels)}`);
  if (!Number.isInteger(resolved.frameMs) || resolved.frameMs % 10 !== 0 || resolved.frameMs <= 0 || resolved.frameMs > 1000) {
    invalid(`frameMs must be a multiple of 10 in 10..1000, got ${resolved.frameMs}`);
  }
  if (!Number.isInteger(resolved.jitterDepth) || resolved.jitterDepth < 0 || resolved.jitterDepth > 500) invalid(`jitterDepth must be an integer 0..500, got ${resolved.jitterDepth}`);
  if (!(resolved.jitterMaxWaitMs >= 0 && resolved.jitterMaxWaitMs <= 10000)) invalid(`jitterMaxWaitMs must be in 0..10000, got ${resolved.jitterMaxWaitMs}`);
  if (!(resolved.maxGapFillMs >= 0 && resolved.maxGapFillMs <= 3_600_000)) invalid(`maxGapFillMs must be in 0..3600000, got ${resolved.maxGapFillMs}`);
  return resolved;
}

/** Throws RXSFU_ERR_INVALID_ARGUMENT unless `rate` is one of {@link OPUS_SAMPLE_RATES}. */
export function assertOpusRate(rate: number): asserts rate is OpusSampleRate {
  if (!(OPUS_SAMPLE_RATES as readonly number[]).includes(rate)) {
    invalid(`sample rate ${rate} Hz is not one libopus codes natively (${OPUS_SAMPLE_RATES.join(', ')}); resample first`);
  }
}

/** Throws RXSFU_ERR_INVALID_ARGUMENT unless the frame is mono or stereo with whole sample pairs. */
export function assertPcmChannels(frame: PcmFrame): void {
  if ((frame.channels !== 1 && frame.channels !== 2) || frame.samples.length % frame.channels !== 0) {
    invalid(`PCM frame: channels must be 1 or 2 and samples a multiple of it (${frame.samples.length} samples, ${String(frame.channels)} channels)`);
  }
}

/** Duration of a PCM frame in ms. */
export function pcmDurationMs(frame: PcmFrame): number {
  return (frame.samples.length / frame.channels / frame.sampleRate) * 1000;
}

function invalid(message: string): never {
  throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', message);
}
