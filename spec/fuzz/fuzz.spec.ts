/**
 * Issue 10 item 6: a fixed-seed fuzz run of 10,000 inputs (every decoder, the call's event handling,
 * live calls fed mutated frames and SDP, every hostile-SFU scenario), in a child process started
 * like `npm run fuzz` (the runner counts uncaught exceptions and unhandled rejections instead of
 * dying, so a crash is reported with its stack). Any count and seed: `npm run fuzz -- --count N --seed S`.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { FuzzReport } from './fuzzer.js';
import { lastJsonLine, runTsChild } from '../support/child-process.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('fuzzing (issue 10 item 6)', function () {
  this.timeout(180_000);

  it('10,000 inputs, seed 1: no crash, no hang, no unbounded growth; most inputs refused with typed errors', async () => {
    const result = await runTsChild(main, ['--count', '10000', '--seed', '1', '--json'], ['--expose-gc']);
    const report = lastJsonLine(result) as FuzzReport;
    expect(report.crashes, result.stderr).to.deep.equal([]);
    expect(report.hangs).to.deep.equal([]);
    expect(result.exitCode).to.equal(0);
    expect(report.inputs).to.be.at.least(10_000);
    // The mutations reach past the first byte: many inputs decode, many are refused, typed.
    expect(report.typedErrors).to.be.within(1000, report.inputs - 1000);
    // 9,500 in-process inputs keep nothing: what stays after a full GC is far below what they were.
    expect(report.heapGrowthBytes).to.be.a('number').and.below(16 * 1024 * 1024);
  });
});
