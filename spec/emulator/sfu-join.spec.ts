import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { CallEndedReason, ErrorCode, TrackType, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import { coordinatorJoin, credentialsFor, joinAgent, useTestEmulator } from './support/fixture.js';
import { RawSfuClient } from './support/sfu-client.js';

describe('emulator SFU join and signaling', () => {
  const t = useTestEmulator({ sfuCount: 2 });
  const track = <T extends { client: RawSfuClient }>(x: T): T => (t().keep(x.client), x);

  it('answers a JoinRequest with a good token with join_response and the call state', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    expect(alice.response.eventPayload).to.equal('joinResponse');
    const response = alice.response.joinResponse!;
    expect(response.reconnected).to.equal(false);
    expect(response.fastReconnectDeadlineSeconds).to.equal(10);
    expect(response.callState!.participantCount!.total).to.equal(1);
    const me = response.callState!.participants![0]!;
    expect(me).to.include({ userId: 'alice', sessionId: alice.sessionId });
    expect(me.trackLookupPrefix).to.match(/^[0-9a-f]{12}$/);
    expect(response.callState!.startedAt).to.not.equal(null);
    expect(t().emu.records.joins.at(-1)).to.include({ sessionId: alice.sessionId, userId: 'alice', callCid: 'default:demo', outcome: 'joined', reconnectDetails: undefined });
    expect(t().media.some((m) => m.sessions.has(alice.sessionId)), 'media plane got addSession').to.equal(true);
  });

  it('refuses a bad token with an UNAUTHENTICATED error event and closes', async () => {
    const creds = await credentialsFor(t().emu, 'alice');
    const client = new RawSfuClient(creds.server.ws_endpoint);
    t().keep(client);
    await client.opened;
    const answer = await client.join({ token: creds.token.slice(0, -3) + 'abc', sessionId: randomUUID() });
    expect(answer.eventPayload).to.equal('error');
    expect(answer.error!.error!.code).to.equal(ErrorCode.ERROR_CODE_UNAUTHENTICATED);
    expect(answer.error!.reconnectStrategy).to.equal(WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT);
    expect((await client.closed).code).to.equal(1008);
    expect(t().emu.liveSessions()).to.deep.equal([]);
  });

  it('refuses a token minted for another SFU', async () => {
    const creds = await credentialsFor(t().emu, 'alice');
    const other = t().emu.sfus.find((s) => s.id !== creds.server.edge_name)!;
    const client = await RawSfuClient.connect(other.wsEndpoint);
    t().keep(client);
    const answer = await client.join({ token: creds.token, sessionId: randomUUID() });
    expect(answer.error!.error!.code).to.equal(ErrorCode.ERROR_CODE_UNAUTHENTICATED);
  });

  it('answers health checks with the participant count', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    track(await joinAgent(t().emu, 'bob'));
    alice.client.send({ healthCheckRequest: {} });
    const health = await alice.client.waitFor('healthCheckResponse');
    expect(health.healthCheckResponse!.participantCount!.total).to.equal(2);
  });

  it('keeps the socket and answers an error event to a frame that does not decode', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    alice.client.sendRaw(Uint8Array.from([0xff, 0xff, 0xff]));
    const error = await alice.client.waitFor('error');
    expect(error.error!.error!.code).to.equal(ErrorCode.ERROR_CODE_REQUEST_VALIDATION_FAILED);
    alice.client.send({ healthCheckRequest: {} });
    await alice.client.waitFor('healthCheckResponse');
  });

  it('tells the others about a join and a leave, across SFUs of the same call', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    // Bob is forced onto the other SFU.
    const bobCreds = await credentialsFor(t().emu, 'bob', 'demo', { migrating_from: alice.credentials.server.edge_name });
    expect(bobCreds.server.edge_name).to.not.equal(alice.credentials.server.edge_name);
    const bob = track(await joinAgent(t().emu, 'bob', 'demo', {}, bobCreds));
    const joined = await alice.client.waitFor('participantJoined');
    expect(joined.participantJoined!.participant).to.include({ userId: 'bob', sessionId: bob.sessionId });
    expect(joined.participantJoined!.callCid).to.equal('default:demo');
    expect(bob.response.joinResponse!.callState!.participants!.map((p) => p.userId).sort()).to.deep.equal(['alice', 'bob']);
    bob.client.send({ leaveCallRequest: { sessionId: bob.sessionId, reason: 'done' } });
    const left = await alice.client.waitFor('participantLeft');
    expect(left.participantLeft!.participant!.sessionId).to.equal(bob.sessionId);
    expect(t().emu.records.leaves.at(-1)).to.include({ sessionId: bob.sessionId, reason: 'leave-request' });
    expect(t().emu.liveSessions('default:demo').map((s) => s.userId)).to.deep.equal(['alice']);
  });

  it('treats a close with 1000 as a leave', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    const bob = track(await joinAgent(t().emu, 'bob'));
    await bob.client.close(1000, 'bye');
    const left = await alice.client.waitFor('participantLeft');
    expect(left.participantLeft!.participant!.userId).to.equal('bob');
    expect(t().emu.records.leaves.at(-1)!.reason).to.equal('socket-closed-normally');
    expect(t().emu.records.sockets.some((s) => s.sessionId === bob.sessionId && s.code === 1000)).to.equal(true);
  });

  it('does not tell the others about a socket lost without a leave (FAST window)', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    const bob = track(await joinAgent(t().emu, 'bob'));
    await bob.client.terminate();
    alice.client.send({ healthCheckRequest: {} });
    const health = await alice.client.nextOf('healthCheckResponse');
    expect(health.healthCheckResponse!.participantCount!.total).to.equal(2);
    expect(alice.client.count('participantLeft')).to.equal(0);
    expect(t().emu.liveSessions('default:demo').find((s) => s.userId === 'bob')).to.include({ connected: false });
  });

  it('announces a simulated participant with participant_joined and track_published, and its leave', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, video: true });
    const joined = await alice.client.waitFor('participantJoined');
    expect(joined.participantJoined!.participant).to.include({ userId: 'human', sessionId: human.sessionId });
    await alice.client.waitFor('trackPublished', (e) => e.trackPublished!.type === TrackType.TRACK_TYPE_VIDEO);
    await alice.client.waitFor('trackPublished', (e) => e.trackPublished!.type === TrackType.TRACK_TYPE_AUDIO);
    expect(human.sfuId).to.equal(alice.credentials.server.edge_name);
    const plane = t().media.find((m) => m.sessions.has(human.sessionId))!;
    expect(plane.calls.find((c) => c.method === 'addSimulatedParticipant')!.args[0]).to.deep.equal({ audio: true, video: true });
    await human.leave();
    const left = await alice.client.waitFor('participantLeft');
    expect(left.participantLeft!.participant!.sessionId).to.equal(human.sessionId);
    expect(plane.sessions.has(human.sessionId)).to.equal(false);
  });

  it('endCall: call_ended to everyone, all removed as left, and the ended call cannot be joined again (403 JoinEndedCall)', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    const bob = track(await joinAgent(t().emu, 'bob'));
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human' });
    await t().emu.endCall('default:demo', CallEndedReason.CALL_ENDED_REASON_KICKED);
    for (const client of [alice.client, bob.client]) {
      expect((await client.waitFor('callEnded')).callEnded!.reason).to.equal(CallEndedReason.CALL_ENDED_REASON_KICKED);
      expect(await client.closed, 'then the SFU closes the socket normally').to.deep.equal({ code: 1000, reason: 'call ended' });
    }
    expect(t().emu.liveSessions()).to.deep.equal([]);
    const ended = t().emu.records.leaves.filter((l) => l.reason === 'call-ended').map((l) => l.sessionId);
    expect(ended).to.have.members([alice.sessionId, bob.sessionId, human.sessionId]);
    expect(t().media.every((m) => m.sessions.size === 0), 'media torn down').to.equal(true);
    const rejoin = await coordinatorJoin(t().emu, { userId: 'alice', body: { create: false } });
    expect(rejoin.status).to.equal(403);
    expect(rejoin.json()).to.include({ code: 17, unrecoverable: true });
  });

  it('a JoinRequest that reaches the SFU after endCall (credentials taken before) gets call_ended and a normal close, never a session in the ended call', async () => {
    const alice = track(await joinAgent(t().emu, 'alice'));
    const creds = await credentialsFor(t().emu, 'bob');
    await t().emu.endCall('default:demo');
    const late = new RawSfuClient(creds.server.ws_endpoint);
    t().keep(late);
    await late.opened;
    const answer = late.waitFor('callEnded');
    late.send({ joinRequest: { token: creds.token, sessionId: randomUUID() } });
    expect((await answer).callEnded!.reason).to.equal(CallEndedReason.CALL_ENDED_REASON_ENDED);
    expect(await late.closed).to.deep.equal({ code: 1000, reason: 'call ended' });
    expect(t().emu.records.joins.at(-1)).to.include({ userId: 'bob', outcome: 'rejected', detail: 'call ended' });
    expect(t().emu.liveSessions()).to.deep.equal([]);
    await alice.client.closed;
  });
});
