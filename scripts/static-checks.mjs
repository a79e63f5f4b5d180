#!/usr/bin/env node
/**
 * `npm test`'s checks before mocha, at the same time: the type check (tsc), the import-cycle check
 * and ESLint are independent and each mostly one core's work, so on a 2-core machine running them
 * side by side takes about as long as the slowest alone. Each one's output is printed whole, in
 * this order, once all are done; exits 1 if any failed.
 *
 *   node scripts/static-checks.mjs
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const checks = [
  { name: 'typecheck', args: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'check:cycles', args: ['scripts/check-cycles.mjs', 'lib'] },
  { name: 'lint', args: ['scripts/lint.mjs'] },
];

function run({ name, args }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => resolve({ name, code: 1, output: `${output}${err.message}\n`, seconds: 0 }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, output, seconds: (performance.now() - started) / 1000 }));
  });
}

const results = await Promise.all(checks.map(run));
for (const { name, code, output, seconds } of results) {
  console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${name} (${seconds.toFixed(1)} s)`);
  if (output.trim()) console.log(output.trimEnd());
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
