/**
 * `npm run demo` reads as a story: it runs to completion (exit 0), no line repeats what an earlier
 * line already said (the participant list used to be printed five times unchanged), it ends with a
 * summary (faults survived and how, the longest gap in what the agent heard), and nothing documents
 * a flag the demo does not have.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('examples: the demo reads as a story', function () {
  this.timeout(120_000);
  let output = '';

  before(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root });
    output = stdout;
  });

  it('no repeated lines: each timeline line says something new', () => {
    const said = output.split('\n').filter((l) => /^\s+\+\d/.test(l)).map((l) => l.replace(/^\s+\+[\d.]+s\s+/, ''));
    expect(said.length).to.be.greaterThan(10);
    const repeated = said.filter((line, i) => said.indexOf(line) !== i);
    expect(repeated, output).to.deep.equal([]);
  });

  it('ends with a summary: three faults survived, each with its strategy, and the longest gap heard', () => {
    const summary = output.slice(output.indexOf('summary:'));
    expect(summary, output).to.match(/^summary: 3 faults survived/);
    expect(summary).to.match(/TCP connection destroyed.*: fast/).and.match(/go_away.*: migrate/);
    expect(summary).to.match(/longest gap in alice's audio at the agent: \d+ ms/);
  });

  it('documents no flag it does not have', () => {
    const documented = [readFileSync(join(root, 'examples/demo.ts'), 'utf8'), readFileSync(join(root, 'README.md'), 'utf8')].join('\n');
    const demoFlags = [...documented.matchAll(/npm run demo\s+--\s+(--[\w-]+)/g)].map((m) => m[1]);
    expect(demoFlags, 'the demo takes no flags').to.deep.equal([]);
    expect(documented).to.not.contain('--quick');
  });
});
