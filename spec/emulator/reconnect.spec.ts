import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ErrorCode, TrackType, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import type { EmulatorOptions } from '../../lib/emulator/index.js';
import { credentialsFor, joinAgent, joinKept, useTestEmulator } from './support/fixture.js';
import { httpPost } from './support/http.js';
import { RawSfuClient } from './support/sfu-client.js';
import { until } from './support/until.js';
import { realPublisherOffer } from './support/real-offer.js';
import { signal, encodeMessage } from '../../lib/protocol/index.js';

describe('emulator reconnect strategies', () => {
  /** One emulator per test with `options` for the enclosing describe, and `keep` for its raw clients. */
  const fixture = (options: EmulatorOptions) => {
    const t = useTestEmulator(options);
    return { t, keep: (c: RawSfuClient) => t().keep(c) };
  };

  describe('FAST', () => {
    const { t, keep } = fixture({ sfuCount: 1 });

    it('resumes the same session on a new socket: reconnected=true, no leave, no new media session', async () => {
      const [alice, bob] = await joinKept(t(), 'alice', 'bob');
      await alice.client.terminate();
      const again = keep(await RawSfuClient.connect(alice.credentials.server.ws_endpoint));
      const response = await again.join({
        token: alice.credentials.token,
        sessionId: alice.sessionId,
        reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_FAST, reconnectAttempt: 1 },
      });
      expect(response.joinResponse!.reconnected).to.equal(true);
      expect(response.joinResponse!.callState!.participants!.filter((p) => p.userId === 'alice')).to.have.length(1);
      expect(t().emu.records.joins.at(-1)).to.deep.include({ sessionId: alice.sessionId, outcome: 'resumed' });
      expect(t().emu.records.joins.at(-1)!.reconnectDetails).to.include({ strategy: 'WEBSOCKET_RECONNECT_STRATEGY_FAST', reconnectAttempt: 1 });
      expect(t().media[0]!.calls.filter((c) => c.method === 'addSession' && c.sessionId === alice.sessionId)).to.have.length(1);
      expect(t().media[0]!.calls.some((c) => c.method === 'removeSession')).to.equal(false);
      expect(bob.client.count('participantLeft')).to.equal(0);
      again.send({ healthCheckRequest: {} });
      await again.waitFor('healthCheckResponse');
      expect(t().emu.liveSessions().find((s) => s.userId === 'alice')).to.include({ sessionId: alice.sessionId, connected: true });
    });

    it('replays a subscriber offer made while the socket was gone', async () => {
      const alice = await joinAgent(t().emu, 'alice');
      await alice.client.terminate();
      await until(() => t().emu.liveSessions()[0]?.connected === false, 5000, 'server to see the socket gone');
      t().media[0]!.callbacks.subscriberOffer(alice.sessionId, { sdp: 'v=0 offer', negotiationId: 7, iceRestart: false });
      const again = keep(await RawSfuClient.connect(alice.credentials.server.ws_endpoint));
      await again.join({ token: alice.credentials.token, sessionId: alice.sessionId, reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_FAST } });
      const offer = await again.waitFor('subscriberOffer');
      expect(offer.subscriberOffer).to.include({ sdp: 'v=0 offer', negotiationId: 7 });
    });

    it('refuses FAST for an unknown session with PARTICIPANT_RECONNECT_FAILED and strategy REJOIN', async () => {
      const creds = await credentialsFor(t().emu, 'alice');
      const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
      const answer = await client.join({ token: creds.token, sessionId: randomUUID(), reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_FAST } });
      expect(answer.error!.error!.code).to.equal(ErrorCode.ERROR_CODE_PARTICIPANT_RECONNECT_FAILED);
      expect(answer.error!.reconnectStrategy).to.equal(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
      expect(t().emu.records.joins.at(-1)!.outcome).to.equal('rejected');
    });
  });

  describe('FAST deadline', () => {
    const { t, keep } = fixture({ sfuCount: 1, fastReconnectDeadlineSeconds: 0.2 });

    it('drops a session whose socket vanished once the deadline passes (participant_left, media removed)', async () => {
      const alice = await joinAgent(t().emu, 'alice');
      const bob = await joinAgent(t().emu, 'bob');
      keep(bob.client);
      expect(alice.response.joinResponse!.fastReconnectDeadlineSeconds, 'rounded up to whole seconds').to.equal(1);
      await alice.client.terminate();
      const left = await bob.client.waitFor('participantLeft');
      expect(left.participantLeft!.participant!.sessionId).to.equal(alice.sessionId);
      expect(t().emu.records.leaves.at(-1)).to.include({ sessionId: alice.sessionId, reason: 'fast-deadline' });
      expect(t().media[0]!.sessions.has(alice.sessionId)).to.equal(false);
      const late = keep(await RawSfuClient.connect(alice.credentials.server.ws_endpoint));
      const answer = await late.join({ token: alice.credentials.token, sessionId: alice.sessionId, reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_FAST } });
      expect(answer.eventPayload).to.equal('error');
    });
  });

  describe('REJOIN', () => {
    const { t, keep } = fixture({ sfuCount: 2 });

    it('replaces previous_session_id: the old session is left, the new one joined, one live session', async () => {
      const [alice, bob] = await joinKept(t(), 'alice', 'bob');
      await alice.client.terminate();
      const rejoined = await joinAgent(t().emu, 'alice', 'demo', {
        reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, previousSessionId: alice.sessionId, reason: 'test' },
      });
      keep(rejoined.client);
      expect(rejoined.sessionId).to.not.equal(alice.sessionId);
      expect(rejoined.response.joinResponse!.reconnected).to.equal(false);
      const left = await bob.client.waitFor('participantLeft');
      expect(left.participantLeft!.participant!.sessionId).to.equal(alice.sessionId);
      await bob.client.waitFor('participantJoined', (e) => e.participantJoined!.participant!.sessionId === rejoined.sessionId);
      expect(t().emu.records.leaves.at(-1)).to.include({ sessionId: alice.sessionId, reason: 'replaced-by-rejoin' });
      expect(t().emu.records.joins.at(-1)!.reconnectDetails).to.include({ strategy: 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN', previousSessionId: alice.sessionId });
      expect(t().emu.liveSessions('default:demo').filter((s) => s.userId === 'alice').map((s) => s.sessionId)).to.deep.equal([rejoined.sessionId]);
      expect(t().media.some((m) => m.sessions.has(alice.sessionId))).to.equal(false);
    });

    it('does not remove a previous session of another user', async () => {
      const bob = await joinAgent(t().emu, 'bob');
      keep(bob.client);
      const mallory = await joinAgent(t().emu, 'mallory', 'demo', { reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, previousSessionId: bob.sessionId } });
      keep(mallory.client);
      expect(t().emu.liveSessions().map((s) => s.userId).sort()).to.deep.equal(['bob', 'mallory']);
    });
  });

  describe('MIGRATE', () => {
    const { t, keep } = fixture({ sfuCount: 2 });

    async function migrate(announcedTracks: { trackId: string; trackType: TrackType; mid: string }[]) {
      const [alice, bob] = await joinKept(t(), 'alice', 'bob');
      const from = alice.credentials.server.edge_name;
      const creds = await credentialsFor(t().emu, 'alice', 'demo', { migrating_from: from });
      expect(creds.server.edge_name).to.not.equal(from);
      const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
      const response = await client.join({
        token: creds.token,
        sessionId: alice.sessionId,
        reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE, fromSfuId: from, announcedTracks, subscriptions: [{ userId: 'bob', sessionId: bob.sessionId, trackType: TrackType.TRACK_TYPE_AUDIO }] },
      });
      return { alice, bob, from, to: creds.server.edge_name, creds, client, response };
    }

    it('moves the session with the same id; the old SFU says participant_migration_complete on the old socket right away when nothing is announced', async () => {
      const m = await migrate([]);
      expect(m.response.eventPayload).to.equal('joinResponse');
      await m.alice.client.waitFor('participantMigrationComplete');
      m.client.send({ healthCheckRequest: {} });
      await m.client.waitFor('healthCheckResponse');
      expect(m.client.count('participantMigrationComplete'), 'never on the new socket').to.equal(0);
      expect(t().emu.liveSessions().find((s) => s.userId === 'alice')).to.include({ sessionId: m.alice.sessionId, sfuId: m.to });
      const fromPlane = t().media[Number(m.from.slice(4))]!;
      const toPlane = t().media[Number(m.to.slice(4))]!;
      // The old SFU keeps the old copy's media until the client closes the old socket (no gap).
      expect(fromPlane.sessions.has(m.alice.sessionId), 'old SFU still serves the old connection').to.equal(true);
      expect(toPlane.sessions.has(m.alice.sessionId)).to.equal(true);
      expect(toPlane.calls.find((c) => c.method === 'setSubscriptions' && c.sessionId === m.alice.sessionId)?.args[0]).to.have.length(1);
      expect(m.bob.client.count('participantLeft')).to.equal(0);
      expect(t().emu.records.joins.at(-1)).to.include({ outcome: 'migrated', sfuId: m.to });
      // The old socket closing afterwards is no leave; it releases the old copy.
      await m.alice.client.close(1000);
      await until(() => !fromPlane.sessions.has(m.alice.sessionId), 5000, 'old SFU to drop the media once the old socket closed');
      m.bob.client.send({ healthCheckRequest: {} });
      expect((await m.bob.client.nextOf('healthCheckResponse')).healthCheckResponse!.participantCount!.total).to.equal(2);
      expect(m.bob.client.count('participantLeft')).to.equal(0);
    });

    it('waits for SetPublisher on the new SFU before participant_migration_complete (on the old socket) when tracks are announced', async () => {
      const tracks = [{ trackId: 'a', trackType: TrackType.TRACK_TYPE_AUDIO, mid: '0' }];
      const m = await migrate(tracks);
      m.alice.client.send({ healthCheckRequest: {} });
      await m.alice.client.waitFor('healthCheckResponse');
      expect(m.alice.client.count('participantMigrationComplete')).to.equal(0);
      const body = encodeMessage(signal.SetPublisherRequest, { sdp: await realPublisherOffer(), sessionId: m.alice.sessionId, tracks });
      const answer = await httpPost(`${m.creds.server.url}/stream.video.sfu.signal.SignalServer/SetPublisher`, body, {
        'content-type': 'application/protobuf',
        authorization: `Bearer ${m.creds.token}`,
      });
      expect(answer.status).to.equal(200);
      await m.alice.client.waitFor('participantMigrationComplete');
      m.client.send({ healthCheckRequest: {} });
      await m.client.waitFor('healthCheckResponse');
      expect(m.client.count('participantMigrationComplete'), 'never on the new socket').to.equal(0);
    });

    it('refuses MIGRATE of an unknown session with PARTICIPANT_MIGRATION_FAILED', async () => {
      const creds = await credentialsFor(t().emu, 'alice');
      const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
      const answer = await client.join({ token: creds.token, sessionId: randomUUID(), reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE } });
      expect(answer.error!.error!.code).to.equal(ErrorCode.ERROR_CODE_PARTICIPANT_MIGRATION_FAILED);
    });
  });
});
