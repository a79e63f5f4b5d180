/**
 * Opus audio sources: a generated tone or speech-like signal, encoded with libopus (wasm,
 * `@evan/opus`) into one Opus packet per frame. Used by the emulator's simulated participants and
 * by the SDK's publishAudio.
 */
import { Encoder } from '@evan/opus';
import { defer, map, type Observable, type SchedulerLike } from 'rxjs';
import { rxsfuError } from '../errors.js';
import { frameClock$ } from './frame-clock.js';
import { pcmSignalFrame } from './pcm-signal.js';

/** Options of {@link opusToneFrames$}. */
export interface OpusToneOptions {
  /** Tone frequency in Hz. @default 440 */
  frequencyHz?: number;
  /** Sample rate of the generated PCM and of the encoder; WebRTC Opus is always 48 kHz. @default 48000 */
  sampleRate?: 48000;
  /** Frame duration in ms; one Opus packet per frame. @default 20 */
  frameMs?: 20;
  /** Syllable-like bursts with pauses instead of a steady tone. @default false */
  speechLike?: boolean;
  /** Peak amplitude of the PCM, 0..32767. @default 12000 */
  amplitude?: number;
  /** Paces the frames (`frameClock$`: one every `frameMs`, first after `frameMs`, no drift). @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * An Opus packet every `frameMs` (20 ms) of a generated tone, as a cold Observable: each
 * subscriber gets its own encoder and its signal starts at t = 0. Never completes.
 *
 * ```
 * opusToneFrames$({ sampleRate: 48000, frameMs: 20 })
 * ----a----b----c----d---…     (a, b, …: Uint8Array Opus packets, one per 20 ms)
 * ```
 *
 * @throws RxsfuError RXSFU_ERR_INVALID_ARGUMENT (as an error notification) for a frequency that
 * is not positive or above Nyquist.
 */
export function opusToneFrames$(options: OpusToneOptions = {}): Observable<Uint8Array> {
  const sampleRate = options.sampleRate ?? 48000;
  const frameMs = options.frameMs ?? 20;
  const frequencyHz = options.frequencyHz ?? 440;
  return defer(() => {
    if (!(frequencyHz > 0 && frequencyHz < sampleRate / 2)) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `frequencyHz must be in (0, ${sampleRate / 2}), got ${frequencyHz}`);
    }
    const encoder = new Encoder({ channels: 1, sample_rate: sampleRate, application: 'audio' });
    const frameSamples = (sampleRate * frameMs) / 1000;
    const signal = { frequencyHz, sampleRate, frameSamples, amplitude: options.amplitude, speechLike: options.speechLike };
    return frameClock$(frameMs, { scheduler: options.scheduler, firstDelayMs: frameMs }).pipe(map((index) => encoder.encode(pcmSignalFrame(index, signal))));
  });
}
