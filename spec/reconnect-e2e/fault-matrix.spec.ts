/**
 * The fault matrix (issue 9 item 2; docs/RECONNECT.md "The joined invariant"): every fault in every
 * phase, generated from spec/reconnect-e2e/matrix/cells.ts. Each cell ends with the joined invariant
 * holding (agent and emulator agree: socket joined and answering health checks, peers connected,
 * one live session on the SFU the agent talks to), or in its stated end (`left` with
 * RXSFU_ERR_CALL_ENDED, or `left` by our own leave), and leaves no socket, port or timer behind.
 *
 * `npm test` runs a subset (FAST_SUBSET: one cell per phase and the core faults while publishing);
 * `npm run test:matrix` runs all of it (RXSFU_MATRIX=full; several minutes).
 */
import { expect } from 'chai';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { untilJoinedAndHealthy } from '../support/call-health.js';
import { until } from './support/scenario.js';
import { FAST_SUBSET, FAULTS, PHASES, type Fault, type Phase } from './matrix/cells.js';
import { startRig, type Rig } from './matrix/rig.js';

const FULL = process.env.RXSFU_MATRIX === 'full';

describe(`reconnect e2e: fault matrix (${FULL ? 'full' : 'fast subset; npm run test:matrix for all'})`, function () {
  this.timeout(90000);

  for (const phase of PHASES) {
    for (const fault of FAULTS) {
      const name = `${phase.name} × ${fault.name}`;
      if (!FULL && !FAST_SUBSET.has(name)) continue;
      it(`${name} → ${phase.leaving ? 'left' : fault.outcome === 'recovers' ? 'joined, invariant holds' : 'left (call ended)'}, nothing leaked`, async () => {
        const before = await resourceBaseline();
        const rig = await startRig({ publish: phase.publish });
        try {
          await untilJoinedAndHealthy(rig.call, rig.emu);
          await runCell(rig, phase, fault);
        } finally {
          await rig.close();
        }
        expect(await resourceGrowth(before, 8000), 'resources left after leave() and emulator close').to.deep.equal({});
      });
    }
  }
});

async function runCell(rig: Rig, phase: Phase, fault: Fault): Promise<void> {
  let injected: Promise<void> | undefined;
  let recordsAtFault = 0;
  phase.enter(rig, () => {
    recordsAtFault = rig.records.length;
    injected = Promise.resolve().then(() => fault.inject(rig));
  });
  await until(() => injected !== undefined, 20000, `the phase "${phase.name}"`);
  await injected;
  if (phase.leaving) {
    await until(() => rig.call.state === 'left', 15000, 'left');
    expect(rig.call.failure, 'our own leave: no failure').to.equal(undefined);
  } else if (fault.outcome === 'call-ended') {
    await until(() => rig.call.state === 'left', 15000, 'left after the call ended');
    expect(rig.call.failure?.code).to.equal('RXSFU_ERR_CALL_ENDED');
  } else {
    // The fault must have been acted on (an episode ended after it), then the invariant holds.
    await until(() => rig.records.length > recordsAtFault || rig.call.state !== 'joined', 30000, 'an episode after the fault');
    await untilJoinedAndHealthy(rig.call, rig.emu, 40000);
  }
}
