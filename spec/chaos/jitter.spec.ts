/**
 * Issue 13's "no false losses", short and seeded in `npm test`: 20 s of the jittered healthy path
 * (spec/chaos/jitter.ts) with a listener and a speak-only agent on default options; no loss, no
 * handle left. `npm run chaos -- --jitter --minutes 5` is the long run (BENCHMARKS.md).
 */
import { expect } from 'chai';
import { runJitterSoak } from './jitter.js';

describe('chaos: jittered healthy path (issue 13, no false losses)', function () {
  this.timeout(120_000);

  it('0–300 ms signaling delay, 800 ms spikes, event-loop stalls up to 500 ms: no connectionLost$ on either agent', async () => {
    const report = await runJitterSoak({ seed: 20261202, durationMs: 20_000 });
    expect(report.violations, `seed ${report.seed}`).to.deep.equal([]);
    expect(report.losses).to.deep.equal({ listener: 0, speaker: 0 });
    expect(report.stalls, 'the loop was stalled').to.be.greaterThan(3);
    expect(report.spikes, 'a spike was sent').to.be.greaterThan(0);
  });
});
