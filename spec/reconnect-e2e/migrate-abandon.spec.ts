/**
 * R12 during a MIGRATE: a leave() after the new SFU answered the join but before
 * `participant_migration_complete` abandons the migration and leaves nothing of the new connection
 * behind (socket, health checks, peers). The old connection is closed by leave() as usual.
 */
import { expect } from 'chai';
import { joinCall, type Call } from '../../lib/call/index.js';
import { emulatorPerTest } from '../support/emulator-fixture.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import type { Logger } from '../../lib/logger.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { until } from '../emulator/support/until.js';

describe('reconnect e2e: leave during a MIGRATE', function () {
  this.timeout(30000);
  const emulators = emulatorPerTest();

  it('abandons the half-done migration: no socket, health check or peer of the new SFU survives', async () => {
    const before = await resourceBaseline();
    const { emu, track } = await emulators.start({ sfuCount: 2 });
    let call: Call | undefined;
    let joins = 0;
    let leaving: Promise<void> | undefined;
    // Leave right after the new SFU's join_response: the migration is then joined but not complete.
    const logger: Logger = {
      debug() {}, warn() {}, error() {},
      info(message) {
        if (message === 'signal: joined' && ++joins === 2) setImmediate(() => { leaving = call!.leave('bye'); });
      },
    };
    call = track(await joinCall({ ...emu.agentOptions('agent', 'm'), logger }));
    await call.publishAudioRtp(opusRtpPackets$());
    const sessionId = call.sessionId;
    emu.faults.session(sessionId).goAway();
    await until(() => leaving !== undefined, 10000, 'the MIGRATE join to be answered');
    await leaving;
    expect(call.state).to.equal('left');
    expect(emu.records.joins.map((j) => j.outcome)).to.deep.equal(['joined', 'migrated']);
    // The new SFU heard a LeaveCallRequest: no ghost session waits there for a FAST deadline.
    await until(() => emu.liveSessions().every((s) => s.userId !== 'agent'), 5000, 'the agent gone from every SFU');
    expect(emu.records.leaves.filter((l) => l.userId === 'agent').map((l) => l.reason)).to.include('leave-request');
    const checksAtLeave = emu.records.healthChecks.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(emu.records.healthChecks.length, 'no health check after leave').to.equal(checksAtLeave);
    await emu.close();
    expect(await resourceGrowth(before, 5000)).to.deep.equal({});
  });
});
