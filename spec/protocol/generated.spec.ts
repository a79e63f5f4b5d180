/**
 * The committed static codec must be exactly what scripts/gen-proto.mjs makes from protos/ today:
 * a proto edit without `npm run gen:proto` fails here.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './lib/wire-facts.js';

describe('protocol: lib/protocol/generated is current with protos/', function () {
  this.timeout(90_000); // pbjs generation takes seconds; far more on a loaded 2-core machine
  let outDir: string;

  before(() => {
    outDir = mkdtempSync(join(tmpdir(), 'rxsfu-gen-check-'));
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'gen-proto.mjs'), outDir], { cwd: repoRoot, stdio: 'pipe' });
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  for (const file of ['sfu.js', 'sfu.d.ts', 'json-fields.js', 'json-fields.d.ts']) {
    it(`${file} is byte-identical to a fresh generation (run \`npm run gen:proto\` if this fails)`, () => {
      const fresh = readFileSync(join(outDir, file));
      const committed = readFileSync(join(repoRoot, 'lib', 'protocol', 'generated', file));
      expect(fresh.length, 'a fresh generation must not be empty').to.be.greaterThan(100);
      expect(committed.equals(fresh), `${file} differs from a fresh generation`).to.equal(true);
    });
  }
});
