/**
 * R18 over real I/O: a reconnection that gives up (here R8: no REJOIN allowed at all) is cured by the
 * supervisor, which rejoins as a fresh participant (new session, same user, tracks and subscriptions
 * restored); a second give-up beyond its budget (one fresh join an hour) ends the call with the cause.
 */
import { expect } from 'chai';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import type { ReconnectFailedError } from '../../lib/reconnect/index.js';
import { mediaFlowsBothWays, reachState, scenarioPerTest, until } from '../reconnect-e2e/support/scenario.js';

describe('outage e2e: the supervisor rejoins after a give-up (R18)', function () {
  this.timeout(60_000);
  const scenarios = scenarioPerTest();

  it('forced give-up → restarting → back as a new session with media both ways; a second give-up beyond the budget ends the call with its cause', async () => {
    const s = await scenarios.start({
      join: {
        reconnect: { rateLimit: { max: 0, windowMs: 1000 } },
        supervisor: { maxRestarts: 1, backoff: { baseMs: 50, maxDelayMs: 200 } },
      },
    });
    const first = s.call.sessionId;
    s.emu.faults.session(first).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await until(() => s.records.length >= 2, 20_000, 'the give-up and the restart records');
    await reachState(s.call, 'joined', 20_000);
    expect(s.records.map((r) => `${r.trigger.source}:${r.outcome}`)).to.deep.equal(['sfu-error:failed', 'supervisor:joined']);
    expect(s.records[0]!.failure?.reason).to.equal('rate-limit');
    expect(s.states).to.include('restarting');
    expect(s.states, 'the give-up did not end the call').to.not.include('reconnecting-failed');
    expect(s.call.sessionId, 'a fresh participant').to.not.equal(first);
    await until(() => s.emu.liveSessions().filter((l) => l.userId === 'agent').length === 1, 10_000, 'the old session gone');
    expect(s.emu.liveSessions().filter((l) => l.userId === 'agent').map((l) => l.sessionId)).to.deep.equal([s.call.sessionId]);
    await mediaFlowsBothWays(s, 'after the fresh join');
    const fresh = s.call.sessionId;
    const subscribed = s.emu.records.subscriptions.filter((r) => r.sessionId === fresh).at(-1);
    expect(subscribed?.tracks.map((t) => t.sessionId), 'the human is subscribed again on the fresh session').to.include(s.human.sessionId);
    const republished = s.emu.records.rpcs.filter((r) => r.method === 'SetPublisher' && r.sessionId === fresh && r.status === 200);
    expect(republished.length, 'the agent\'s track published again on the fresh session').to.be.greaterThan(0);

    s.emu.faults.session(s.call.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await reachState(s.call, 'reconnecting-failed', 20_000);
    const failure = s.call.failure as ReconnectFailedError;
    expect(failure.code).to.equal('RXSFU_ERR_RECONNECT_FAILED');
    expect(failure.reason).to.equal('supervisor-budget');
    expect((failure.cause as ReconnectFailedError).reason, 'the cause: the give-up it could not cure').to.equal('rate-limit');
    expect(s.records.at(-1)).to.include({ outcome: 'failed', attempts: 0 });
  });

  it('supervisor: false keeps the old behaviour: the give-up ends the call', async () => {
    const s = await scenarios.start({ join: { reconnect: { rateLimit: { max: 0, windowMs: 1000 } }, supervisor: false } });
    s.emu.faults.session(s.call.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await reachState(s.call, 'reconnecting-failed', 20_000);
    expect((s.call.failure as ReconnectFailedError).reason).to.equal('rate-limit');
    expect(s.states).to.not.include('restarting');
  });
});
