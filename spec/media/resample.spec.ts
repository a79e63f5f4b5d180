import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { PcmFrame } from '../../lib/media/audio-frame.js';
import { estimateFrequencyHz, pcmSignalFrame } from '../../lib/media/pcm-signal.js';
import { opusRateFor, resampleToOpusRate } from '../../lib/media/resample.js';
import { isRxsfuError } from '../../lib/errors.js';

const AMPLITUDE = 12000;

/** `seconds` of a tone at `sampleRate` in frames of `frameMs`. */
function tone(sampleRate: number, frequencyHz: number, seconds: number, frameMs = 10): PcmFrame[] {
  const frameSamples = Math.round((sampleRate * frameMs) / 1000);
  const count = Math.round((seconds * sampleRate) / frameSamples);
  return Array.from({ length: count }, (_, i) => ({ sampleRate, channels: 1 as const, samples: pcmSignalFrame(i, { sampleRate, frequencyHz, frameSamples, amplitude: AMPLITUDE }) }));
}

const resample = (frames: PcmFrame[]) => lastValueFrom(from(frames).pipe(resampleToOpusRate(), toArray()));

function concat(frames: PcmFrame[]): Int16Array {
  const all = new Int16Array(frames.reduce((n, f) => n + f.samples.length, 0));
  frames.reduce((o, f) => (all.set(f.samples, o), o + f.samples.length), 0);
  return all;
}

describe('media/resample: any common rate → an Opus rate (libsamplerate, streaming)', () => {
  it('maps each rate to the next Opus rate up, 48 kHz above that', () => {
    expect([8000, 11025, 22050, 32000, 44100, 88200, 96000].map(opusRateFor)).to.deep.equal([8000, 12000, 24000, 48000, 48000, 48000, 48000]);
  });

  it('Opus-native rates pass through untouched (the very same frames)', async () => {
    const frames = [...tone(24000, 600, 0.1), ...tone(16000, 440, 0.1)];
    const out = await resample(frames);
    expect(out).to.have.length(frames.length);
    out.forEach((f, i) => expect(f).to.equal(frames[i]));
  });

  it('44.1 kHz in 10 ms chunks → 48 kHz, same length of time, same 440 Hz, no click at any chunk edge', async () => {
    const out = await resample(tone(44100, 440, 2));
    expect(out.every((f) => f.sampleRate === 48000 && f.channels === 1)).to.equal(true);
    const pcm = concat(out);
    // 2 s at 48 kHz, less the few samples the filter still holds at the end.
    expect(pcm.length).to.be.within(96000 - 200, 96000);
    const steady = pcm.subarray(480);
    expect(estimateFrequencyHz(steady, 48000)).to.be.within(435, 445);
    // A sine's steepest step between samples is A·2πf/fs; a discontinuity at a chunk edge would jump far past it.
    const steepest = (AMPLITUDE * 2 * Math.PI * 440) / 48000;
    let maxStep = 0;
    for (let i = 1; i < steady.length; i++) maxStep = Math.max(maxStep, Math.abs(steady[i]! - steady[i - 1]!));
    expect(maxStep).to.be.within(steepest * 0.9, steepest * 1.1);
    // And the level is kept (no gain, no dropouts): the peak stays at the tone's amplitude.
    expect(Math.max(...steady.subarray(0, 4800))).to.be.within(AMPLITUDE * 0.95, AMPLITUDE * 1.05);
  });

  it('22.05 kHz → 24 kHz and 32 kHz → 48 kHz keep their tone; stereo stays stereo', async () => {
    const at22 = concat(await resample(tone(22050, 600, 1)));
    expect(estimateFrequencyHz(at22.subarray(240), 24000)).to.be.within(590, 610);
    const at32 = await resample(tone(32000, 1000, 1));
    expect(at32.every((f) => f.sampleRate === 48000)).to.equal(true);
    expect(estimateFrequencyHz(concat(at32).subarray(480), 48000)).to.be.within(990, 1010);
    const mono = pcmSignalFrame(0, { sampleRate: 44100, frameSamples: 4410, frequencyHz: 440 });
    const stereo = new Int16Array(mono.length * 2).map((_, i) => mono[i >> 1]!);
    const [out] = await resample([{ sampleRate: 44100, channels: 2, samples: stereo }]);
    expect([out!.sampleRate, out!.channels, out!.samples.length % 2]).to.deep.equal([48000, 2, 0]);
    // Both channels carry the same signal.
    for (let i = 0; i < out!.samples.length; i += 2) expect(out!.samples[i]).to.equal(out!.samples[i + 1]);
  });

  for (const sampleRate of [4000, 44100.5, 500000, Number.NaN]) {
    it(`a rate no one uses (${sampleRate}) errors RXSFU_ERR_INVALID_ARGUMENT`, async () => {
      const error = await resample([{ sampleRate, channels: 1, samples: new Int16Array(100) }]).catch((e: unknown) => e);
      expect(isRxsfuError(error, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    });
  }
});
