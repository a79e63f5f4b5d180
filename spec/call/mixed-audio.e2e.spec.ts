import { expect } from 'chai';
import { filter, firstValueFrom, take, toArray, timeout } from 'rxjs';
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
});
