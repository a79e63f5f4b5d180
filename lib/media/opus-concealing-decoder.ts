/**
 * Opus decoding with loss concealment, on one continuous clock. The binding (`@evan/opus`) exposes
 * neither a NULL-packet decode nor in-band FEC (it always calls `opus_decode` with `decode_fec = 0`),
 * but libopus treats a packet whose only frame is empty (just the TOC byte) as lost and runs its
 * packet-loss concealment for that frame's duration: that is how a missing 20 ms is concealed here.
 * Gaps longer than a few frames are filled with silence (libopus PLC fades to silence anyway).
 */
import { Decoder } from '@evan/opus';
import { Observable, type OperatorFunction } from 'rxjs';
import type { OpusSampleRate } from './audio-frame.js';
import type { JitterOutput } from './jitter-buffer.js';

/** A decoded stretch of PCM, in order, with no gap before it unless `gapMs`. */
export interface PcmChunk {
  readonly samples: Int16Array;
  readonly concealed: boolean;
  /** Media time skipped before this chunk (a gap longer than `maxGapFillMs`). */
  readonly gapMs?: number;
  readonly late: number;
  readonly lost: number;
}

/** The libopus decoding step: one Opus packet → native-endian int16 PCM bytes. */
export interface OpusPacketDecoder {
  decode(payload: Uint8Array): Uint8Array;
}

/** Makes the libopus decoder of one subscription (tests count or wrap it). */
export type OpusDecoderFactory = (options: { sampleRate: OpusSampleRate; channels: 1 | 2 }) => OpusPacketDecoder;

/** `@evan/opus` (libopus as wasm), decoding natively at the asked rate. */
export const libopusDecoder: OpusDecoderFactory = ({ sampleRate, channels }) => new Decoder({ channels, sample_rate: sampleRate });

export interface ConcealingDecoderOptions {
  sampleRate: OpusSampleRate;
  channels: 1 | 2;
  /** Longest gap filled with concealed PCM; beyond it the rest is skipped and reported. */
  maxGapFillMs: number;
  /** @default libopusDecoder */
  createDecoder?: OpusDecoderFactory;
}

/** RTP clock of Opus (RFC 7587): always 48 kHz. */
const RTP_CLOCK_HZ = 48000;
/** Concealment frames made by libopus before silence takes over. */
const PLC_FRAMES = 5;
const CONCEAL_FRAME_MS = 20;

/** libopus writes native-endian int16 into a byte buffer: copy into an aligned Int16Array. */
function toInt16(bytes: Uint8Array): Int16Array {
  const pcm = new Int16Array(bytes.byteLength >> 1);
  new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.byteLength));
  return pcm;
}

/** The decoding state of one subscription. */
export class ConcealingDecoder {
  private readonly decoder: OpusPacketDecoder;
  /** TOC byte of the last good packet, single-frame (code 0): its empty-frame twin asks for PLC. */
  private plcToc: number | undefined;
  /** RTP timestamp expected for the next packet, and when the last one arrived. */
  private expectedTs: number | undefined;
  private lastArrivalMs = 0;

  constructor(private readonly options: ConcealingDecoderOptions) {
    this.decoder = (options.createDecoder ?? libopusDecoder)({ sampleRate: options.sampleRate, channels: options.channels });
  }

  /** One released packet → the chunks covering any gap before it, then the packet itself. */
  decode(out: JitterOutput): PcmChunk[] {
    const chunks: PcmChunk[] = [];
    const { late, lost } = out;
    const gapMs = this.gapBeforeMs(out);
    if (gapMs > 0) chunks.push(...this.fill(gapMs, late, lost));
    const pcm = this.decodePacket(out.packet.payload);
    const ticks = ((pcm?.length ?? 0) / this.options.channels / this.options.sampleRate) * RTP_CLOCK_HZ;
    if (pcm && pcm.length > 0) chunks.push({ samples: pcm, concealed: false, late, lost });
    else chunks.push(...this.fill(CONCEAL_FRAME_MS, late, lost)); // undecodable: conceal its slot
    this.expectedTs = (out.packet.header.timestamp + (ticks || (CONCEAL_FRAME_MS * RTP_CLOCK_HZ) / 1000)) >>> 0;
    this.lastArrivalMs = out.arrivalMs;
    return chunks;
  }

