import { expect } from 'chai';
import { filter, firstValueFrom, skip, skipWhile, take, toArray, timeout } from 'rxjs';
import type { MixedFrame } from '../../lib/media/mix-audio.js';
import { useEmulator } from './e2e-fixture.js';
import { relativePower } from '../support/goertzel.js';

describe('call e2e: mixedAudio$', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  it('is silence while nobody speaks, then every voice on one clock (two tones both in the mix)', async () => {
    const { emu, join } = ctx();
    const call = await join('recorder', 'mix');
    const mixed$ = call.mixedAudio$({ sampleRate: 16000 });
    const quiet = await firstValueFrom(mixed$.pipe(take(10), toArray(), timeout(20000)));
    expect(quiet.map((f) => f.timestampMs)).to.deep.equal(Array.from({ length: 10 }, (_, i) => i * 20));
    for (const f of quiet) expect([f.speakers.length, f.samples.every((x) => x === 0), f.samples.length]).to.deep.equal([0, true, 320]);

    await emu.addParticipant({ callId: 'mix', userId: 'low', audio: { frequencyHz: 300, speechLike: false } });
    await emu.addParticipant({ callId: 'mix', userId: 'high', audio: { frequencyHz: 1200, speechLike: false } });
    const both = await firstValueFrom(call.mixedAudio$({ sampleRate: 16000 }).pipe(filter((f) => f.speakers.length === 2), take(40), toArray(), timeout(30000)));
    expect(new Set(both.flatMap((f) => f.speakers.map((p) => p.userId)))).to.deep.equal(new Set(['low', 'high']));
    const tail = both.slice(-25);
    const pcm = new Int16Array(tail.length * 320);
    tail.forEach((f, i) => pcm.set(f.samples, i * 320));
    expect(relativePower(pcm, 16000, 300), '300 Hz voice').to.be.greaterThan(0.2);
    expect(relativePower(pcm, 16000, 1200), '1200 Hz voice').to.be.greaterThan(0.2);
    expect(relativePower(pcm, 16000, 700), 'nothing at 700 Hz').to.be.below(0.02);
  });

  it('keeps a voice phase-coherent across 100 ms windows: no frame of it dropped, repeated or shifted in the mix', async () => {
    const { emu, join } = ctx();
    const call = await join('recorder', 'mix-tone');
    await emu.addParticipant({ callId: 'mix-tone', userId: 'tone', audio: { frequencyHz: 440, speechLike: false } });
    // 2 s (and the frame before) of the mix once the voice plays, its first 5 frames skipped (Opus
    // settles); every tick, not only those with the voice in, so a tick that missed it is a hole.
    const frames = await firstValueFrom(call.mixedAudio$({ sampleRate: 16000 }).pipe(skipWhile((f) => f.speakers.length === 0), skip(5), take(101), toArray(), timeout(30000)));
    // 100 ms at 16 kHz is 1600 samples, exactly 44 periods of 440 Hz: a continuous tone puts nearly all
    // its power there; a frame of silence, a repeated or a shifted frame inside a window breaks its phase.
    const windows = Array.from({ length: 20 }, (_, w) => {
      const pcm = new Int16Array(1600);
      frames.slice(1 + w * 5, 6 + w * 5).forEach((f, i) => pcm.set(f.samples, i * 320));
      return relativePower(pcm, 16000, 440);
    });
    // A stall of the event loop longer than the voice's buffer (a loaded machine) may still cause an
    // underrun, a skip or a concealed frame: the mix must then say so. Every other window is clean.
    const discontinuities = (f: MixedFrame<unknown>) => f.underrunFrames + f.skippedFrames + f.concealedFrames;
    const reported = (w: number) => discontinuities(frames[w * 5 + 5]!) !== discontinuities(frames[w * 5]!);
    const checked = windows.map((power, w) => ({ w, power })).filter(({ w }) => !reported(w));
    expect(checked.length, 'most windows without a reported discontinuity').to.be.greaterThan(10);
    expect(checked.filter(({ power }) => power < 0.9), 'every such 100 ms window a coherent 440 Hz tone').to.deep.equal([]);
  });
});
