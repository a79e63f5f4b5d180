import { expect } from 'chai';
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { useEmulator } from './e2e-fixture.js';

describe('call e2e: participant streams', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  it('joined, left, mute changes of others and our own capabilities, as typed streams', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'streams', userId: 'human', audio: true });
    const observer = await join('observer', 'streams');
    const wait = <T>(o: Parameters<typeof firstValueFrom<T>>[0]) => firstValueFrom(o.pipe(timeout(20000)));
    expect((await wait(observer.participantJoined$)).userId, 'those already there first').to.equal('human');
    expect(await wait(observer.ownCapabilities$)).to.include('send-audio');

    const agentJoined = wait(observer.participantJoined$.pipe(filter((p) => p.userId === 'agent')));
    const agent = await join('agent', 'streams');
    expect((await agentJoined).sessionId).to.equal(agent.sessionId);

    const published = wait(observer.trackChanges$.pipe(filter((c) => c.userId === 'agent' && c.published)));
    const track = await agent.publishAudioRtp(opusRtpPackets$());
    expect((await published).trackType).to.equal(TrackType.TRACK_TYPE_AUDIO);
    const muted = wait(observer.trackChanges$.pipe(filter((c) => c.userId === 'agent'), take(1)));
    await track.mute();
    expect(await muted).to.include({ published: false, muted: true, cause: 'TRACK_UNPUBLISH_REASON_USER_MUTED' });

    const left = wait(observer.participantLeft$);
    await human.leave();
    expect((await left).userId).to.equal('human');
  });
});
