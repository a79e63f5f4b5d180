/**
 * Who speaks, and what we may publish, end to end: the emulator's SFU measures every published
 * voice (simulated participants' speech, the agent's own publishAudio) and sends
 * audio_level_changed / dominant_speaker_changed; emu.updateGrants sends call_grants_updated. The
 * agent sees them on audioLevels$, dominantSpeaker$ and callGrants$, and each event the agent got
 * decodes with the official client's protobuf-ts types to the same values (SfuEvents of
 * @stream-io/video-client).
 */
import { expect } from 'chai';
import { EMPTY, filter, firstValueFrom, from, take, timeout, toArray } from 'rxjs';
import { SfuEvents } from '@stream-io/video-client';
import { events, type SfuEvent } from '../../lib/protocol/index.js';
import { pace } from '../../lib/media/pace.js';
import { pcmSignalFrame } from '../../lib/media/pcm-signal.js';
import type { PcmFrame } from '../../lib/media/audio-frame.js';
import type { Call } from '../../lib/index.js';
import { participantsWhere, until, useEmulator } from './e2e-fixture.js';

/** The official client's reading of an event we received. */
function official(event: SfuEvent): { oneofKind?: string } & Record<string, any> {
  const bytes = events.SfuEvent.encode(event).finish();
  return (SfuEvents.SfuEvent.fromBinary(bytes) as { eventPayload: { oneofKind?: string } & Record<string, any> }).eventPayload;
}

/** `seconds` of a steady 24 kHz sine as 20 ms frames, all at once (paced by the caller). */
function sine(seconds: number): PcmFrame[] {
  return Array.from({ length: seconds * 50 }, (_, i) => ({ sampleRate: 24000, channels: 1 as const, samples: pcmSignalFrame(i, { sampleRate: 24000, frequencyHz: 500, frameSamples: 480 }) }));
}

const firstEvent = (call: Call, payload: string, predicate: (e: SfuEvent) => boolean = () => true) =>
  firstValueFrom(call.events$.pipe(filter((e) => e.eventPayload === payload && predicate(e)), timeout(20000)));

describe('call e2e: audio levels, dominant speaker and grants from the emulator\'s SFU', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  it('the simulated speaker is reported speaking and becomes dominant; the silent one is reported silent', async () => {
    const { emu, join } = ctx();
    const alice = await emu.addParticipant({ callId: 'levels', userId: 'alice', audio: { frequencyHz: 440, speechLike: false } });
    const bob = await emu.addParticipant({ callId: 'levels', userId: 'bob', audio: true });
    bob.speak(EMPTY); // silence from now on
    const call = await join('agent', 'levels');
    const dominant = firstValueFrom(call.dominantSpeaker$.pipe(timeout(20000)));
    const levels = await firstValueFrom(call.audioLevels$.pipe(filter((l) => l.some((x) => x.userId === 'alice' && x.isSpeaking) && l.some((x) => x.userId === 'bob')), timeout(20000)));
    const aliceLevel = levels.find((l) => l.userId === 'alice')!;
    expect(aliceLevel.sessionId).to.equal(alice.sessionId);
    expect(aliceLevel.level, 'a steady tone at 12000 peak: RMS ≈ 0.26 of full scale').to.be.within(0.15, 0.4);
    expect(levels.find((l) => l.userId === 'bob')).to.include({ sessionId: bob.sessionId, isSpeaking: false });
    expect(await dominant).to.deep.equal({ sessionId: alice.sessionId, userId: 'alice' });
    // the participant map, reduced from the same events, agrees
    const map = await participantsWhere(call, (m) => [...m.values()].some((p) => p.userId === 'alice' && p.isDominantSpeaker && p.audioLevel > 0.1));
    expect([...map.values()].filter((p) => p.isDominantSpeaker).map((p) => p.userId)).to.deep.equal(['alice']);

    const raw = await firstEvent(call, 'audioLevelChanged');
    const theirs = official(raw);
    expect(theirs.oneofKind).to.equal('audioLevelChanged');
    expect(theirs.audioLevelChanged.audioLevels.map((l: any) => [l.userId, l.sessionId, l.isSpeaking, Math.round(l.level * 1000)]))
      .to.deep.equal(raw.audioLevelChanged!.audioLevels!.map((l) => [l.userId, l.sessionId, l.isSpeaking ?? false, Math.round((l.level ?? 0) * 1000)]));
  });

  it('the agent\'s own publishAudio makes it the dominant speaker; a louder participant takes the floor from it', async () => {
    const { emu, join } = ctx();
    const alice = await emu.addParticipant({ callId: 'floor', userId: 'alice', audio: true });
    alice.speak(EMPTY);
    const call = await join('agent', 'floor');
    const seen: string[] = [];
    const raw: SfuEvent[] = [];
    const sub = call.dominantSpeaker$.subscribe((d) => seen.push(d.userId));
    sub.add(call.events$.pipe(filter((e) => e.eventPayload === 'dominantSpeakerChanged')).subscribe((e) => raw.push(e)));
    try {
      await call.publishAudio(from(sine(4)).pipe(pace()));
      await until(() => seen.includes('agent'), 20000, 'the agent dominant');
      // alice starts talking, louder than the agent (still talking): she takes the floor
      alice.speak(from(Array.from({ length: 150 }, (_, i) => ({ sampleRate: 48000, channels: 1 as const, samples: pcmSignalFrame(i, { frequencyHz: 300, amplitude: 24000 }) }))));
      await until(() => seen[seen.length - 1] === 'alice', 20000, 'alice dominant again');
      expect(seen.indexOf('agent')).to.be.below(seen.lastIndexOf('alice'));
      expect(raw.map((e) => official(e).dominantSpeakerChanged)).to.deep.equal(raw.map((e) => ({ userId: e.dominantSpeakerChanged!.userId, sessionId: e.dominantSpeakerChanged!.sessionId })));
      expect(raw.map((e) => e.dominantSpeakerChanged!.sessionId)).to.include.members([call.sessionId, alice.sessionId]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('emu.updateGrants reaches callGrants$ (and reads the same in the official client)', async () => {
    const { emu, join } = ctx();
    const call = await join('agent', 'grants');
    const grants = firstValueFrom(call.callGrants$.pipe(take(2), toArray(), timeout(20000)));
    const raw = firstEvent(call, 'callGrantsUpdated');
    emu.updateGrants(call.sessionId, { canPublishAudio: false, canPublishVideo: true, canScreenshare: false }, 'muted by the host');
    emu.updateGrants(call.sessionId, { canPublishAudio: true, canPublishVideo: true, canScreenshare: true });
    expect(await grants).to.deep.equal([
      { canPublishAudio: false, canPublishVideo: true, canScreenshare: false },
      { canPublishAudio: true, canPublishVideo: true, canScreenshare: true },
    ]);
    const theirs = official(await raw);
    expect(theirs.oneofKind).to.equal('callGrantsUpdated');
    expect(theirs.callGrantsUpdated).to.deep.equal({ currentGrants: { canPublishAudio: false, canPublishVideo: true, canScreenshare: false }, message: 'muted by the host' });
    expect(() => emu.updateGrants('nobody', { canPublishAudio: true, canPublishVideo: true, canScreenshare: true })).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
  });
});
