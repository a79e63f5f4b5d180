import { expect } from 'chai';
import { filter, firstValueFrom, take, toArray, timeout, type Observable } from 'rxjs';
import type { AudioFrame } from '../../lib/media/audio-frame.js';
import { estimateFrequencyHz, rmsLevel } from '../../lib/media/pcm-signal.js';
import { ErrorCode, TrackType, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import { remoteTrack, useEmulator } from './e2e-fixture.js';
import type { Emulator } from '../../lib/emulator/index.js';

const frames = <P>(audio$: Observable<AudioFrame<P>>, count: number): Promise<AudioFrame<P>[]> =>
  firstValueFrom(audio$.pipe(take(count), toArray(), timeout(20000)));

function expectUnbrokenClock(list: AudioFrame[], frameMs: number): void {
  const first = list[0]!.timestampMs;
  list.forEach((f, i) => expect(f.timestampMs, `frame ${i}`).to.equal(first + i * frameMs));
}

function concat(list: AudioFrame[]): Int16Array {
  const all = new Int16Array(list.reduce((n, f) => n + f.samples.length, 0));
  list.reduce((o, f) => (all.set(f.samples, o), o + f.samples.length), 0);
  return all;
}

describe('call e2e: PCM in (remoteTrack.audio$)', function () {
  this.timeout(40000);
  const ctx = useEmulator(2); // two SFUs: MIGRATE has somewhere to go

  it('a 440 Hz tone from a simulated participant arrives through audio$({ sampleRate: 16000 }) as 16 kHz frames at 440 Hz', async () => {
    const { emu, join } = ctx();
    await emu.addParticipant({ callId: 'pcm-in', userId: 'human', audio: { frequencyHz: 440, speechLike: false } });
    const call = await join('agent', 'pcm-in');
    const track = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    const got = await frames(track.audio$({ sampleRate: 16000 }), 60);
    expectUnbrokenClock(got, 20);
    expect(got[0]!.timestampMs).to.equal(0);
    for (const f of got) {
      expect([f.samples.length, f.sampleRate, f.channels, f.participant.userId]).to.deep.equal([320, 16000, 1, 'human']);
    }
    const pcm = concat(got.slice(10));
    expect(rmsLevel(pcm)).to.be.greaterThan(3000);
    expect(estimateFrequencyHz(pcm, 16000)).to.be.within(430, 450);
  });

  it('dropped and reordered packets (emulator fault) still give an unbroken frame clock; losses are concealed and counted', async () => {
    const { emu, join } = ctx();
    await emu.addParticipant({ callId: 'lossy', userId: 'human', audio: { frequencyHz: 440, speechLike: false } });
    const call = await join('agent', 'lossy');
    const track = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    emu.faults.session(call.sessionId).disturbMedia({ dropEvery: 10, reorderEvery: 7 });
    const got = await frames(track.audio$({ sampleRate: 16000 }), 150);
    expectUnbrokenClock(got, 20);
    const concealed = got.filter((f) => f.concealed).length;
    // One packet in ten is dropped: about 15 of 150 frames are concealed, none skipped.
    expect(concealed).to.be.within(8, 25);
    expect(got.at(-1)!.lostPackets).to.be.within(8, 25);
    expect(estimateFrequencyHz(concat(got.slice(10)), 16000)).to.be.within(420, 460);
  });

  /** A reconnect of `strategy` by `fault`, while audio$ runs: the same audio$ goes on, gap filled, no reset to zero. */
  const continuity = (strategy: string, fault: (emu: Emulator, sessionId: string) => void) => async () => {
    const { emu, join } = ctx();
    const callId = `continuity-${strategy}`;
    await emu.addParticipant({ callId, userId: 'human', audio: { frequencyHz: 440, speechLike: false } });
    const call = await join('agent', callId);
    const track = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    const collected: AudioFrame[] = [];
    const sub = track.audio$({ sampleRate: 16000 }).subscribe((f) => collected.push(f));
    try {
      await frames(track.audio$(), 25);
      const reconnected = firstValueFrom(call.reconnections$);
      fault(emu, call.sessionId);
      expect((await reconnected).strategiesTried).to.deep.equal([strategy]);
      const countAtReconnect = collected.length;
      // Fresh audio (not concealment) arrives after the reconnect.
      await frames(track.audio$().pipe(filter((f) => !f.concealed && rmsLevel(f.samples) > 3000)), 25);
      expect(collected.length).to.be.greaterThan(countAtReconnect + 25);
    } finally {
      sub.unsubscribe();
    }
    expectUnbrokenClock(collected, 20);
    expect(collected[0]!.timestampMs).to.equal(0);
    const tail = collected.slice(-20);
    expect(tail.some((f) => f.concealed), 'the tail is fresh audio').to.equal(false);
    expect(estimateFrequencyHz(concat(tail), 16000)).to.be.within(430, 450);
  };

  it('R-continuity: after a REJOIN (new peer connection, new stream) the same audio$ goes on, the gap filled, no reset to zero', continuity('rejoin', (emu, sessionId) => {
    emu.faults.session(sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
  }));

  it('R-continuity: after a FAST reconnect (signaling TCP destroyed) the same audio$ goes on, no reset to zero', continuity('fast', (emu, sessionId) => {
    emu.faults.session(sessionId).destroyTcp();
  }));

  it('R-continuity: after a MIGRATE (go_away, another SFU) the same audio$ goes on, the gap filled, no reset to zero', continuity('migrate', (emu, sessionId) => {
    emu.faults.session(sessionId).goAway();
  }));
});
