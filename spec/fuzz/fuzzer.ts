/**
 * The fuzz run: `count` inputs from a seeded RNG, shared between the in-process targets (every
 * decoder and the call's event handling, targets.ts) and live calls on real sockets (5%, at most
 * 5,000 frames, live.ts), plus every hostile-SFU scenario once. Counts typed refusals, crashes
 * (an untyped throw, an uncaught exception, an unhandled rejection), hangs, the slowest input, and
 * the heap left after a full GC (growth that stays means something keeps inputs).
 */
import { performance } from 'node:perf_hooks';
import { isRxsfuError } from '../../lib/errors.js';
import { realOffer, sampleCoordinatorJoin, sampleEvents, sampleFrames, sampleTwirpBodies } from './corpus.js';
import { hostileSfuScenarios, liveFrames } from './live.js';
import { createRng } from './rng.js';
import { TARGETS, type Corpus } from './targets.js';

export interface FuzzReport {
  seed: number;
  inputs: number;
  typedErrors: number;
  crashes: string[];
  hangs: string[];
  slowest: { label: string; ms: number };
  /** Heap used after the run minus before it, after a full GC (undefined without --expose-gc). */
  heapGrowthBytes?: number;
}

function gcHeap(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
}

export async function fuzz(count: number, seed: number): Promise<FuzzReport> {
  const rng = createRng(seed);
  const sdp = await realOffer();
  const events = sampleEvents(sdp);
  const frames = sampleFrames(sdp);
  const twirp = sampleTwirpBodies(sdp);
  const corpus: Corpus = { events: frames.events, requests: frames.requests, twirpProtobuf: twirp.protobuf, twirpJson: twirp.json, coordinatorJson: sampleCoordinatorJoin() };
  const report: FuzzReport = { seed, inputs: 0, typedErrors: 0, crashes: [], hangs: [], slowest: { label: '', ms: 0 } };
  const onCrash = (kind: string) => (err: unknown) => report.crashes.push(`${kind}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  const uncaught = onCrash('uncaught exception');
  const unhandled = onCrash('unhandled rejection');
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', unhandled);
  try {
    const before = gcHeap();
    const liveCount = Math.min(5000, Math.floor(count * 0.05));
    const total = TARGETS.reduce((n, t) => n + t.weight, 0);
    for (let i = 0; i < count - liveCount; i++) {
      let pick = rng.int(total);
      const target = TARGETS.find((t) => (pick -= t.weight) < 0)!;
      const started = performance.now();
      let label = target.name;
      try {
        label = target.run(rng, corpus);
      } catch (err) {
        if (isRxsfuError(err)) report.typedErrors++;
        else report.crashes.push(`${target.name}: untyped ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      }
      report.inputs++;
      const ms = performance.now() - started;
      if (ms > report.slowest.ms) report.slowest = { label, ms };
    }
    const after = gcHeap();
    if (before !== undefined && after !== undefined) report.heapGrowthBytes = after - before;
    for (const live of [await liveFrames(rng, liveCount, events), await hostileSfuScenarios()]) {
      report.inputs += live.inputs;
      report.typedErrors += live.typedErrors;
      report.hangs.push(...live.hangs);
      if (live.slowest.ms > report.slowest.ms) report.slowest = live.slowest;
    }
    // Anything the live calls left to a timer (a rethrown error is reported on one) shows up now.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', unhandled);
  }
  return report;
}
