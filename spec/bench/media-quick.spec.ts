import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** `npm run bench:media -- --quick` as a child process: its output, exit code. */
function runQuickBench(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join('bench', 'media.ts'), '--quick'], { timeout: 120000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('bench:media --quick (smoke: the table prints; figures are not asserted)', function () {
  this.timeout(150000);

  it('prints one row per size with every column, and the summary line with agents per core and SDK / floor', async () => {
    const run = await runQuickBench();
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('| agents'));
    expect(header, run.stdout).to.be.a('string');
    const columns = header!.split('|').map((c) => c.trim()).filter(Boolean);
    expect(columns).to.deep.equal(['agents', 'frames due (each way)', 'frames heard', 'in: p99 lateness ms', 'out: p99 lateness ms', 'lost in', 'lost out',
      'CPU per agent-second (SDK)', 'floor: raw peer, far end in the SFU\'s process', 'SDK / floor',
      'floor, both ends here (earlier)', 'SDK / that floor', 'p99 < 20 ms, none lost']);
    const rows = lines.filter((l) => /^\| \d+ +\|/.test(l)).map((l) => l.split('|').map((c) => c.trim()).filter(Boolean));
    expect(rows.map((r) => r[0])).to.deep.equal(['1', '2']);
    for (const row of rows) {
      expect(row).to.have.length(columns.length);
      // Frames due is the window at 50 frames/s per agent: never zero; lost counts are whole numbers.
      expect(Number(row[1]!.replace(/,/g, ''))).to.be.greaterThan(0);
      expect(row[5]).to.match(/^\d+$/);
      expect(row[6]).to.match(/^\d+$/);
      expect(row[9]).to.match(/^\d+\.\d\d×$/);
      expect(row[11]).to.match(/^\d+\.\d\d×$/);
    }
    expect(run.stdout).to.match(/largest N with p99 < 20 ms both ways and no frame lost: (\d+; ≈ \d+ agents per core by CPU at that size; SDK \/ floor at that size: \d+\.\d\d× \(same run\)|none of the sizes tried)/);
    expect(run.stdout).to.match(/CPU per added agent \(1 → 2\): SDK -?\d+\.\d ms\/s, floor -?\d+\.\d ms\/s, SDK \/ floor \S+; fixed per process: SDK -?\d+\.\d ms\/s, floor -?\d+\.\d ms\/s/);
  });
});
