/**
 * R18 as an operator, over real I/O: `joinCall$(…).pipe(…, supervise())` on the emulator. The
 * pipeline publishes on each call it gets; when a call's reconnection gives up (R8: no REJOIN
 * allowed), the operator joins again, and the pipeline publishes again on the fresh call: a new
 * session with media both ways. A second give-up beyond the budget errors the stream with the cause.
 */
import { expect } from 'chai';
import { from, map, mergeMap, type Subscription } from 'rxjs';
import { joinCall$, supervise, type Call } from '../../lib/call/index.js';
import { startEmulator, type Emulator, type SimulatedParticipant } from '../../lib/emulator/index.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import type { ReconnectFailedError } from '../../lib/reconnect/index.js';
import { until } from '../emulator/support/until.js';
import { QUICK } from '../reconnect-e2e/support/scenario.js';

const CALL_ID = 'supervise-operator';

describe('outage e2e: joinCall$(…).pipe(supervise()) (R18 as an operator)', function () {
  this.timeout(60_000);
  let emu: Emulator | undefined;
  let sub: Subscription | undefined;
  const calls: Call[] = [];
  afterEach(async () => {
    sub?.unsubscribe();
    await Promise.all(calls.map((c) => c.leave()));
    calls.length = 0;
    await emu?.close();
  });

  /** RTP from `call`'s session at the human, and from the human at `call` (counted from now). */
  async function mediaBothWays(human: SimulatedParticipant, call: Call): Promise<void> {
    const atHuman = () => human.received().filter((r) => r.fromSessionId === call.sessionId).reduce((n, r) => n + r.packets, 0);
    let fromHuman = 0;
    const rx = call.remoteTracks$.pipe(mergeMap((t) => t.rtp$)).subscribe(() => (fromHuman += 1));
    const tx0 = atHuman();
    try {
      await until(() => fromHuman >= 10 && atHuman() >= tx0 + 10, 15_000, `media both ways on ${call.sessionId}`);
    } finally {
      rx.unsubscribe();
    }
  }

  it('a give-up ends the first call, the operator joins a fresh one and the pipeline publishes again; past the budget the stream errors with the cause', async () => {
    emu = await startEmulator({ sfuCount: 1 });
    const human = await emu.addParticipant({ callId: CALL_ID, userId: 'human', audio: true });
    let error: unknown;
    sub = joinCall$({
      ...emu.agentOptions('agent', CALL_ID), ...QUICK,
      reconnect: { ...QUICK.reconnect, rateLimit: { max: 0, windowMs: 1000 } }, supervisor: false,
    }).pipe(
      mergeMap((call) => from(call.publishAudioRtp(opusRtpPackets$())).pipe(map(() => call))),
      supervise({ maxRestarts: 1, backoff: { baseMs: 50, maxDelayMs: 200 } }),
    ).subscribe({ next: (call) => calls.push(call), error: (err: unknown) => (error = err) });

    await until(() => calls.length === 1, 20_000, 'the first call');
    const first = calls[0]!;
    await mediaBothWays(human, first);
    emu.faults.session(first.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await until(() => calls.length === 2, 20_000, 'a fresh call after the give-up');
    const second = calls[1]!;
    expect(first.state).to.equal('reconnecting-failed');
    expect((first.failure as ReconnectFailedError).reason).to.equal('rate-limit');
    expect(second.state).to.equal('joined');
    expect(second.sessionId, 'a fresh participant').to.not.equal(first.sessionId);
    await until(() => emu!.liveSessions().filter((l) => l.userId === 'agent').length === 1, 10_000, 'the old session gone');
    expect(emu.liveSessions().filter((l) => l.userId === 'agent').map((l) => l.sessionId)).to.deep.equal([second.sessionId]);
    await mediaBothWays(human, second);
    const announced = emu.records.rpcs.filter((r) => r.method === 'SetPublisher' && r.sessionId === second.sessionId && r.status === 200);
    expect(announced.length, 'the pipeline published again on the fresh call').to.be.greaterThan(0);

    emu.faults.session(second.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_SIGNAL_LOST, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    await until(() => error !== undefined, 20_000, 'the stream to error once the budget is spent');
    expect((error as ReconnectFailedError).reason).to.equal('supervisor-budget');
    expect(((error as ReconnectFailedError).cause as ReconnectFailedError).reason, 'the cause: the give-up').to.equal('rate-limit');
    expect(calls, 'no third call').to.have.length(2);
  });
});
