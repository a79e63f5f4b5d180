import { expect } from 'chai';
import { request } from 'node:http';
import { CallEndedReason, ErrorCode, GoAwayReason, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { coordinatorJoin, credentialsFor, joinAgent, startTestEmulator, useTestEmulator, type JoinedAgent } from './support/fixture.js';
import { RawSfuClient } from './support/sfu-client.js';
import { until } from './support/until.js';

describe('emulator fault injection (observed from the client side)', () => {
  const t = useTestEmulator({ sfuCount: 1 });
  let alice: JoinedAgent;
  const keep = (c: RawSfuClient) => t().keep(c);
  beforeEach(async () => {
    alice = await joinAgent(t().emu, 'alice');
    keep(alice.client);
  });
  const healthChecksOf = (sessionId: string) => t().emu.records.healthChecks.filter((h) => h.sessionId === sessionId);

  describe('per session', () => {
    it('destroyTcp: the socket closes without a close frame (1006)', async () => {
      t().emu.faults.session(alice.sessionId).destroyTcp();
      expect((await alice.client.closed).code).to.equal(1006);
    });

    it('close(code): the client sees that close code', async () => {
      t().emu.faults.session(alice.sessionId).close(4321, 'bye');
      expect(await alice.client.closed).to.deep.equal({ code: 4321, reason: 'bye' });
    });

    it('goSilent: health checks go unanswered on an open socket; resume: answered again', async () => {
      const faults = t().emu.faults.session(alice.sessionId);
      faults.goSilent();
      alice.client.send({ healthCheckRequest: {} });
      alice.client.send({ healthCheckRequest: {} });
      await until(() => healthChecksOf(alice.sessionId).length === 2, 5000, 'health checks to reach the SFU');
      expect(healthChecksOf(alice.sessionId).map((h) => h.answered)).to.deep.equal([false, false]);
      faults.sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, S.WEBSOCKET_RECONNECT_STRATEGY_FAST);
      faults.resume();
      alice.client.send({ healthCheckRequest: {} });
      await alice.client.waitFor('healthCheckResponse');
      expect(alice.client.count('healthCheckResponse')).to.equal(1);
      expect(alice.client.count('error'), 'events are swallowed too while silent').to.equal(0);
    });

    it('delayFrames(ms): frames are held, then arrive in order', async () => {
      t().emu.faults.session(alice.sessionId).delayFrames(300);
      alice.client.send({ healthCheckRequest: {} });
      await until(() => healthChecksOf(alice.sessionId).length === 1, 5000, 'health check to reach the SFU');
      t().emu.faults.session(alice.sessionId).goAway();
      expect(alice.client.count('healthCheckResponse'), 'not delivered on the spot').to.equal(0);
      await alice.client.waitFor('goAway');
      const kinds = alice.client.events.map((e) => e.eventPayload);
      expect(kinds.slice(-2)).to.deep.equal(['healthCheckResponse', 'goAway']);
    });

    it('sendError(code, strategy): an error event with both', async () => {
      t().emu.faults.session(alice.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, 'lost you');
      const event = await alice.client.waitFor('error');
      expect(event.error!.error).to.include({ code: ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, message: 'lost you' });
      expect(event.error!.reconnectStrategy).to.equal(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    });

    it('goAway(reason) and callEnded(reason)', async () => {
      const faults = t().emu.faults.session(alice.sessionId);
      faults.goAway(GoAwayReason.GO_AWAY_REASON_REBALANCE);
      faults.callEnded(CallEndedReason.CALL_ENDED_REASON_KICKED);
      expect((await alice.client.waitFor('goAway')).goAway!.reason).to.equal(GoAwayReason.GO_AWAY_REASON_REBALANCE);
      expect((await alice.client.waitFor('callEnded')).callEnded!.reason).to.equal(CallEndedReason.CALL_ENDED_REASON_KICKED);
    });

    it('callEnded ends the call: everyone gets call_ended and is removed, and the coordinator refuses to join it again (403 JoinEndedCall)', async () => {
      const bob = keep((await joinAgent(t().emu, 'bob')).client);
      t().emu.faults.session(alice.sessionId).callEnded();
      await Promise.all([alice.client.waitFor('callEnded'), bob.waitFor('callEnded')]);
      await until(() => t().emu.liveSessions('default:demo').length === 0, 5000, 'everyone removed');
      for (const create of [true, false]) {
        const again = await coordinatorJoin(t().emu, { userId: 'carol', body: { create } });
        expect(again.status, 'a REJOIN or a new join of the ended call').to.equal(403);
        expect(again.json()).to.include({ code: 17, StatusCode: 403, unrecoverable: true });
        expect(again.json().message).to.contain('JoinEndedCall');
      }
      expect((await coordinatorJoin(t().emu, { userId: 'carol', callId: 'another' })).status, 'other calls are untouched').to.equal(200);
    });

    it('an unknown session id is a typed error', () => {
      expect(() => t().emu.faults.session('nope')).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
    });
  });

  describe('per SFU', () => {
    const sfuId = () => alice.credentials.server.edge_name;

    for (const [mode, code, strategy] of [
      ['sfu-full', ErrorCode.ERROR_CODE_SFU_FULL, S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE],
      ['disconnect', ErrorCode.ERROR_CODE_CALL_NOT_FOUND, S.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT],
    ] as const) {
      it(`rejectJoins(n, "${mode}"): ${ErrorCode[code]} with strategy ${S[strategy]} instead of a join_response, then close; the join after n succeeds`, async () => {
        t().emu.faults.sfu(sfuId()).rejectJoins(1, mode);
        const refused = await joinAgent(t().emu, 'bob');
        keep(refused.client);
        expect(refused.response.error!.error!.code).to.equal(code);
        expect(refused.response.error!.reconnectStrategy).to.equal(strategy);
        expect((await refused.client.closed).code).to.equal(1011);
        const ok = await joinAgent(t().emu, 'bob');
        keep(ok.client);
        expect(ok.response.eventPayload).to.equal('joinResponse');
      });
    }

    it('rejectJoins(n, "never-answer"): the socket stays open and nothing is ever sent', async () => {
      t().emu.faults.sfu(sfuId()).rejectJoins(1, 'never-answer');
      const creds = await credentialsFor(t().emu, 'bob');
      const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
      client.send({ joinRequest: { token: creds.token, sessionId: 'bob-1' } });
      client.send({ healthCheckRequest: {} });
      await until(() => t().emu.records.joins.at(-1)?.detail === 'never-answer', 5000, 'join to be swallowed');
      expect(client.events).to.deep.equal([]);
      expect(t().emu.liveSessions().map((s) => s.userId)).to.deep.equal(['alice']);
    });

    it('rejectJoins(n, "close-before-join-response"): closed with 1011 and no event', async () => {
      t().emu.faults.sfu(sfuId()).rejectJoins(1, 'close-before-join-response');
      const creds = await credentialsFor(t().emu, 'bob');
      const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
      client.send({ joinRequest: { token: creds.token, sessionId: 'bob-1' } });
      expect((await client.closed).code).to.equal(1011);
      expect(client.events).to.deep.equal([]);
    });

    it('goSilent / resume for every session of the SFU, new ones included', async () => {
      const faults = t().emu.faults.sfu(sfuId());
      faults.goSilent();
      alice.client.send({ healthCheckRequest: {} });
      await until(() => healthChecksOf(alice.sessionId).length === 1, 5000, 'health check');
      expect(healthChecksOf(alice.sessionId)[0]!.answered).to.equal(false);
      faults.resume();
      alice.client.send({ healthCheckRequest: {} });
      await alice.client.waitFor('healthCheckResponse');
    });

    it('sendError / goAway / callEnded reach every session of the SFU', async () => {
      const bob = await joinAgent(t().emu, 'bob');
      keep(bob.client);
      t().emu.faults.sfu(sfuId()).goAway();
      await Promise.all([alice.client.waitFor('goAway'), bob.client.waitFor('goAway')]);
      t().emu.faults.sfu(sfuId()).callEnded();
      await Promise.all([alice.client.waitFor('callEnded'), bob.client.waitFor('callEnded')]);
    });

    it('destroyTcp destroys every socket of the SFU', async () => {
      const bob = await joinAgent(t().emu, 'bob');
      keep(bob.client);
      t().emu.faults.sfu(sfuId()).destroyTcp();
      expect((await alice.client.closed).code).to.equal(1006);
      expect((await bob.client.closed).code).to.equal(1006);
    });

    it('kill: sockets die (1006), the port refuses connections; restart: answers again, but the lost session cannot FAST-resume', async () => {
      const faults = t().emu.faults.sfu(sfuId());
      await faults.kill();
      expect((await alice.client.closed).code).to.equal(1006);
      await expectRefused(alice.credentials.server.ws_endpoint.replace('ws:', 'http:'));
      await faults.restart();
      const again = keep(await RawSfuClient.connect(alice.credentials.server.ws_endpoint));
      const answer = await again.join({ token: alice.credentials.token, sessionId: alice.sessionId, reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_FAST } });
      expect(answer.error!.error!.code).to.equal(ErrorCode.ERROR_CODE_PARTICIPANT_RECONNECT_FAILED);
      expect(answer.error!.reconnectStrategy).to.equal(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
      const rejoined = await joinAgent(t().emu, 'alice', 'demo', { reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, previousSessionId: alice.sessionId } });
      keep(rejoined.client);
      expect(rejoined.response.eventPayload).to.equal('joinResponse');
      expect(t().emu.liveSessions().map((s) => s.sessionId)).to.deep.equal([rejoined.sessionId]);
    });

    it('a session of a killed SFU can MIGRATE to another SFU (no participant_migration_complete: the SFU that would say it is dead)', async () => {
      const two = t().keep((await startTestEmulator({ sfuCount: 2 })).emu);
      const bob = await joinAgent(two, 'bob');
      keep(bob.client);
      await two.faults.sfu(bob.credentials.server.edge_name).kill();
      const creds = await credentialsFor(two, 'bob', 'demo', { migrating_from: bob.credentials.server.edge_name });
      const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
      const answer = await client.join({ token: creds.token, sessionId: bob.sessionId, reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE } });
      expect(answer.eventPayload).to.equal('joinResponse');
      client.send({ healthCheckRequest: {} });
      await client.waitFor('healthCheckResponse');
      expect(client.count('participantMigrationComplete')).to.equal(0);
      expect(two.liveSessions()).to.deep.include({ callCid: 'default:demo', userId: 'bob', sessionId: bob.sessionId, sfuId: creds.server.edge_name, connected: true, simulated: false });
    });

    it('the coordinator stops handing out a killed SFU', async () => {
      const two = t().keep((await startTestEmulator({ sfuCount: 2 })).emu);
      await two.faults.sfu('sfu-0').kill();
      for (let i = 0; i < 3; i++) expect((await credentialsFor(two, `u${i}`, `k${i}`)).server.edge_name).to.equal('sfu-1');
    });
  });
});

function expectRefused(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, () => reject(new Error('a killed SFU answered')));
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve() : reject(err)));
    req.end();
  });
}
