#!/usr/bin/env node
/**
 * Runs every spec file ON ITS OWN (one mocha process per file, one after the other), as the suite
 * never does: a spec that only passes after another one ran, or whose process lingers after its
 * tests (a timer or socket outliving leave()), shows up here.
 *
 *   npm run test:each                 every spec/**\/*.spec.ts
 *   npm run test:each -- spec/call    only files under the given paths
 *
 * Prints one line per file (ok / FAIL / LINGER with times), then the failures, and exits non-zero
 * if any file failed or lingered.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A process that exits this long after mocha's summary kept something alive (a timer, a socket). */
const LINGER_LIMIT_MS = 5_000;

function specFiles(root) {
  if (statSync(root).isFile()) return root.endsWith('.spec.ts') ? [root] : [];
  return readdirSync(root).sort().flatMap((name) => specFiles(join(root, name)));
}

function runAlone(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    // When mocha printed its summary: its tests are over, the process should end right after.
    let summaryAt;
    const collect = (chunk) => {
      output += chunk;
      if (summaryAt === undefined && /\d+ passing \(/.test(output)) summaryAt = performance.now();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('close', (code) => {
      const endedAt = performance.now();
      resolve({ file, code, wallMs: endedAt - started, lingerMs: summaryAt === undefined ? 0 : endedAt - summaryAt, output });
    });
  });
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['spec']).flatMap(specFiles).map((f) => relative('.', f));
const bad = [];
for (const file of files) {
  const result = await runAlone(file);
  const lingered = result.code === 0 && result.lingerMs > LINGER_LIMIT_MS;
  const status = result.code !== 0 ? 'FAIL  ' : lingered ? 'LINGER' : 'ok    ';
  console.log(`${status} ${file}  (${(result.wallMs / 1000).toFixed(1)} s${lingered ? `, exited ${(result.lingerMs / 1000).toFixed(1)} s after its tests` : ''})`);
  if (result.code !== 0 || lingered) bad.push(result);
}
for (const result of bad) {
  console.log(`\n===== ${result.file} (exit ${result.code}) =====\n${result.output.split('\n').slice(-60).join('\n')}`);
}
console.log(`\n${files.length - bad.length}/${files.length} spec files pass alone${bad.length ? `; failing or lingering: ${bad.map((b) => b.file).join(', ')}` : ''}`);
process.exit(bad.length > 0 ? 1 : 0);
