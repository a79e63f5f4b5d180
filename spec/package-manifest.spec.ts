/**
 * package.json says what is true: the Node range in `engines` is one the suite runs on (this run
 * is on such a Node), and werift's own, stricter, declared floor is explained in the README (npm
 * warns about it on Node 20). `repository` is left out: this checkout has no remote to name.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
interface Manifest { engines?: { node?: string }; keywords?: string[]; sideEffects?: boolean; repository?: unknown }
const manifest = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** The floor of a `>=N` range (the only form rxsfu and werift use). */
function floorMajor(range: string | undefined): number {
  const m = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(range?.trim() ?? '');
  if (!m) throw new Error(`engines.node ${JSON.stringify(range)} is not of the form >=N`);
  return Number(m[1]);
}

describe('package.json: engines, keywords, sideEffects', () => {
  const own = manifest(join(root, 'package.json'));

  it('engines.node admits the Node this suite runs on: the range is one that is tested', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major, `Node ${process.versions.node} against engines ${own.engines?.node}`).to.be.at.least(floorMajor(own.engines?.node));
  });

  it("the README states our range, and werift's declared floor exactly when it is above ours (npm's EBADENGINE warning)", () => {
    const theirs = floorMajor(manifest(join(root, 'node_modules/werift/package.json')).engines?.node);
    const ours = floorMajor(own.engines?.node);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).to.include(`engines: >=${ours}`);
    expect(readme.includes(`declares \`node >=${theirs}\``), `README on werift's node >=${theirs} (ours >=${ours})`).to.equal(theirs > ours);
  });

  it('keywords and sideEffects: false (every module is import-safe) are declared', () => {
    expect(own.keywords).to.include.members(['stream', 'webrtc', 'rxjs']);
    expect(own.sideEffects).to.equal(false);
  });
});
