/**
 * `npm run chaos -- --seed S --minutes M --agents K`: the soak of spec/chaos/soak.ts from the command
 * line. Prints faults injected, episodes by strategy (count and duration), time out of joined (overall and
 * by the fault kind behind each outage) and media gaps (p50/p95/max),
 * stuck agents and leaked handles; on any violation exits 1 and prints the seed, the journal and the
 * frame log of each agent concerned (the same seed draws the same faults; `replayFrameLog` replays a log).
 *
 * `npm run chaos -- --jitter --seed S --minutes M`: no faults, a healthy path made rough instead
 * (spec/chaos/jitter.ts: 0–300 ms signaling delay with 800 ms spikes, event-loop stalls up to 500 ms);
 * prints the losses per agent and exits 1 on any (issue 13: zero false losses).
 */
import { runJitterSoak } from './jitter.js';
import { runSoak, type Distribution } from './soak.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const show = (d: Distribution) => `p50 ${d.p50} ms, p95 ${d.p95} ms, max ${d.max} ms (${d.count})`;

const seed = arg('seed', Math.floor(Math.random() * 2 ** 31));
if (process.argv.includes('--jitter')) {
  const jitter = await runJitterSoak({ seed, durationMs: arg('minutes', 1) * 60_000 });
  console.log(`jittered healthy path, seed ${jitter.seed}, ${jitter.durationMs / 1000} s, defaults: ${jitter.spikes} spikes of 800 ms, ${jitter.stalls} event-loop stalls up to ${jitter.maxStallMs} ms`);
  console.log(`losses: ${JSON.stringify(jitter.losses)}`);
  if (jitter.violations.length > 0) {
    console.log(`\nVIOLATIONS (seed ${jitter.seed}):\n${jitter.violations.join('\n')}`);
    process.exit(1);
  }
  console.log('0 false losses');
  process.exit(0);
}
const report = await runSoak({
  seed, minutes: arg('minutes', 1), agents: arg('agents', 3),
  log: process.argv.includes('--verbose') ? (line) => console.log(line) : undefined,
});
console.log(`chaos soak, seed ${report.seed}`);
console.log(`faults injected: ${JSON.stringify(report.faults)}`);
console.log(`episodes by strategy: ${JSON.stringify(report.episodesByStrategy)}`);
console.log(`time out of joined: ${show(report.outOfJoinedMs)}`);
for (const [cause, d] of Object.entries(report.outOfJoinedMsByFault)) console.log(`  after ${cause}: ${show(d)}`);
console.log('episode duration by strategy:');
for (const [key, d] of Object.entries(report.episodeMsByStrategy)) console.log(`  ${key}: ${show(d)}`);
console.log(`media gaps: ${show(report.mediaGapsMs)}`);
console.log(`soak process: ${report.process.cpuPercent}% CPU, event-loop delay ${show(report.process.loopDelayMs)}`);
console.log(`stuck agents: ${report.stuck.length}`);
console.log(`leaked handles: ${JSON.stringify(report.leaked)}`);
if (report.violations.length > 0) {
  console.log(`\nVIOLATIONS (seed ${report.seed}):\n${report.violations.join('\n')}\n\njournal:\n${report.journal.join('\n')}`);
  // Each stuck agent's frame log: replayFrameLog(log) steps through its reconnection core in virtual time.
  for (const [agent, log] of Object.entries(report.frameLogs)) console.log(`\nframe log of ${agent}:\n${JSON.stringify(log)}`);
  process.exit(1);
}
console.log('0 violations');
process.exit(0);
