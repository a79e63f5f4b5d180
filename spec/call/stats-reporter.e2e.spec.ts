/**
 * Periodic SendStats over real I/O: an agent joined through the emulator's coordinator with
 * `statsIntervalMs: 200`, publishing Opus and receiving a simulated participant's audio. The
 * emulator's `records.stats` must see one report per interval with our ids and werift's stats,
 * still one per interval after a FAST reconnect (the Python SDK doubles here, BEHAVIOUR.md), and
 * none after `leave()`.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { joinCall } from '../../lib/call/index.js';
import { callAccess$ } from '../../lib/call/credentials.js';
import type { StatsRecord } from '../../lib/emulator/index.js';
import { recovered, scenarioPerTest, until, type Scenario } from '../reconnect-e2e/support/scenario.js';
import { useEmulator } from './e2e-fixture.js';

const INTERVAL_MS = 200;

/** The periodic reports (telemetry-only SendStats carry no peer stats). */
const periodic = (s: Scenario): StatsRecord[] =>
  s.emu.records.stats.filter((r) => r.method === 'SendStats' && typeof r.body['publisherStats'] === 'string');

/**
 * Waits for `count` more reports and returns their mean spacing (ms), from the emulator's receive
 * times. One reporter gives about INTERVAL_MS; a duplicated one about half of it.
 */
async function meanSpacing(s: Scenario, count: number, what: string): Promise<number> {
  const start = periodic(s).length;
  await until(() => periodic(s).length >= start + count + 1, 20000, what);
  const window = periodic(s).slice(start, start + count + 1);
  return (window[window.length - 1]!.at - window[0]!.at) / count;
}

const statTypes = (json: unknown): string[] => (JSON.parse(String(json)) as { type: string }[]).map((entry) => entry.type);

describe('call e2e: periodic SendStats', function () {
  this.timeout(60000);
  const scenarios = scenarioPerTest();

  it('reports every interval with our ids and both peers\' stats, once per interval across a FAST reconnect, nothing after leave', async () => {
    const s = await scenarios.start({ join: { statsIntervalMs: INTERVAL_MS } });
    const token = s.call.currentConnection!.credentials.token;

    // The media already flows both ways (the scenario waited for it): the next report shows it.
    const before = periodic(s).length;
    await until(() => periodic(s).length >= before + 2, 10000, 'periodic SendStats');
    const report = periodic(s)[periodic(s).length - 1]!;
    expect(report.sessionId).to.equal(s.call.sessionId);
    expect(report.body).to.include({ sessionId: s.call.sessionId, unifiedSessionId: s.call.unifiedSessionId, sdk: 'rxsfu', webrtcVersion: 'werift' });
    expect(report.body['sdkVersion']).to.be.a('string').that.is.not.empty;
    expect(statTypes(report.body['publisherStats'])).to.include.members(['peer-connection', 'outbound-rtp']);
    expect(statTypes(report.body['subscriberStats'])).to.include.members(['peer-connection', 'inbound-rtp']);
    expect(JSON.stringify(report.body), 'no token in a report').to.not.include(token);

    const spacingBefore = await meanSpacing(s, 8, '8 reports before the fault');
    expect(spacingBefore, 'one reporter before the fault').to.be.greaterThan(INTERVAL_MS * 0.7);

    s.emu.faults.session(s.call.sessionId).destroyTcp();
    await recovered(s);
    const spacingAfter = await meanSpacing(s, 8, '8 reports after the FAST reconnect');
    // A second reporter would halve the spacing (about INTERVAL_MS / 2): this is a duplication check.
    expect(spacingAfter, 'still one reporter after FAST').to.be.greaterThan(INTERVAL_MS * 0.7);
    expect(periodic(s)[periodic(s).length - 1]!.body).to.include({ sessionId: s.call.sessionId, unifiedSessionId: s.call.unifiedSessionId });

    await s.call.leave();
    const atLeave = periodic(s).length;
    // Nothing to wait on for an absence: give a reporter that survived leave five intervals to show itself.
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 5));
    expect(periodic(s).length, 'no report after leave').to.equal(atLeave);
  });

  describe('where the period comes from', () => {
    const ctx = useEmulator();
    const target = () => ctx().options('agent', 'stats-period');

    it('a coordinator join carries stats_options.reporting_interval_ms; direct credentials carry none', async () => {
      const { emu } = ctx();
      const access = await firstValueFrom(callAccess$(target()));
      // The emulator's coordinator answers reporting_interval_ms: 10000, as Stream's does.
      expect(access.statsIntervalMs).to.equal(10000);
      expect(emu.records.coordinatorJoins).to.have.length(1);
      const direct = await firstValueFrom(callAccess$({ credentials: access.credentials, allowInsecure: true }));
      expect(direct).to.deep.equal({ credentials: access.credentials });
    });

    it('a negative statsIntervalMs is RXSFU_ERR_INVALID_ARGUMENT before anything is opened', async () => {
      const { emu } = ctx();
      const error = await joinCall({ ...target(), statsIntervalMs: -1 }).then(() => undefined, (err: unknown) => err);
      expect(error).to.have.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
      expect(emu.records.coordinatorJoins, 'no coordinator join').to.have.length(0);
    });
  });
});
