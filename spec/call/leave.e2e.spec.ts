import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, lastValueFrom, toArray, type Observable } from 'rxjs';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { joinCall } from '../../lib/call/index.js';
import { coordinatorJoin$ } from '../../lib/coordinator/index.js';
import { EMULATOR_LOCATION } from '../../lib/emulator/index.js';
import { RxsfuError } from '../../lib/errors.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { decodeSfuRequest, TrackType } from '../../lib/protocol/index.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { CALL_TYPE, emulatorPerTest, packetsCounted, remoteTrack, until } from './e2e-fixture.js';

/** A transparent WebSocket relay in front of an SFU that decodes what the client sends. */
async function recordingRelay(target: string): Promise<{ url: string; sent: ReturnType<typeof decodeSfuRequest>[]; close(): Promise<void> }> {
  const sent: ReturnType<typeof decodeSfuRequest>[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (client) => {
    const upstream = new WebSocket(target);
    const pending: RawData[] = [];
    upstream.on('open', () => pending.splice(0).forEach((d) => upstream.send(d)));
    upstream.on('message', (data) => client.send(data));
    upstream.on('close', (code, reason) => client.close(code, reason));
    upstream.on('error', () => client.terminate());
    client.on('message', (data) => {
      sent.push(decodeSfuRequest(data as Buffer));
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data);
      else pending.push(data);
    });
    client.on('close', (code, reason) => (upstream.readyState === WebSocket.CONNECTING ? upstream.terminate() : upstream.close(code, reason)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    sent,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

/** Resolves with whether `source$` completed (true) once subscribed late; errors reject. */
function completes(source$: Observable<unknown>): Promise<true> {
  return lastValueFrom(source$.pipe(toArray())).then(() => true);
}

describe('call e2e: leave', function () {
  this.timeout(30000);
  const emulators = emulatorPerTest();

  it('leave() tells the SFU, closes with 1000, completes every stream and leaves nothing running', async () => {
    const baseline = await resourceBaseline();
    const { emu, track } = await emulators.start({ host: '127.0.0.1', sfuCount: 1 });
    const human = await emu.addParticipant({ callId: 'leave', userId: 'human', audio: true });
    // The emulator up and idle: what the agent opens must be gone again BEFORE the emulator closes
    // (closing it would also close the agent's sockets from the far side and hide a client leak).
    const idle = await resourceBaseline();
    const call = track(await joinCall(emu.agentOptions('agent', 'leave', CALL_TYPE)));
    const sessionId = call.sessionId;
    const states: string[] = [];
    const stateDone = completes(call.state$).then(() => states);
    call.state$.subscribe((s) => states.push(s));
    const audio = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    await call.publishAudioRtp(opusRtpPackets$());
    await packetsCounted(audio.rtp$, 10);
    const streamsDone = Promise.all([
      completes(call.participants$), completes(call.events$), completes(call.remoteTracks$), completes(call.connectionLost$),
      completes(call.reconnections$), completes(audio.rtp$), completes(audio.replaced$),
    ]);

    await call.leave('done');

    expect(await streamsDone).to.deep.equal([true, true, true, true, true, true, true]);
    const lateSubscribers = Promise.all([completes(call.participants$), completes(call.events$), completes(call.remoteTracks$), completes(call.state$)]);
    expect(await lateSubscribers, 'streams subscribed after leave complete at once').to.deep.equal([true, true, true, true]);
    await stateDone;
    expect(states, 'state$ replays the current state, then ends in left and completes').to.deep.equal(['joined', 'left']);
    expect(call.state).to.equal('left');
    expect(call.failure).to.equal(undefined);
    await until(() => emu.records.leaves.some((l) => l.sessionId === sessionId), 5000, 'the leave at the SFU');
    expect(emu.records.leaves.filter((l) => l.sessionId === sessionId).map((l) => [l.reason, l.clientReason])).to.deep.equal([['leave-request', 'done']]);
    await until(() => emu.records.sockets.some((s) => s.sessionId === sessionId), 5000, 'the socket close at the SFU');
    expect(emu.records.sockets.filter((s) => s.sessionId === sessionId).map((s) => [s.code, s.reason])).to.deep.equal([[1000, 'done']]);
    expect(emu.liveSessions().map((s) => s.sessionId)).to.deep.equal([human.sessionId]);
    expect(await resourceGrowth(idle, 5000), 'agent resources left after leave, emulator still up').to.deep.equal({});

    const late = await call.publishAudioRtp(opusRtpPackets$()).then(() => undefined, (err: unknown) => err);
    expect(late).to.be.instanceOf(RxsfuError);
    expect((late as RxsfuError).code).to.equal('RXSFU_ERR_LEFT');
    expect(() => call.setSubscriptions({ video: true })).to.throw(RxsfuError).with.property('code', 'RXSFU_ERR_LEFT');
    await call.leave('again');
    expect(emu.records.sockets.filter((s) => s.sessionId === sessionId), 'a second leave does nothing').to.have.length(1);
    await emu.close();
    expect(await resourceGrowth(baseline)).to.deep.equal({});
  });

  it('a publish still negotiating when leave() is called rejects with RXSFU_ERR_LEFT', async () => {
    const { join } = await emulators.start({ host: '127.0.0.1', sfuCount: 1 });
    const call = await join('agent', 'cut');
    const publishing = call.publishAudioRtp(opusRtpPackets$()).then(() => undefined, (err: unknown) => err);
    await call.leave('cut short');
    const outcome = await publishing;
    expect(outcome, 'the SFU never accepted this track').to.be.instanceOf(RxsfuError);
    expect((outcome as RxsfuError).code).to.equal('RXSFU_ERR_LEFT');
  });

  it('the LeaveCallRequest on the wire carries the session and the reason, before the 1000 close', async () => {
    const { emu, keep, track } = await emulators.start({ host: '127.0.0.1', sfuCount: 1 });
    const token = await emu.createUserToken('agent');
    const joined = await firstValueFrom(coordinatorJoin$({ baseUrl: emu.coordinatorUrl, apiKey: emu.apiKey, token, callType: CALL_TYPE, callId: 'wire', create: true, location: EMULATOR_LOCATION }));
    const relay = keep(await recordingRelay(joined.credentials.server.wsEndpoint));
    const call = track(await joinCall({ credentials: { ...joined.credentials, server: { ...joined.credentials.server, wsEndpoint: relay.url } }, allowInsecure: true, iceLoopbackOnly: true }));
    const sessionId = call.sessionId;
    await call.leave('done for today');
    await until(() => emu.records.sockets.some((s) => s.sessionId === sessionId), 5000, 'the close at the SFU');
    const leaves = relay.sent.filter((r) => r.leaveCallRequest).map((r) => r.leaveCallRequest);
    expect(leaves.map((l) => [l!.sessionId, l!.reason])).to.deep.equal([[sessionId, 'done for today']]);
    expect(relay.sent.at(-1)?.leaveCallRequest, 'nothing is sent after the leave').to.not.equal(undefined);
    expect(emu.records.sockets.filter((s) => s.sessionId === sessionId).map((s) => s.code)).to.deep.equal([1000]);
  });
});
