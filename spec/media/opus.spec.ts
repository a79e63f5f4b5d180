import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map, take, lastValueFrom } from 'rxjs';
import { opusToneFrames$ } from '../../lib/media/opus-source.js';
import { createOpusDecoder, decodeOpus } from '../../lib/media/opus-decode.js';
import { estimateFrequencyHz, pcmSignalFrame, rmsLevel } from '../../lib/media/pcm-signal.js';
import { isRxsfuError } from '../../lib/errors.js';

/** Encodes `count` frames in virtual time and returns them. */
function encodeFrames(count: number, options: Parameters<typeof opusToneFrames$>[0] = {}): Uint8Array[] {
  const scheduler = new TestScheduler(() => undefined);
  const frames: Uint8Array[] = [];
  scheduler.run(({ flush }) => {
    opusToneFrames$({ ...options, scheduler }).pipe(take(count)).subscribe((f) => frames.push(f));
    flush();
  });
  return frames;
}

function decodeAll(frames: Uint8Array[]): Int16Array {
  const decoder = createOpusDecoder();
  const pcm = frames.map((f) => decoder.decode(f));
  const all = new Int16Array(pcm.reduce((n, p) => n + p.length, 0));
  pcm.reduce((offset, p) => (all.set(p, offset), offset + p.length), 0);
  return all;
}

describe('media/opus', () => {
  it('round-trips a 440 Hz tone: decoded audio is loud and at 440 Hz', () => {
    const frames = encodeFrames(50);
    expect(frames).to.have.length(50);
    const pcm = decodeAll(frames).subarray(960 * 5); // skip the codec warm-up
    expect(pcm.length).to.equal(960 * 45);
    expect(rmsLevel(pcm)).to.be.greaterThan(3000);
    expect(estimateFrequencyHz(pcm)).to.be.within(430, 450);
  });

  it('keeps the frequency it was asked for (1 kHz is not 440 Hz)', () => {
    const pcm = decodeAll(encodeFrames(30, { frequencyHz: 1000 })).subarray(960 * 5);
    expect(estimateFrequencyHz(pcm)).to.be.within(985, 1015);
  });

  it('speech-like audio has syllables and pauses', () => {
    const frames = encodeFrames(100, { speechLike: true, frequencyHz: 300 });
    const decoder = createOpusDecoder();
    const levels = frames.map((f) => rmsLevel(decoder.decode(f)));
    // frames 0..74 = 0..1.5 s talking, 75..99 = the 0.5 s pause (allow 2 frames of codec tail)
    expect(Math.max(...levels.slice(10, 75))).to.be.greaterThan(3000);
    expect(Math.max(...levels.slice(78, 100))).to.be.lessThan(300);
    // within the talking part the level rises and falls (about 4 syllables a second)
    expect(Math.min(...levels.slice(10, 75))).to.be.lessThan(1500);
  });

  it('emits one frame per 20 ms of virtual time and stops encoding on unsubscribe', () => {
    const scheduler = new TestScheduler((a, b) => { expect(a).to.deep.equal(b); });
    scheduler.run(({ expectObservable }) => {
      const kinds$ = opusToneFrames$({ scheduler }).pipe(map((f) => (f instanceof Uint8Array && f.length > 0 ? 'o' : 'x')));
      expectObservable(kinds$, '^ 70ms !').toBe('20ms o 19ms o 19ms o');
    });
  });

  it('decodeOpus decodes one packet to 960 samples; garbage is a typed error', () => {
    const [first] = encodeFrames(1);
    expect(decodeOpus(first)).to.have.length(960);
    expect(() => decodeOpus(Uint8Array.of(0xff, 0xff, 0xff))).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
  });

  it('rejects a frequency above Nyquist with RXSFU_ERR_INVALID_ARGUMENT', async () => {
    const failure = await lastValueFrom(opusToneFrames$({ frequencyHz: 30000 })).catch((e: unknown) => e);
    expect(isRxsfuError(failure, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });

  it('pcmSignalFrame is phase-continuous across frames', () => {
    const a = pcmSignalFrame(0, { frameSamples: 960 });
    const b = pcmSignalFrame(1, { frameSamples: 960 });
    const joined = new Int16Array([...a, ...b]);
    const whole = pcmSignalFrame(0, { frameSamples: 1920 });
    expect(joined).to.deep.equal(whole);
  });
});
