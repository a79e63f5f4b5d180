/**
 * The fault matrix (issue 9 item 2; docs/RECONNECT.md "The joined invariant"): every fault in every
 * phase, and in the attempt phases every pair (a fault that starts the attempt, then each fault
 * during it), generated from spec/reconnect-e2e/matrix/cells.ts. Each cell ends with the joined invariant
 * holding (agent and emulator agree: socket joined and answering health checks, peers connected,
 * one live session on the SFU the agent talks to), or in its stated end (`left` with
 * RXSFU_ERR_CALL_ENDED, or `left` by our own leave), and leaves no socket, port or timer behind.
 *
 * `npm test` runs a subset (FAST_SUBSET: one or two cells per phase, a few pairs, and the core faults
 * while publishing);
 * `npm run test:matrix:cells` every phase × fault with each phase's default starter (RXSFU_MATRIX=cells,
 * 144 cells); `npm run test:matrix` all of it, pairs included (RXSFU_MATRIX=full, 352 cells; ~16 min).
 */
import { expect } from 'chai';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { untilJoinedAndHealthy } from '../support/call-health.js';
import { until } from './support/scenario.js';
import { RxsfuError } from '../../lib/errors.js';
import { FAST_SUBSET, allCells, type Cell } from './matrix/cells.js';
import { startRig, type Rig } from './matrix/rig.js';

const MATRIX = process.env.RXSFU_MATRIX;
const FULL = MATRIX === 'full';
/** `full`: every cell and pair; `cells`: every phase × fault with the phase's default starter; else FAST_SUBSET. */
const selected = (cell: Cell) => FULL || (MATRIX === 'cells' && !cell.otherStarter) || FAST_SUBSET.has(cell.name);

describe(`reconnect e2e: fault matrix (${FULL ? 'full' : MATRIX === 'cells' ? 'cells' : 'fast subset; npm run test:matrix for all'})`, function () {
  this.timeout(90000);

  for (const cell of allCells()) {
    if (!selected(cell)) continue;
    it(`${cell.name} → ${expectedEnd(cell)}, nothing leaked`, async () => {
      const before = await resourceBaseline();
      const rig = await startRig({ publish: cell.phase.publish, deferJoin: cell.phase.joining === true });
      try {
        if (!cell.phase.joining) await untilJoinedAndHealthy(rig.call, rig.emu);
        await runCell(rig, cell);
      } finally {
        await rig.close();
      }
      expect(await resourceGrowth(before, 8000), 'resources left after leave() and emulator close').to.deep.equal({});
    });
  }
});

function expectedEnd({ phase, outcome }: Cell): string {
  const end = phase.leaving ? 'left' : outcome === 'recovers' ? 'joined, invariant holds' : 'left (call ended)';
  return phase.joining ? `${end}, or joinCall rejects with a typed error` : end;
}

async function runCell(rig: Rig, { phase, first, fault, outcome }: Cell): Promise<void> {
  let injected: Promise<void> | undefined;
  let recordsAtFault = 0;
  phase.enter(rig, () => {
    recordsAtFault = rig.records.length;
    injected = Promise.resolve().then(() => fault.inject(rig));
  }, first);
  await until(() => injected !== undefined, 20000, `the phase "${phase.name}"`);
  await injected;
  if (phase.joining) {
    const rejection = await rig.joining?.then(() => undefined, (err: unknown) => err);
    if (rejection !== undefined) {
      // A stated end: joinCall failed with a documented code, and nothing is left behind (checked after).
      expect(rejection, 'joinCall rejects with a typed error').to.be.instanceOf(RxsfuError);
      expect((rejection as RxsfuError).code).to.match(/^RXSFU_ERR_/);
      return;
    }
    if (outcome === 'recovers') return untilJoinedAndHealthy(rig.call, rig.emu, 40000);
  }
  if (phase.leaving) {
    await until(() => rig.call.state === 'left', 15000, 'left');
    expect(rig.call.failure, 'our own leave: no failure').to.equal(undefined);
  } else if (outcome === 'call-ended') {
    await untilCallEnded(rig);
  } else {
    // The fault must have been acted on (an episode ended after it), then the invariant holds.
    await until(() => rig.records.length > recordsAtFault || rig.call.state !== 'joined', 30000, 'an episode after the fault');
    await untilJoinedAndHealthy(rig.call, rig.emu, 40000);
  }
}

/**
 * The call ended: `left` with RXSFU_ERR_CALL_ENDED (R13), whichever connection heard it (the current
 * one, or an attempt's own before adoption: R9/R13).
 */
async function untilCallEnded(rig: Rig): Promise<void> {
  await until(() => rig.call.state === 'left' || rig.call.state === 'reconnecting-failed', 15000, 'the call to end').catch((err: Error) => {
    throw new Error(`${err.message} (state ${rig.call.state}, states ${rig.states.join(' → ')}, records ${JSON.stringify(rig.records).slice(0, 1500)})`);
  });
  const failure = rig.call.failure;
  expect(rig.call.state, `the end (${failure?.code} ${failure?.message})`).to.equal('left');
  expect(failure?.code).to.equal('RXSFU_ERR_CALL_ENDED');
}
