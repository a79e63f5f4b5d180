/**
 * Faults that keep the SFU session: the agent comes back with FAST (same session, same peers, new
 * socket, publisher ICE restart), over real sockets and real werift media.
 */
import { expect } from 'chai';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { expectRecovered, lastReconnectJoin, reachState, recovered, scenarioPerTest, type Scenario } from './support/scenario.js';

describe('reconnect e2e: FAST', function () {
  this.timeout(45000);
  const scenarios = scenarioPerTest();

  async function expectFast(scenario: Scenario, source: string, sessionBefore: string): Promise<void> {
    const record = await recovered(scenario);
    expect(record.outcome).to.equal('joined');
    expect(record.trigger.source).to.equal(source);
    expect(record.strategiesTried).to.deep.equal(['fast']);
    expect(scenario.records).to.have.length(1);
    expect(scenario.call.sessionId, 'FAST keeps the session').to.equal(sessionBefore);
    const join = lastReconnectJoin(scenario);
    expect(join.outcome).to.equal('resumed');
    expect(join.sessionId).to.equal(sessionBefore);
    expect(join.reconnectDetails).to.include({
      strategy: 'WEBSOCKET_RECONNECT_STRATEGY_FAST', fromSfuId: 'sfu-0', reconnectAttempt: 1, announcedTracks: 1, subscriptions: 1, previousSessionId: '',
    });
    await expectRecovered(scenario);
    expect(scenario.states).to.include('reconnecting');
    expect(scenario.emu.records.leaves.filter((l) => l.sessionId === sessionBefore), 'the SFU never dropped the session').to.deep.equal([]);
  }

  it('TCP destroyed (1006) → FAST → media both ways again', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    s.emu.faults.session(before).destroyTcp();
    await expectFast(s, 'connection-lost', before);
    expect(s.records[0]!.trigger.detail).to.match(/^close 1006/);
  });

  it('silence (no health answers) → heartbeat timeout → FAST', async () => {
    const s = await scenarios.start({ join: { unhealthyAfterMs: 1500, healthCheckIntervalMs: 500 } });
    const before = s.call.sessionId;
    const faults = s.emu.faults.session(before);
    faults.goSilent();
    // The silence lasts until the agent gives up on the socket: the session's fault flag would
    // otherwise swallow the FAST join_response too (the network is back by then).
    await reachState(s.call, 'reconnecting');
    faults.resume();
    await expectFast(s, 'connection-lost', before);
    expect(s.records[0]!.trigger.detail).to.match(/^heartbeat-timeout/);
  });

  it('close 1011 → FAST', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    s.emu.faults.session(before).close(1011, 'internal error');
    await expectFast(s, 'connection-lost', before);
    expect(s.records[0]!.trigger.detail).to.match(/^close 1011/);
  });

  it('SFU error with strategy FAST → FAST', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, S.WEBSOCKET_RECONNECT_STRATEGY_FAST, 'please reconnect');
    await expectFast(s, 'sfu-error', before);
    expect(s.records[0]!.trigger.detail).to.equal('SFU error 500: please reconnect');
  });
});
