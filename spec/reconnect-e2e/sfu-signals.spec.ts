/**
 * What the SFU says decides what the agent does: `error` with each reconnect strategy, `go_away`
 * and `call_ended` (docs/RECONNECT.md R1, R13), against the emulator over real I/O.
 */
import { expect } from 'chai';
import { filter, firstValueFrom } from 'rxjs';
import { isRxsfuError, type RxsfuError } from '../../lib/errors.js';
import { joinCall } from '../../lib/call/index.js';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { AGENT, CALL_ID, QUICK, expectRecovered, lastReconnectJoin, mediaFlowsBothWays, reachState, recovered, scenarioPerTest, until, type Scenario } from './support/scenario.js';

describe('reconnect e2e: SFU error, go_away, call_ended', function () {
  this.timeout(45000);
  const scenarios = scenarioPerTest();

  it('error REJOIN → new session naming the previous one, tracks re-published, subscriptions restored', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['rejoin'] });
    expect(record.trigger.source).to.equal('sfu-error');
    expect(s.call.sessionId).to.not.equal(before);
    const join = lastReconnectJoin(s);
    expect(join).to.include({ sessionId: s.call.sessionId, outcome: 'joined', sfuId: 'sfu-0' });
    expect(join.reconnectDetails).to.include({
      strategy: 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN', previousSessionId: before, fromSfuId: 'sfu-0', reconnectAttempt: 1, announcedTracks: 1, subscriptions: 1,
    });
    expect(s.states).to.include('reconnecting');
    expect(s.emu.records.leaves.filter((l) => l.sessionId === before).map((l) => l.reason)).to.deep.equal(['replaced-by-rejoin']);
    await expectRecovered(s);
  });

  it('error MIGRATE → the other SFU, same session id, participant_migration_complete awaited on the OLD socket (awaited on the new one it never comes: REJOIN)', async () => {
    const s = await scenarios.start({ sfuCount: 2 });
    const before = s.call.sessionId;
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_SFU_SHUTTING_DOWN, S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE);
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['migrate'] });
    expectMigrated(s, before);
    await expectRecovered(s);
  });

  it('go_away → MIGRATE to the other SFU (coordinator join with migrating_from)', async () => {
    const s = await scenarios.start({ sfuCount: 2 });
    const before = s.call.sessionId;
    s.emu.faults.session(before).goAway();
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['migrate'] });
    expect(record.trigger.source).to.equal('go-away');
    expect(s.states).to.include('migrating');
    expectMigrated(s, before);
    await expectRecovered(s);
  });

  it('go_away, then the target SFU refuses (SFU full) → MIGRATE fails → REJOIN avoiding the SFU that went away', async () => {
    const s = await scenarios.start({ sfuCount: 2 });
    const before = s.call.sessionId;
    const coordinatorJoinsBefore = s.emu.records.coordinatorJoins.length;
    s.emu.faults.sfu('sfu-1').rejectJoins(1, 'sfu-full');
    s.emu.faults.session(before).goAway();
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['migrate', 'rejoin'] });
    const [migrate, rejoin] = s.emu.records.coordinatorJoins.slice(coordinatorJoinsBefore);
    expect(migrate).to.deep.include({ status: 200, sfuId: 'sfu-1', migratingFrom: 'sfu-0' });
    expect(rejoin!.migratingFromList, 'R5: the SFU that sent go_away stays avoided').to.include('sfu-0');
    const join = lastReconnectJoin(s);
    expect(join.reconnectDetails).to.include({ strategy: 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN', previousSessionId: before, reconnectAttempt: 2 });
    expect(s.call.sessionId).to.not.equal(before);
    await expectRecovered(s);
  });

  it('error DISCONNECT → the call ends (left, RXSFU_ERR_CALL_ENDED), never a reconnect', async () => {
    const s = await scenarios.start();
    s.emu.faults.session(s.call.sessionId).sendError(ErrorCode.ERROR_CODE_CALL_NOT_FOUND, S.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT, 'go home');
    await reachState(s.call, 'left');
    await expectEnded(s);
  });

  it('call_ended → leave, never a reconnect; the call is over at the coordinator too: a new joinCall of it rejects with RXSFU_ERR_CALL_ENDED', async () => {
    const s = await scenarios.start();
    s.emu.faults.session(s.call.sessionId).callEnded();
    await reachState(s.call, 'left');
    await expectEnded(s);
    const again = await joinCall({ ...s.emu.agentOptions('late-agent', CALL_ID), ...QUICK }).then(
      async (call) => { await call.leave(); return undefined; },
      (err: unknown) => err,
    );
    expect(isRxsfuError(again, 'RXSFU_ERR_CALL_ENDED'), `joinCall of the ended call: ${String(again)}`).to.equal(true);
    expect((again as RxsfuError).httpStatus).to.equal(403);
  });

  it('R13: emu.endCall while a join is in flight (its join_response held by a slow SFU) ends that join with RXSFU_ERR_CALL_ENDED, not a join timeout: call_ended, then the SFU closes the socket', async () => {
    const s = await scenarios.start();
    // Long enough that the join is surely still in flight when the call ends; shorter than the join timeout.
    s.emu.faults.sfu('sfu-0').delayFrames(1500);
    const late = joinCall({ ...s.emu.agentOptions('late-agent', CALL_ID), ...QUICK, joinTimeoutMs: 10_000 }).then(
      // join_response and call_ended arrive together: the join may resolve first, then the call ends.
      async (call) => { await reachState(call, 'left'); return call.failure; },
      (err: unknown) => err,
    );
    await until(() => s.emu.records.joins.some((j) => j.userId === 'late-agent' && j.outcome === 'joined'), 10_000, 'the late agent\'s join to reach the SFU');
    await s.emu.endCall(`default:${CALL_ID}`);
    const outcome = await late;
    expect(isRxsfuError(outcome, 'RXSFU_ERR_CALL_ENDED'), `the join in flight: ${String(outcome)}`).to.equal(true);
    await reachState(s.call, 'left');
    expect(isRxsfuError(s.call.failure, 'RXSFU_ERR_CALL_ENDED'), String(s.call.failure)).to.equal(true);
  });

  it('R9/R13: a FAST join the SFU answers with error DISCONNECT (no join_response) ends the call left, RXSFU_ERR_CALL_ENDED wrapping the refusal, as a DISCONNECT on the current connection does', async () => {
    const s = await scenarios.start();
    s.emu.faults.sfu(s.currentSfu()!).rejectJoins(1, 'disconnect');
    s.emu.faults.session(s.call.sessionId).destroyTcp();
    await reachState(s.call, 'left');
    const failure = s.call.failure;
    expect(isRxsfuError(failure, 'RXSFU_ERR_CALL_ENDED'), String(failure)).to.equal(true);
    expect(isRxsfuError(failure!.cause, 'RXSFU_ERR_JOIN_REJECTED'), 'the refusal is the cause').to.equal(true);
    expect(failure).to.include({ sfuErrorCode: ErrorCode.ERROR_CODE_CALL_NOT_FOUND, reconnectStrategy: S.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT });
    expect(s.records).to.have.length(1);
    expect(s.records[0]).to.deep.include({ outcome: 'failed', strategiesTried: ['fast'] });
    expect(s.records[0]!.failure!.reason).to.equal('disconnected');
    expect(s.states).to.not.include('reconnecting-failed');
  });

  it('R13: a DISCONNECT said on the MIGRATE target before the migration completed ends the call left (RXSFU_ERR_CALL_ENDED), not a REJOIN', async () => {
    const s = await scenarios.start({ sfuCount: 2 });
    const before = s.call.sessionId;
    const from = s.currentSfu()!;
    const to = s.emu.sfus.find((sfu) => sfu.id !== from)!.id;
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_SFU_SHUTTING_DOWN, S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE);
    // The SFU being left holds its frames, so participant_migration_complete stays away: the attempt waits.
    s.emu.faults.session(before).delayFrames(20000);
    await until(() => s.agentJoins().some((j) => j.sfuId === to && j.outcome === 'migrated'), 10000, 'the migrate join on the target SFU');
    s.emu.faults.sfu(to).sendError(ErrorCode.ERROR_CODE_CALL_NOT_FOUND, S.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT, 'go home');
    await reachState(s.call, 'left');
    expect(isRxsfuError(s.call.failure, 'RXSFU_ERR_CALL_ENDED'), String(s.call.failure)).to.equal(true);
    expect(s.records).to.have.length(1);
    expect(s.records[0]).to.deep.include({ outcome: 'failed', strategiesTried: ['migrate'] });
    expect(s.records[0]!.failure!.reason).to.equal('disconnected');
    expect(s.agentJoins().filter((j) => j.reconnectDetails?.strategy === 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN'), 'never a REJOIN after it').to.deep.equal([]);
  });

  it('error UNSPECIFIED → nothing happens: still joined, same session, media flowing', async () => {
    const s = await scenarios.start();
    const before = s.call.sessionId;
    const seen = firstValueFrom(s.call.events$.pipe(filter((e) => e.eventPayload === 'error')));
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, S.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED);
    await seen;
    await mediaFlowsBothWays(s, 'after an UNSPECIFIED error', 25);
    expect(s.call.state).to.equal('joined');
    expect(s.records).to.deep.equal([]);
    expect(s.states).to.deep.equal(['joined']);
    expect(s.call.sessionId).to.equal(before);
    expect(s.agentJoins()).to.have.length(1);
  });

  function expectMigrated(scenario: Scenario, before: string): void {
    expect(scenario.call.sessionId, 'MIGRATE keeps the session id').to.equal(before);
    const join = lastReconnectJoin(scenario);
    expect(join).to.include({ sfuId: 'sfu-1', sessionId: before, outcome: 'migrated' });
    expect(join.reconnectDetails).to.include({ strategy: 'WEBSOCKET_RECONNECT_STRATEGY_MIGRATE', fromSfuId: 'sfu-0', announcedTracks: 1, subscriptions: 1, reconnectAttempt: 1 });
    const coordinatorJoin = scenario.emu.records.coordinatorJoins.filter((j) => j.userId === AGENT).at(-1);
    expect(coordinatorJoin).to.deep.include({ status: 200, sfuId: 'sfu-1', migratingFrom: 'sfu-0' });
    expect(coordinatorJoin!.migratingFromList).to.include('sfu-0');
    expect(scenario.currentSfu()).to.equal('sfu-1');
  }

  async function expectEnded(scenario: Scenario): Promise<void> {
    expect(scenario.call.state).to.equal('left');
    expect(isRxsfuError(scenario.call.failure, 'RXSFU_ERR_CALL_ENDED'), String(scenario.call.failure)).to.equal(true);
    expect(scenario.records).to.deep.equal([]);
    expect(scenario.states).to.not.include('reconnecting');
    expect(scenario.agentJoins(), 'no second join').to.have.length(1);
    await until(() => !scenario.emu.liveSessions().some((l) => l.userId === AGENT), 5000, 'the agent to be gone from the SFU (LeaveCallRequest)');
  }
});
