import { expect } from 'chai';
import { from, take, toArray, firstValueFrom, timeout } from 'rxjs';
import type { PcmFrame } from '../../lib/media/audio-frame.js';
import { pace } from '../../lib/media/pace.js';
import { estimateFrequencyHz, pcmSignalFrame, rmsLevel } from '../../lib/media/pcm-signal.js';
import { TrackType } from '../../lib/protocol/index.js';
import { remoteTrack, until, useEmulator } from './e2e-fixture.js';

/** `seconds` of a sine as 20 ms frames at `sampleRate`, all at once (a TTS engine, faster than real time). */
function sine(seconds: number, sampleRate: number, frequencyHz: number): PcmFrame[] {
  const frameSamples = sampleRate / 50;
  return Array.from({ length: seconds * 50 }, (_, i) => ({ sampleRate, channels: 1 as const, samples: pcmSignalFrame(i, { sampleRate, frequencyHz, frameSamples }) }));
}

/** The loud part of a recording (the tone, without the silence around it). */
function loud(samples: Int16Array): Int16Array {
  const frames: Int16Array[] = [];
  for (let i = 0; i + 960 <= samples.length; i += 960) {
    const f = samples.subarray(i, i + 960);
    if (rmsLevel(f) > 3000) frames.push(f);
  }
  const all = new Int16Array(frames.length * 960);
  frames.forEach((f, i) => all.set(f, i * 960));
  return all;
}

describe('call e2e: PCM out (publishAudio) and the emulator hearing it', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  const cases = [
    { sampleRate: 24000, frequencyHz: 600, what: 'a 24 kHz PCM sine (Opus-native: encoded as it is)' },
    { sampleRate: 44100, frequencyHz: 440, what: 'a 44.1 kHz PCM sine (no Opus rate: resampled to 48 kHz by libsamplerate)' },
  ];
  for (const { sampleRate, frequencyHz, what } of cases) {
    it(`${what} published is heard by the simulated participant at its frequency, at 50 packets/s of media time`, async () => {
      const { emu, join } = ctx();
      const callId = `pcm-out-${sampleRate}`;
      const human = await emu.addParticipant({ callId, userId: 'human', audio: true });
      const call = await join('agent', callId);
      await call.publishAudio(from(sine(3, sampleRate, frequencyHz)).pipe(pace()));
      const fromAgent = () => human.receivedAudio().find((r) => r.fromUserId === 'agent');
      await until(() => loud(fromAgent()?.samples ?? new Int16Array()).length >= 48000 * 2, 20000, 'two seconds of the tone heard');
      const heard = fromAgent()!;
      expect(heard.sampleRate).to.equal(48000);
      expect(estimateFrequencyHz(loud(heard.samples))).to.be.within(frequencyHz - 10, frequencyHz + 10);
      // Real time: one packet per 20 ms of RTP time, none missing (50/s ± 5 %).
      const perSecond = heard.packets / (heard.rtpSpanMs / 1000);
      expect(perSecond).to.be.within(47.5, 52.5);
    });
  }

  it('the track stays alive after the source ran dry: silence keeps flowing', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'idle', userId: 'human', audio: true });
    const call = await join('agent', 'idle');
    await call.publishAudio(from(sine(0.2, 48000, 440)));
    const packets = () => human.receivedAudio().find((r) => r.fromUserId === 'agent')?.packets ?? 0;
    await until(() => packets() >= 30, 20000, 'packets from the agent');
    const at = packets();
    await until(() => packets() >= at + 25, 20000, 'packets to keep coming while idle');
    const samples = human.receivedAudio().find((r) => r.fromUserId === 'agent')!.samples;
    expect(rmsLevel(samples.subarray(samples.length - 960 * 10)), 'what comes now is silence').to.be.below(100);
  });

  it('a simulated participant speaks given PCM; the agent hears it through audio$ at its frequency', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'speak', userId: 'human', audio: true });
    const call = await join('agent', 'speak');
    const track = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    human.speak(from(sine(10, 16000, 1000)).pipe(pace()));
    const frames = await firstValueFrom(track.audio$({ sampleRate: 16000 }).pipe(
      take(100), toArray(), timeout(20000),
    ));
    // Frames libopus concealed (a packet late on a loaded machine) are not the sine; measure the rest.
    const tail = frames.filter((f) => !f.concealed).slice(-25);
    const pcm = new Int16Array(tail.length * 320);
    tail.forEach((f, i) => pcm.set(f.samples, i * 320));
    expect(estimateFrequencyHz(pcm, 16000)).to.be.within(950, 1050); // a wrong rate would read 333 or 3000 Hz
  });
});
