/**
 * `npm run fuzz -- --count N --seed S [--json]`: runs the fuzzer (fuzzer.ts) and prints inputs
 * tried, typed errors, crashes (must be 0), hangs (must be 0), the slowest input and the heap
 * growth. Exits 1 when anything crashed or hung.
 */
import { fuzz } from './fuzzer.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

const count = arg('count', 10_000);
const seed = arg('seed', 1);
const started = Date.now();
fuzz(count, seed).then((report) => {
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    console.log(`seed ${report.seed}: ${report.inputs.toLocaleString('en-US')} inputs tried in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`typed errors: ${report.typedErrors.toLocaleString('en-US')}`);
    console.log(`crashes: ${report.crashes.length}`);
    for (const crash of report.crashes.slice(0, 10)) console.log(`  ${crash}`);
    console.log(`hangs: ${report.hangs.length}${report.hangs.length ? ` (${report.hangs.join('; ')})` : ''}`);
    console.log(`slowest input: ${report.slowest.ms.toFixed(1)} ms, ${report.slowest.label}`);
    console.log(`heap growth after GC: ${report.heapGrowthBytes === undefined ? 'n/a (run with --expose-gc)' : `${Math.round(report.heapGrowthBytes / 1024)} KiB`}`);
  }
  process.exit(report.crashes.length + report.hangs.length > 0 ? 1 : 0);
}, (err: Error) => {
  console.error('fuzz failed:', err.stack ?? err.message);
  process.exit(1);
});