  /** Media time missing before `out`: from RTP timestamps within a stream, from arrival times across a restart. */
  private gapBeforeMs(out: JitterOutput): number {
    if (this.expectedTs === undefined) return 0;
    if (out.restart) {
      // A new stream's timestamps say nothing about the old one: the wall clock measures the gap.
      const elapsed = out.arrivalMs - this.lastArrivalMs - CONCEAL_FRAME_MS;
      return Math.max(0, Math.round(elapsed / CONCEAL_FRAME_MS) * CONCEAL_FRAME_MS);
    }
    const deltaTicks = ((out.packet.header.timestamp - this.expectedTs) << 0);
    if (deltaTicks > 0) return (deltaTicks / RTP_CLOCK_HZ) * 1000;
    // Timestamps went backwards or stand still: trust the sequence numbers.
    return out.lostBefore * CONCEAL_FRAME_MS;
  }

  /** `ms` of concealed PCM: libopus PLC for the first frames, then silence; past `maxGapFillMs`, skipped. */
  private fill(ms: number, late: number, lost: number): PcmChunk[] {
    const { sampleRate, channels, maxGapFillMs } = this.options;
    const filledMs = Math.min(ms, maxGapFillMs);
    const chunks: PcmChunk[] = [];
    const frameSamples = (sampleRate * CONCEAL_FRAME_MS) / 1000;
    let remaining = Math.round((filledMs * sampleRate) / 1000);
    for (let frame = 0; remaining > 0; frame++) {
      const samples = Math.min(frameSamples, remaining);
      const plc = frame < PLC_FRAMES && samples === frameSamples ? this.conceal() : undefined;
      chunks.push({ samples: plc && plc.length === samples * channels ? plc : new Int16Array(samples * channels), concealed: true, late, lost });
      remaining -= samples;
    }
    if (ms > filledMs) chunks.push({ samples: new Int16Array(0), concealed: true, gapMs: ms - filledMs, late, lost });
    return chunks;
  }

  private conceal(): Int16Array | undefined {
    if (this.plcToc === undefined) return undefined;
    return this.decodePacket(Uint8Array.of(this.plcToc), true);
  }

  private decodePacket(payload: Uint8Array, concealing = false): Int16Array | undefined {
    try {
      const pcm = toInt16(this.decoder.decode(payload));
      // Remember a 20 ms single-frame TOC (config bits kept, code 0) for concealment.
      if (!concealing && payload.length > 1) this.plcToc = twentyMsToc(payload[0]!);
      return pcm;
    } catch {
      return undefined;
    }
  }
}

/**
 * The TOC of a single 20 ms frame in the same mode and bandwidth as `toc` (RFC 6716 §3.1): configs
 * 0–11 SILK, 12–15 hybrid, 16–31 CELT; 20 ms is config index 1 of SILK/hybrid groups and 3 of CELT.
 */
function twentyMsToc(toc: number): number {
  const config = toc >> 3;
  const stereo = toc & 0x04;
  let twenty: number;
  if (config < 12) twenty = (config & ~3) | 1;
  else if (config < 16) twenty = (config & ~1) | 1;
  else twenty = (config & ~3) | 3;
  return (twenty << 3) | stereo;
}

/**
 * Operator: jitter-buffered packets → continuous PCM chunks (gaps concealed), one decoder per
 * subscription.
 *
 * ```
 * in:   -p1-p2----p4(lostBefore 1)-|
 * out:  -a--b-----(xc)-------------|    x: 20 ms of libopus PLC, concealed
 * ```
 */
export function decodeConcealing(options: ConcealingDecoderOptions): OperatorFunction<JitterOutput, PcmChunk> {
  return (source$) =>
    new Observable<PcmChunk>((subscriber) => {
      const decoder = new ConcealingDecoder(options);
      return source$.subscribe({
        next: (out) => decoder.decode(out).forEach((chunk) => subscriber.next(chunk)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
