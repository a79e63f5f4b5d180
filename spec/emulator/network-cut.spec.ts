import { expect } from 'chai';
import { SIGNAL_SERVICE_PREFIX } from '../../lib/emulator/signal-service.js';
import { coordinatorJoin, joinAgent, joinKept, useTestEmulator, type JoinedAgent } from './support/fixture.js';
import { httpPost } from './support/http.js';
import { until } from './support/until.js';

/**
 * `emu.faults.network(userId)`: one line cuts a client's whole network (signaling both ways, its
 * Twirp calls, its coordinator requests, its UDP) and one restores it. Each check is an ordering:
 * bob (not cut) gets answers while alice's requests stay pending, and alice's arrive after restore.
 */
describe('emulator network cut (faults.network)', () => {
  const t = useTestEmulator({ sfuCount: 1 });
  let alice: JoinedAgent;
  let bob: JoinedAgent;
  beforeEach(async () => {
    [alice, bob] = await joinKept(t(), 'alice', 'bob');
    await alice.client.waitFor('participantJoined');
  });
  const healthChecksOf = (sessionId: string) => t().emu.records.healthChecks.filter((h) => h.sessionId === sessionId);
  const settled = <T>(promise: Promise<T>) => {
    const state = { done: false };
    void promise.then(() => (state.done = true), () => (state.done = true));
    return state;
  };

  it('signaling is held both ways while cut (socket open), then flows in order on restore', async () => {
    const closed = settled(alice.client.closed);
    const before = alice.client.events.length;
    const cut = t().emu.faults.session(alice.sessionId).cutNetwork();
    expect(cut.isCut).to.equal(true);
    alice.client.send({ healthCheckRequest: {} });
    t().emu.faults.session(alice.sessionId).goAway();
    // bob's round trip proves the SFU went on working meanwhile
    bob.client.send({ healthCheckRequest: {} });
    await bob.client.waitFor('healthCheckResponse');
    await until(() => healthChecksOf(bob.sessionId).length === 1, 5000, "bob's health check");
    expect(healthChecksOf(alice.sessionId), "alice's frame has not reached the SFU").to.deep.equal([]);
    expect(alice.client.events.slice(before), 'nothing reached alice').to.deep.equal([]);
    cut.restore();
    expect(cut.isCut).to.equal(false);
    await alice.client.waitFor('healthCheckResponse');
    expect(alice.client.events.slice(before).map((e) => e.eventPayload)).to.deep.equal(['goAway', 'healthCheckResponse']);
    expect(closed.done, 'the socket outlived the cut').to.equal(false);
  });

  it("a new socket's JoinRequest waits for the network too", async () => {
    const cut = t().emu.faults.network('alice').cut();
    const second = settled(joinAgent(t().emu, 'alice', 'demo', {}, alice.credentials).then((j) => (t().keep(j.client), j)));
    const carol = await joinAgent(t().emu, 'carol');
    t().keep(carol.client);
    await until(() => t().emu.records.joins.some((j) => j.userId === 'carol'), 5000, "carol's join");
    expect(second.done, 'alice joined through a cut network').to.equal(false);
    expect(t().emu.records.joins.filter((j) => j.userId === 'alice')).to.have.length(1);
    cut.restore();
    await until(() => second.done, 5000, "alice's second join after restore");
  });

  it('coordinator requests of the cut user wait; other users are answered', async () => {
    const cut = t().emu.faults.network('alice').cut();
    const pending = coordinatorJoin(t().emu, { userId: 'alice' });
    const state = settled(pending);
    expect((await coordinatorJoin(t().emu, { userId: 'bob' })).status).to.equal(200);
    expect(state.done).to.equal(false);
    cut.restore();
    expect((await pending).status).to.equal(200);
  });

  it('Twirp calls with the cut user\'s SFU token wait until restore', async () => {
    const cut = t().emu.faults.network('alice').cut();
    const call = (who: JoinedAgent) => httpPost(`${who.credentials.server.url.replace(/\/twirp$/, '')}${SIGNAL_SERVICE_PREFIX}UpdateMuteStates`,
      JSON.stringify({ sessionId: who.sessionId, muteStates: [] }),
      { 'content-type': 'application/json', authorization: `Bearer ${who.credentials.token}` });
    const pending = call(alice);
    const state = settled(pending);
    expect((await call(bob)).status).to.equal(200);
    expect(state.done).to.equal(false);
    cut.restore();
    expect((await pending).status).to.equal(200);
  });
});
