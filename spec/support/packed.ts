/**
 * `npm pack` of this checkout, once per mocha process: its prepack script runs `npm run build`, so
 * dist/ is fresh afterwards, and the tarball is what a user installs. package.spec.ts (dist/ and the
 * exports map) and package-tarball.spec.ts (the tarball) share the one build, which takes seconds;
 * each still packs on its own when run alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

let tarball: string | undefined;

/** The path of this checkout's packed tarball (dist/ built by prepack on the way); removed when the process exits. */
export function packedTarball(): string {
  if (tarball === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'rxsfu-pack-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    tarball = join(dir, name);
  }
  return tarball;
}
