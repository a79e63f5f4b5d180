/**
 * Harder faults: an SFU that dies, a coordinator or SFU that refuses for a while, a fault in the
 * middle of a reconnect, a fault nothing can recover from, and leave() during an episode. Every
 * wait is bounded: the call never stays in 'reconnecting' forever.
 */
import { expect } from 'chai';
import { isRxsfuError } from '../../lib/errors.js';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { AGENT, CALL_ID, expectRecovered, lastReconnectJoin, reachState, recovered, scenarioPerTest, until, type Scenario } from './support/scenario.js';

describe('reconnect e2e: failing SFUs, coordinator, and giving up', function () {
  this.timeout(45000);
  const scenarios = scenarioPerTest();

  it('SFU killed → FAST fails → REJOIN/MIGRATE on the other SFU, the dead one avoided', async () => {
    const s = await scenarios.start({ sfuCount: 2 });
    // The human on sfu-0 dies with it; this one, on sfu-1, is who the agent talks to afterwards.
    const survivor = await s.emu.addParticipant({ callId: CALL_ID, userId: 'human-on-sfu-1', audio: true, sfuId: 'sfu-1' });
    await until(() => s.atHuman(survivor) >= 10, 15000, 'RTP from the agent at the human on sfu-1');
    const before = s.call.sessionId;
    await s.emu.faults.sfu('sfu-0').kill();
    const record = await recovered(s);
    expect(record.outcome).to.equal('joined');
    expect(record.strategiesTried[0]).to.equal('fast');
    expect(['rejoin', 'migrate']).to.include(record.strategiesTried.at(-1));
    expect(s.currentSfu()).to.equal('sfu-1');
    const join = lastReconnectJoin(s);
    expect(join.sfuId).to.equal('sfu-1');
    expect(join.reconnectDetails!.fromSfuId).to.equal('sfu-0');
    if (record.strategiesTried.at(-1) === 'rejoin') expect(join.reconnectDetails!.previousSessionId).to.equal(before);
    const coordinatorJoin = s.emu.records.coordinatorJoins.filter((j) => j.userId === AGENT).at(-1)!;
    expect(coordinatorJoin.sfuId).to.equal('sfu-1');
    await expectRecovered(s, survivor);
  });

  it('coordinator fails during REJOIN (2 × HTTP 500) → REJOIN retried → joined', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    const coordinatorJoinsBefore = s.emu.records.coordinatorJoins.length;
    s.emu.faults.coordinator.failJoins(2);
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['rejoin', 'rejoin', 'rejoin'], attempts: 3 });
    const during = s.emu.records.coordinatorJoins.slice(coordinatorJoinsBefore);
    expect(during.map((j) => j.fault ?? j.status)).to.deep.equal(['fail', 'fail', 200]);
    const join = lastReconnectJoin(s);
    expect(join.reconnectDetails).to.include({ strategy: 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN', previousSessionId: before, reconnectAttempt: 3 });
    await expectRecovered(s);
  });

  it('SFU joins rejected twice (closed before join_response) after a TCP loss → FAST retried → joined', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    s.emu.faults.sfu('sfu-0').rejectJoins(2, 'close-before-join-response');
    s.emu.faults.session(before).destroyTcp();
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['fast', 'fast', 'fast'], attempts: 3 });
    expect(rejected(s)).to.equal(2);
    expect(s.call.sessionId).to.equal(before);
    expect(lastReconnectJoin(s).reconnectDetails).to.include({ strategy: 'WEBSOCKET_RECONNECT_STRATEGY_FAST', reconnectAttempt: 3 });
    await expectRecovered(s);
  });

  it('a second fault during the reconnect (its socket destroyed mid-join) → still one episode, joined', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    s.emu.faults.sfu('sfu-0').rejectJoins(1, 'never-answer');
    s.emu.faults.session(before).destroyTcp();
    await until(() => rejected(s) === 1, 10000, 'the first FAST join to reach the SFU');
    s.emu.faults.sfu('sfu-0').destroyTcp();
    const record = await recovered(s);
    expect(record.outcome).to.equal('joined');
    expect(record.attempts).to.be.greaterThan(1);
    expect(record.strategiesTried[0]).to.equal('fast');
    await expectRecovered(s);
  });

  it('every SFU killed → reconnecting-failed within the deadline, RXSFU_ERR_RECONNECT_FAILED carrying the cause', async () => {
    // supervisor off: this is the give-up itself (R10), not what R18 makes of it
    const s = await scenarios.start({ sfuCount: 2, join: { supervisor: false, reconnect: { disconnectionTimeoutMs: 3000, attemptTimeoutMs: 1000 } } });
    await Promise.all(s.emu.sfus.map((sfu) => s.emu.faults.sfu(sfu.id).kill()));
    await reachState(s.call, 'reconnecting-failed', 15000);
    const failure = s.call.failure;
    expect(isRxsfuError(failure, 'RXSFU_ERR_RECONNECT_FAILED'), String(failure)).to.equal(true);
    const cause = (failure as Error & { cause?: { kind?: string; closeCode?: number } }).cause;
    expect(cause, 'the loss that started the episode').to.deep.include({ kind: 'close', closeCode: 1006 });
    expect(s.records).to.have.length(1);
    expect(s.records[0]!.outcome).to.equal('failed');
    expect(s.records[0]!.failure?.reason).to.be.oneOf(['deadline', 'rate-limit']);
    expect(s.states.at(-1)).to.equal('reconnecting-failed');
  });

  it('leave() during an episode cancels it at once: record cancelled, left, nothing reconnects afterwards', async () => {
    // Mocha arms this test's own timeout timer right after the test function starts: count after it.
    await new Promise((resolve) => setImmediate(resolve));
    const baseline = await resourceBaseline();
    const s = await scenarios.start();
    await s.emu.faults.sfu('sfu-0').kill();
    await reachState(s.call, 'reconnecting');
    await s.call.leave();
    expect(s.call.state).to.equal('left');
    await until(() => s.records.length === 1, 5000, 'the cancelled record');
    expect(s.records[0]!.outcome).to.equal('cancelled');
    expect(s.call.failure).to.equal(undefined);
    const joinsAtLeave = s.emu.records.joins.length;
    const coordinatorJoinsAtLeave = s.emu.records.coordinatorJoins.length;
    // The SFU comes back: a reconnect that survived leave() would now succeed and show up here.
    await s.emu.faults.sfu('sfu-0').restart();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(s.emu.records.joins.length, 'no SFU join after leave').to.equal(joinsAtLeave);
    expect(s.emu.records.coordinatorJoins.length, 'no coordinator join after leave').to.equal(coordinatorJoinsAtLeave);
    expect(s.emu.liveSessions().filter((l) => l.userId === AGENT && l.connected)).to.deep.equal([]);
    await s.close();
    expect(await resourceGrowth(baseline, 5000), 'sockets, UDP ports and timers left after leave').to.deep.equal({});
  });
});

function rejected(s: Scenario): number {
  return s.emu.records.joins.filter((j) => j.outcome === 'rejected').length;
}
