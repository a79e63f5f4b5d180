/**
 * Shared by the join and reconnect benchmarks: order statistics over a sample, the machine line,
 * memory snapshots and a Markdown table printer, so both scripts print figures the same way and
 * BENCHMARKS.md can take their output as it is.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The q-quantile (0…1) of `xs` by nearest rank; NaN for an empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median, p95, min and max of one sample, in its own unit. */
export interface Summary { n: number; median: number; p95: number; min: number; max: number }

export function summarize(xs: readonly number[]): Summary {
  return { n: xs.length, median: quantile(xs, 0.5), p95: quantile(xs, 0.95), min: Math.min(...xs), max: Math.max(...xs) };
}

/** One decimal below 100, whole numbers above: milliseconds as people read them. */
export const ms = (x: number): string => (Number.isNaN(x) ? 'n/a' : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));

export const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');

export const kib = (bytes: number): string => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;

/** Which machine and how loaded it was, so figures from different runs are not compared blindly. */
export function machineLine(): string {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `machine: ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, `
    + `Node ${process.version}, ${process.platform}/${process.arch}, load average ${load}`;
}

/** Heap used and resident set size, after a full GC when `--expose-gc` gave us one. */
export interface MemorySnapshot { heapUsed: number; rss: number }

/**
 * A full-GC function: `global.gc` under `--expose-gc`, else one obtained by setting the flag at run
 * time (a fresh context then sees `gc`), so `npm run bench:join` needs no node flag.
 */
function findGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
  return typeof gc === 'function' ? (gc as () => void) : undefined;
}

const gc = findGc();

export async function memorySnapshot(): Promise<MemorySnapshot> {
  if (gc) {
    // Two passes with a turn of the event loop between: weak refs and finalizers settle.
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

export const gcExposed = (): boolean => gc !== undefined;

/** Prints a Markdown table: first column left-aligned, the others right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (c: string, i: number) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!));
  const rule = widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  for (const cells of [header, rule, ...rows]) console.log(`| ${cells.map((c, i) => (cells === rule ? c : cell(c, i))).join(' | ')} |`);
}

/** A table row for a latency sample: label, n, median, p95, min, max, and median against a floor. */
export function latencyRow(label: string, sample: readonly number[], floorMedian?: number): string[] {
  const s = summarize(sample);
  return [label, String(s.n), ms(s.median), ms(s.p95), ms(s.min), ms(s.max), floorMedian === undefined ? '' : ratio(s.median, floorMedian)];
}

export const LATENCY_HEADER = ['measurement', 'n', 'median ms', 'p95 ms', 'min ms', 'max ms', 'vs floor'] as const;
