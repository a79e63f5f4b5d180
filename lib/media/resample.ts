/**
 * PCM at a rate libopus does not code natively (44.1, 22.05, 32 kHz…) → the next Opus rate up, so
 * `publishAudio` takes any common rate. The converter is libsamplerate (as wasm, through
 * `@alexanderolsen/libsamplerate-js`), used through its streaming API: one converter per input
 * format, whose filter state carries over between frames, so chunk edges make no clicks. Opus-native
 * rates pass through untouched. The wasm module loads asynchronously: this file is the adapter that
 * turns that load into an Observable, once per format.
 */
import * as libsamplerateModule from '@alexanderolsen/libsamplerate-js';
import { concatMap, defer, finalize, from, map, of, shareReplay, tap, type Observable, type OperatorFunction } from 'rxjs';
import { rxsfuError } from '../errors.js';
import { OPUS_SAMPLE_RATES, assertPcmChannels, type OpusSampleRate, type PcmFrame } from './audio-frame.js';

type Libsamplerate = typeof libsamplerateModule;
/** The package is a webpack UMD bundle: Node's ESM loader hands it over as `default`, a CJS loader by name. */
const libsamplerate: Libsamplerate = (libsamplerateModule as Libsamplerate & { default?: Libsamplerate }).default ?? libsamplerateModule;
type Converter = Awaited<ReturnType<Libsamplerate['create']>>;

/** Input rates accepted for resampling, Hz. */
export const MIN_RESAMPLE_RATE = 8000;
export const MAX_RESAMPLE_RATE = 192000;

const isOpusRate = (rate: number): rate is OpusSampleRate => (OPUS_SAMPLE_RATES as readonly number[]).includes(rate);

/** The Opus rate a non-native `rate` is converted to: the next one up (keeps the whole band), 48 kHz above that. */
export function opusRateFor(rate: number): OpusSampleRate {
  return OPUS_SAMPLE_RATES.find((r) => r >= rate) ?? 48000;
}

function assertResamplable(frame: PcmFrame): void {
  const rate = frame.sampleRate;
  if (!Number.isInteger(rate) || rate < MIN_RESAMPLE_RATE || rate > MAX_RESAMPLE_RATE) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `PCM frame: sample rate must be an integer in ${MIN_RESAMPLE_RATE}..${MAX_RESAMPLE_RATE} Hz, got ${String(rate)}`);
  }
  assertPcmChannels(frame);
}

function convert(converter: Converter, frame: PcmFrame, outRate: OpusSampleRate): PcmFrame {
  const input = new Float32Array(frame.samples.length);
  for (let i = 0; i < input.length; i++) input[i] = frame.samples[i]! / 32768;
  const output = converter.full(input);
  const samples = new Int16Array(output.length);
  for (let i = 0; i < output.length; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(output[i]! * 32768)));
  return { samples, sampleRate: outRate, channels: frame.channels };
}

/**
 * Operator: PCM frames at any rate in 8–192 kHz → frames at Opus rates. Native rates pass as they
 * are; others go through a streaming libsamplerate converter (SRC_SINC_FASTEST: band-limited, about
 * 97 dB SNR) per (rate, channels), kept for the subscription and freed at its end. The converter's
 * filter holds about 1 ms, so output frames vary in length (the 20 ms framing downstream does not
 * care). A rate outside 8–192 kHz or a bad channel count errors with RXSFU_ERR_INVALID_ARGUMENT.
 *
 * ```
 * in:   -a(48k)-b(44.1k)-c(44.1k)-|
 * out:  -a------B--------C--------|    B, C at 48 kHz from one converter (state carried from b to c)
 * ```
 */
export function resampleToOpusRate(): OperatorFunction<PcmFrame, PcmFrame> {
  return (source$) =>
    defer(() => {
      const converters = new Map<string, Observable<Converter>>();
      const live: Converter[] = [];
      let ended = false;
      const converterFor = (frame: PcmFrame, outRate: OpusSampleRate): Observable<Converter> => {
        const key = `${frame.sampleRate}/${frame.channels}`;
        let converter$ = converters.get(key);
        if (!converter$) {
          const { create, ConverterType } = libsamplerate;
          converter$ = defer(() => from(create(frame.channels, frame.sampleRate, outRate, { converterType: ConverterType.SRC_SINC_FASTEST }))).pipe(
            // A converter that arrives after the end is freed at once.
            tap((converter) => (ended ? converter.destroy() : live.push(converter))),
            shareReplay({ bufferSize: 1, refCount: false }),
          );
          converters.set(key, converter$);
        }
        return converter$;
      };
      return source$.pipe(
        concatMap((frame) => {
          if (isOpusRate(frame.sampleRate)) return of(frame);
          assertResamplable(frame);
          const outRate = opusRateFor(frame.sampleRate);
          return converterFor(frame, outRate).pipe(map((converter) => convert(converter, frame, outRate)));
        }),
        finalize(() => {
          ended = true;
          live.splice(0).forEach((converter) => converter.destroy());
        }),
      );
    });
}
