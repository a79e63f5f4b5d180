/**
 * A frame log of a real reconnect (issue 9 item 4): `recordFrames: true`, a double loss through the
 * emulator, then `replayFrameLog(call.frameLog())` in virtual time gives the recorded states and
 * records in the same order (times may differ by the real timers' slack, so they are not compared).
 */
import { expect } from 'chai';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { loggedOutputs, replayFrameLog, type ReplayedEntry } from '../../lib/reconnect/index.js';
import { untilJoinedAndHealthy } from '../support/call-health.js';
import { emulatorPerTest } from '../support/emulator-fixture.js';
import { QUICK, until } from './support/scenario.js';
import { nextJoinHook } from './support/next-join.js';

const untimed = (entries: ReplayedEntry[]) => entries.map((e) => (e.kind === 'state' ? e.state : { ...e.record, durationMs: 0 }));

describe('reconnect e2e: frame log and replay', function () {
  this.timeout(60000);
  const emulators = emulatorPerTest();

  it('records a double loss (TCP destroyed twice, the second right after the FAST join) and replays it to the same states and records', async () => {
    const { emu, join } = await emulators.start();
    const { logger, onNextJoin } = nextJoinHook();
    const joined = await join('agent', 'log', { ...QUICK, healthCheckIntervalMs: 500, logger, recordFrames: true });
    await joined.publishAudioRtp(opusRtpPackets$());
    const session = joined.sessionId;
    onNextJoin(() => emu.faults.session(session).destroyTcp());
    emu.faults.session(session).destroyTcp();
    await until(() => (joined.frameLog()?.entries ?? []).some((e) => e.kind === 'record'), 30000, 'a recorded episode');
    await untilJoinedAndHealthy(joined, emu, 30000);
    const log = joined.frameLog()!;
    const text = JSON.stringify(log);
    expect(text, 'no token, no SDP in the log').to.not.match(/eyJ|v=0|a=candidate/);
    expect(log.entries.filter((e) => e.kind === 'attempt').length, 'two FAST attempts (R16)').to.be.at.least(2);
    const recorded = loggedOutputs(log);
    expect(untimed(replayFrameLog(log))).to.deep.equal(untimed(recorded));
  });
});
