import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { joinCall, type Call } from '../../lib/call/index.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { packetsCounted, participantsWhere, remoteTrack, until, useEmulator } from './e2e-fixture.js';

describe('call e2e: participants come and go', function () {
  this.timeout(45000);
  const ctx = useEmulator();

  it('a participant who joins appears with its track; when it leaves it is gone and its rtp$ completes', async () => {
    const { emu, join } = ctx();
    const first = await emu.addParticipant({ callId: 'churn', userId: 'human', audio: true });
    const call = await join('agent', 'churn');
    await participantsWhere(call, (m) => m.has(first.sessionId));

    const second = await emu.addParticipant({ callId: 'churn', userId: 'guest', audio: true });
    const joined = await participantsWhere(call, (m) => m.has(second.sessionId));
    expect(joined.get(second.sessionId)!.userId).to.equal('guest');
    expect(joined.get(second.sessionId)!.publishedTracks).to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);
    const track = await remoteTrack(call, 'guest', TrackType.TRACK_TYPE_AUDIO);
    expect(track.participant.sessionId).to.equal(second.sessionId);
    const ended = lastValueFrom(track.rtp$.pipe(toArray()));
    await packetsCounted(track.rtp$, 10);

    await second.leave();
    const after = await participantsWhere(call, (m) => !m.has(second.sessionId));
    expect([...after.values()].map((p) => p.userId).sort()).to.deep.equal(['agent', 'human']);
    await ended;
    const firstTrack = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    await packetsCounted(firstTrack.rtp$, 10);
  });

  it('twenty agents join one call at once, hear the human, are heard, and all leave cleanly', async () => {
    const { emu, options, track } = ctx();
    const human = await emu.addParticipant({ callId: 'crowd', userId: 'human', audio: true });
    const ids = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
    const calls: Call[] = await Promise.all(ids.map(async (id) => track(await joinCall(options(id, 'crowd')))));
    expect(new Set(calls.map((c) => c.sessionId)).size).to.equal(20);

    await Promise.all(calls.map((c) => participantsWhere(c, (m) => m.size === 21, 30000)));
    for (const c of calls) expect([...c.participants.values()].filter((p) => p.isLocal).map((p) => p.sessionId)).to.deep.equal([c.sessionId]);
    await Promise.all(calls.map(async (c) => packetsCounted((await remoteTrack(c, 'human', TrackType.TRACK_TYPE_AUDIO, 30000)).rtp$, 10, 30000)));

    const speakers = calls.slice(0, 3);
    await Promise.all(speakers.map((c) => c.publishAudioRtp(opusRtpPackets$())));
    const heard = (c: Call) => human.received().find((r) => r.fromSessionId === c.sessionId && r.trackType === TrackType.TRACK_TYPE_AUDIO)?.packets ?? 0;
    await until(() => speakers.every((c) => heard(c) >= 10), 30000, 'the speakers\' audio at the human');
    expect(calls.slice(3).map(heard), 'agents that do not publish are not heard').to.deep.equal(Array(17).fill(0));
    const listener = calls[19]!;
    await Promise.all(speakers.map(async (c) => {
      const fromSpeaker = await remoteTrack(listener, c.participants.get(c.sessionId)!.userId, TrackType.TRACK_TYPE_AUDIO, 30000);
      expect(fromSpeaker.participant.sessionId).to.equal(c.sessionId);
      await packetsCounted(fromSpeaker.rtp$, 10, 30000);
    }));

    await Promise.all(calls.map((c) => c.leave('crowd done')));
    expect(calls.map((c) => c.state)).to.deep.equal(Array(20).fill('left'));
    await until(() => emu.liveSessions().length === 1, 10000, 'every agent gone at the SFU');
    expect(emu.liveSessions().map((s) => s.sessionId)).to.deep.equal([human.sessionId]);
    const agentLeaves = emu.records.leaves.filter((l) => l.userId.startsWith('agent-'));
    expect(agentLeaves.map((l) => l.reason)).to.deep.equal(Array(20).fill('leave-request'));
  });
});
