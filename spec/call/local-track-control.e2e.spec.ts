import { expect } from 'chai';
import { firstValueFrom, map, range } from 'rxjs';
import { pcmSignalFrame } from '../../lib/media/index.js';
import { ErrorCode, TrackType, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import type { Call } from '../../lib/call/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { participantsWhere, until, useEmulator } from './e2e-fixture.js';

const AUDIO = TrackType.TRACK_TYPE_AUDIO;

/** A minute of a 24 kHz 440 Hz tone as PCM frames, all at once: `publishAudio` paces it. */
const tone$ = () => range(0, 3000).pipe(map((i) => ({ sampleRate: 24000, channels: 1 as const, samples: pcmSignalFrame(i, { sampleRate: 24000, frameSamples: 480, frequencyHz: 440 }) })));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `observer` sees user `userId` publishing audio (or not). */
function seesAudio(observer: Call, userId: string, publishing: boolean) {
  return participantsWhere(observer, (m) => [...m.values()].some((p) => p.userId === userId && p.publishedTracks.includes(AUDIO) === publishing), 20000);
}

describe('call e2e: local track mute, unmute and stop', function () {
  this.timeout(60000);
  const ctx = useEmulator();

  async function setUp(callId: string) {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId, userId: 'human', audio: true });
    const agent = await join('agent', callId);
    const observer = await join('observer', callId);
    const track = await agent.publishAudio(tone$());
    await seesAudio(observer, 'agent', true);
    const heard = () => human.received().find((r) => r.fromSessionId === agent.sessionId && r.trackType === AUDIO)?.packets ?? 0;
    await until(() => heard() >= 10, 20000, 'the agent heard');
    return { emu, human, agent, observer, track, heard };
  }

  it('mute reaches the SFU (UpdateMuteStates) and the others (track unpublished); media stops; unmute brings both back', async () => {
    const { emu, agent, observer, track, heard } = await setUp('mute');
    await track.mute();
    expect(track.muted).to.equal(true);
    const muteRpc = emu.records.rpcs.filter((r) => r.method === 'UpdateMuteStates' && r.sessionId === agent.sessionId);
    expect(muteRpc.map((r) => r.status)).to.deep.equal([200]);
    await seesAudio(observer, 'agent', false);
    // Nothing more reaches the human (a packet or two may have been in flight).
    const atMute = heard();
    await pause(300);
    expect(heard() - atMute).to.be.below(5);
    await track.unmute();
    expect(track.muted).to.equal(false);
    await seesAudio(observer, 'agent', true);
    const atUnmute = heard();
    await until(() => heard() >= atUnmute + 20, 20000, 'media again after unmute');
  });

  it('a muted track stays muted through a REJOIN (the new session announces it muted), and unmutes after it', async () => {
    const { emu, agent, observer, track, heard } = await setUp('mute-rejoin');
    await track.mute();
    await seesAudio(observer, 'agent', false);
    const before = agent.sessionId;
    emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await until(() => agent.sessionId !== before && agent.state === 'joined', 30000, 'the REJOIN');
    await participantsWhere(observer, (m) => m.has(agent.sessionId), 20000);
    expect(observer.participants.get(agent.sessionId)!.publishedTracks, 'the new session is muted for the others').to.not.include(AUDIO);
    const setPublisher = emu.records.rpcs.filter((r) => r.method === 'SetPublisher' && r.sessionId === agent.sessionId);
    expect(setPublisher.length).to.be.greaterThan(0);
    const atRejoin = heard();
    await pause(300);
    expect(heard() - atRejoin, 'still no media').to.be.below(5);
    await track.unmute();
    await seesAudio(observer, 'agent', true);
    await until(() => heard() >= atRejoin + 20, 20000, 'media after unmute');
  });

  it('stop unpublishes: the others see the track gone, the SFU lists it no more, media stops; mute after stop is refused', async () => {
    const { agent, observer, track, heard } = await setUp('stop');
    const remoteAtObserver = await new Promise<{ ended: Promise<void> }>((resolve) => {
      const sub = observer.remoteTracks$.subscribe((t) => {
        if (t.participant.userId === 'agent' && t.kind === 'audio') {
          resolve({ ended: new Promise<void>((done) => t.rtp$.subscribe({ complete: () => done() })) });
          queueMicrotask(() => sub.unsubscribe());
        }
      });
    });
    await track.stop();
    await seesAudio(observer, 'agent', false);
    await remoteAtObserver.ended;
    expect(agent.participants.get(agent.sessionId)!.publishedTracks, 'our own entry').to.not.include(AUDIO);
    const atStop = heard();
    await pause(300);
    expect(heard() - atStop).to.be.below(5);
    await track.stop(); // idempotent
    let error: unknown;
    await track.mute().catch((e: unknown) => (error = e));
    expect(isRxsfuError(error, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });

  it('a stopped track stays stopped through a REJOIN: the new session publishes nothing, no media reaches anyone', async () => {
    const { emu, agent, observer, track, heard } = await setUp('stop-rejoin');
    await track.stop();
    await seesAudio(observer, 'agent', false);
    const before = agent.sessionId;
    emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await until(() => agent.sessionId !== before && agent.state === 'joined', 30000, 'the REJOIN');
    await participantsWhere(observer, (m) => m.has(agent.sessionId), 20000);
    expect(observer.participants.get(agent.sessionId)!.publishedTracks, 'the new session announces no audio').to.not.include(AUDIO);
    const atRejoin = heard();
    await pause(500);
    expect(heard() - atRejoin, 'no media after the REJOIN').to.be.below(5);
    expect(observer.participants.get(agent.sessionId)!.publishedTracks).to.not.include(AUDIO);
  });

  it('a muted track stays muted through a FAST reconnect (same session), and unmutes after it', async () => {
    const { emu, agent, observer, track, heard } = await setUp('mute-fast');
    await track.mute();
    await seesAudio(observer, 'agent', false);
    const reconnected = firstValueFrom(agent.reconnections$);
    emu.faults.session(agent.sessionId).destroyTcp();
    expect((await reconnected).strategiesTried).to.deep.equal(['fast']);
    const atFast = heard();
    await pause(500);
    expect(heard() - atFast, 'still no media').to.be.below(5);
    expect(observer.participants.get(agent.sessionId)!.publishedTracks, 'still muted for the others').to.not.include(AUDIO);
    await track.unmute();
    await seesAudio(observer, 'agent', true);
    await until(() => heard() >= atFast + 20, 20000, 'media after unmute');
  });
});
