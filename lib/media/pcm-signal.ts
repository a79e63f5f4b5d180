/**
 * PCM test signals: a pure tone, or a speech-like signal (the same tone in syllable-sized bursts
 * with pauses), so tests and simulated participants send audio that is real, audible and checkable
 * (a decoder on the far side can measure its frequency).
 */

/** How a PCM signal is generated. */
export interface PcmSignalOptions {
  /** Tone frequency in Hz. @default 440 */
  frequencyHz?: number;
  /** Sample rate in Hz. @default 48000 */
  sampleRate?: number;
  /** Samples per frame (20 ms at 48 kHz = 960). @default 960 */
  frameSamples?: number;
  /** Peak amplitude, 0..32767. @default 12000 */
  amplitude?: number;
  /**
   * Speech-like: the tone is shaped into ~4 syllables a second and falls silent for the last
   * 500 ms of every 2 s, like someone talking. @default false
   */
  speechLike?: boolean;
}

const SYLLABLES_PER_SECOND = 4;
const PHRASE_SECONDS = 2;
const PAUSE_SECONDS = 0.5;

/** Envelope (0..1) of the speech-like signal at time `t` seconds. */
export function speechEnvelope(t: number): number {
  const inPhrase = t % PHRASE_SECONDS;
  if (inPhrase >= PHRASE_SECONDS - PAUSE_SECONDS) return 0;
  return 0.5 * (1 - Math.cos(2 * Math.PI * SYLLABLES_PER_SECOND * t));
}

/**
 * The `frameIndex`-th frame of the signal as 16-bit mono PCM. Phase is continuous across frames
 * because every sample is computed from its absolute index.
 */
export function pcmSignalFrame(frameIndex: number, options: PcmSignalOptions = {}): Int16Array {
  const frequencyHz = options.frequencyHz ?? 440;
  const sampleRate = options.sampleRate ?? 48000;
  const frameSamples = options.frameSamples ?? 960;
  const amplitude = options.amplitude ?? 12000;
  const frame = new Int16Array(frameSamples);
  const first = frameIndex * frameSamples;
  for (let i = 0; i < frameSamples; i++) {
    const t = (first + i) / sampleRate;
    const gain = options.speechLike ? speechEnvelope(t) : 1;
    frame[i] = Math.round(amplitude * gain * Math.sin(2 * Math.PI * frequencyHz * t));
  }
  return frame;
}

/**
 * Estimates the dominant frequency of a PCM buffer by counting sign changes (zero crossings):
 * a pure tone of f Hz crosses zero 2·f times a second. Good enough to tell a 440 Hz tone from
 * silence, noise or a different tone.
 */
export function estimateFrequencyHz(pcm: Int16Array, sampleRate = 48000): number {
  let crossings = 0;
  let previous = 0;
  for (const sample of pcm) {
    const sign = Math.sign(sample);
    if (sign !== 0) {
      if (previous !== 0 && sign !== previous) crossings++;
      previous = sign;
    }
  }
  return (crossings / 2) * (sampleRate / pcm.length);
}

/** Root-mean-square level of a PCM buffer (0 for silence). */
export function rmsLevel(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  return Math.sqrt(sum / pcm.length);
}
