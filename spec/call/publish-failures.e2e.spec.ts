import { expect } from 'chai';
import { filter, firstValueFrom, timeout } from 'rxjs';
import type { Call } from '../../lib/call/index.js';
import type { MediaPlaneFactory } from '../../lib/emulator/index.js';
import { createMediaPlane } from '../../lib/emulator/media/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { opusRtpPackets$, vp8RtpPackets$ } from '../../lib/media/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { collectUnhandledRejections, participantsWhere, remoteTrack, packetsCounted, until, useEmulator } from './e2e-fixture.js';

type Receiver = { received(): { fromSessionId: string; trackType: TrackType; packets: number }[] };

function receivedFrom(human: Receiver, sessionId: string, trackType: TrackType): number {
  return human.received().find((r) => r.fromSessionId === sessionId && r.trackType === trackType)?.packets ?? 0;
}

/** The SFU's media plane, with `refuse[method]` calls left to fail (the SFU answers them with `models.Error`). */
function refusingMediaFactory(refuse: { handlePublisherOffer: number; setSubscriptions: number }): MediaPlaneFactory {
  return (options) => {
    const plane = createMediaPlane(options);
    return new Proxy(plane, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if ((key === 'handlePublisherOffer' || key === 'setSubscriptions') && refuse[key] > 0) {
            refuse[key] -= 1;
            if (key === 'handlePublisherOffer') return Promise.reject(new Error('permission denied: publish'));
            throw new Error('subscriptions refused');
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
}

describe('call e2e: publish and subscription failures', function () {
  this.timeout(30000);
  const refuse = { handlePublisherOffer: 0, setSubscriptions: 0 };
  const ctx = useEmulator(() => {
    Object.assign(refuse, { handlePublisherOffer: 0, setSubscriptions: 0 });
    return { host: '127.0.0.1', sfuCount: 1, mediaPlaneFactory: refusingMediaFactory(refuse) };
  });
  const join = (userId: string, callId: string): Promise<Call> => ctx().join(userId, callId);

  it('a FAST reconnect during a publish: the publish lands on the reconnected call and its video reaches the participant', async () => {
    const human = await ctx().emu.addParticipant({ callId: 'fast-publish', userId: 'human', audio: true });
    const call = await join('agent', 'fast-publish');
    const rejections = collectUnhandledRejections();
    const reconnected = firstValueFrom(call.reconnections$.pipe(timeout(20000)));
    const published = call.publishVideoRtp(vp8RtpPackets$());
    ctx().emu.faults.session(call.sessionId).destroyTcp();
    const local = await published;
    expect(local.kind).to.equal('video');
    const record = await reconnected;
    expect(record.outcome).to.equal('joined');
    expect(call.state).to.equal('joined');
    await until(() => receivedFrom(human, call.sessionId, TrackType.TRACK_TYPE_VIDEO) >= 20, 15000, 'the agent\'s video at the simulated participant');
    const announced = call.currentConnection!.publisher.announcedTracks().map((t) => t.trackType);
    expect(announced, 'the track is announced once').to.deep.equal([TrackType.TRACK_TYPE_VIDEO]);
    expect(call.participants.get(call.sessionId)!.publishedTracks).to.deep.equal([TrackType.TRACK_TYPE_VIDEO]);
    expect(rejections.stop()).to.deep.equal([]);
  });

  it('a SetPublisher the SFU refuses rejects with its error and leaves no phantom track; the next publish works', async () => {
    const human = await ctx().emu.addParticipant({ callId: 'refused', userId: 'human', audio: true });
    const call = await join('agent', 'refused');
    refuse.handlePublisherOffer = 1;
    const failure = await call.publishVideoRtp(vp8RtpPackets$()).then(() => undefined, (e: unknown) => e);
    expect(isRxsfuError(failure, 'RXSFU_ERR_RPC'), String(failure)).to.equal(true);
    expect((failure as Error).message).to.contain('permission denied: publish');
    expect(call.state).to.equal('joined');
    expect(call.currentConnection!.publisher.announcedTracks(), 'the refused track is taken back').to.deep.equal([]);
    expect(call.participants.get(call.sessionId)!.publishedTracks).to.deep.equal([]);

    const audio = await call.publishAudioRtp(opusRtpPackets$());
    expect(audio.kind).to.equal('audio');
    expect(call.currentConnection!.publisher.announcedTracks().map((t) => t.trackType)).to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);
    expect(call.participants.get(call.sessionId)!.publishedTracks).to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);
    await until(() => receivedFrom(human, call.sessionId, TrackType.TRACK_TYPE_AUDIO) >= 20, 15000, 'the agent\'s audio at the simulated participant');
    expect(receivedFrom(human, call.sessionId, TrackType.TRACK_TYPE_VIDEO), 'no video from the refused track').to.equal(0);
  });

  it('an UpdateSubscriptions the SFU refuses is sent again until the SFU has the list; remote audio arrives', async () => {
    const human = await ctx().emu.addParticipant({ callId: 'resubscribe', userId: 'human', audio: true });
    refuse.setSubscriptions = 1;
    const call = await join('agent', 'resubscribe');
    await participantsWhere(call, (m) => m.has(human.sessionId));
    const audio = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    await packetsCounted(audio.rtp$, 20);
    const lists = ctx().emu.records.subscriptions.filter((r) => r.sessionId === call.sessionId && r.tracks.length > 0);
    expect(lists.length, 'the refused list, then the same list again').to.be.at.least(2);
    expect(lists[0]!.tracks).to.deep.equal(lists[1]!.tracks);
    expect(lists[1]!.tracks.map((t) => [t.sessionId, t.trackType])).to.deep.equal([[human.sessionId, TrackType.TRACK_TYPE_AUDIO]]);
    expect(refuse.setSubscriptions).to.equal(0);
    expect(await firstValueFrom(call.state$.pipe(filter((s) => s === 'joined')))).to.equal('joined');
  });
});
