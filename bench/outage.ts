/**
 * Outages: how fast a dead path is noticed, how an agent comes back after the network returns, and
 * whether a healthy but jittery path is ever taken for dead (issue 13).
 *
 *   npm run bench:outage              (about eight minutes: 10 s and 90 s outages, a 60 s jittered run)
 *   npm run bench:outage -- --quick   (a smoke run)
 *   npm run bench:outage -- --long    (adds the 5-minute outage, and a 10-minute jittered run)
 *   npm run bench:outage -- --jitter-only [--long]   (only the jittered run: 60 s, or 10 minutes)
 *
 * The emulator runs in a child process (faults over IPC), so the agent's event-loop stalls below do
 * not stall the SFU. Detection is measured for this build's defaults, for the defaults with the
 * signaling watchdog alone (`networkDeadAfterMs: 0`) and for the old defaults (health check every
 * 5 s, lost after 12 s of silence), each fault spread over the health-check period. The floor is a plain join (`joinCall` → first RTP) in the same run.
 */
import { performance } from 'node:perf_hooks';
import { filter, first, firstValueFrom, map, skipWhile, timeout, timer } from 'rxjs';
import { joinCall, type Call, type CallState, type JoinCallOptions } from '../lib/call/index.js';
import { opusRtpPackets$ } from '../lib/media/index.js';
import { resolveSettings } from '../lib/call/join-options.js';
import { agentOptions, nextRemoteRtp$, timedJoin } from './lib/agents.js';
import type { RemoteEmulator } from './lib/remote-emulator.js';
import { runBench } from './lib/run.js';
import { LATENCY_HEADER, latencyRow, ms, printTable, summarize } from './lib/report.js';

const QUICK = process.argv.includes('--quick');
const LONG = process.argv.includes('--long');
/** Only the jittered run (with `--long`: its 10 minutes without the outages before it). */
const JITTER_ONLY = process.argv.includes('--jitter-only');
const DEFAULTS = resolveSettings({});
const OLD = { healthCheckIntervalMs: 5000, unhealthyAfterMs: 12000, networkDeadAfterMs: 0 };
/** The defaults with the signaling watchdog alone (no `network-dead`): what the heartbeat gives by itself. */
const HEARTBEAT_ONLY = { ...DEFAULTS, networkDeadAfterMs: 0 };
const LIMIT_MS = 120_000;

type Timing = { healthCheckIntervalMs: number; unhealthyAfterMs: number; networkDeadAfterMs: number };
interface Detections { samples: number[]; kinds: Map<string, number> }
const sleep = (msToWait: number) => firstValueFrom(timer(msToWait));

/**
 * Resolves when the call is `joined` again after having left it; throws if it ends instead, or if no
 * state comes for `limitMs` (an outage is silent for its whole length: give it that much more).
 */
async function backToJoined(call: Call, limitMs = LIMIT_MS): Promise<CallState[]> {
  const seen: CallState[] = [];
  await firstValueFrom(call.state$.pipe(
    skipWhile((s) => s === 'joined'),
    filter((s) => (seen.push(s), s === 'joined' || s === 'left' || s === 'reconnecting-failed')),
    first(),
    map((s) => { if (s !== 'joined') throw new Error(`agent ended ${s}: ${call.failure?.message ?? ''}`); }),
    timeout(limitMs),
  ));
  return seen;
}

/** Fault → `connectionLost$`, `n` times on one agent that recovers in between. */
async function detections(emulator: RemoteEmulator, timing: Timing, n: number, kind: 'silence' | 'blackhole', tag: string): Promise<Detections> {
  const userId = `detect-${kind}-${tag}`;
  const { healthCheckIntervalMs, unhealthyAfterMs, networkDeadAfterMs } = timing;
  const { call } = await timedJoin(agentOptions(emulator, 'outage-detect', userId, { healthCheckIntervalMs, unhealthyAfterMs, networkDeadAfterMs }));
  const samples: number[] = [];
  const kinds = new Map<string, number>();
  try {
    for (let i = 0; i < n; i += 1) {
      // Spread the fault over the health-check period: silence counts from the last frame received.
      await sleep(timing.healthCheckIntervalMs + ((i * 997) % timing.healthCheckIntervalMs));
      const lost = firstValueFrom(call.connectionLost$.pipe(timeout(LIMIT_MS)));
      const back = backToJoined(call);
      back.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
      const start = performance.now();
      if (kind === 'silence') await emulator.fault([call.sessionId], 'goSilent');
      else await emulator.network(userId, true);
      const loss = await lost;
      samples.push(performance.now() - start);
      kinds.set(loss.kind, (kinds.get(loss.kind) ?? 0) + 1);
      if (kind === 'blackhole') await emulator.network(userId, false);
      await back;
    }
  } finally {
    await call.leave();
  }
  return { samples, kinds };
}

interface OutageResult { label: string; joinedMs: number; mediaMs: number; states: string; strategies: string }

/** Network cut for `outageMs`, then restored: restore → joined, restore → next RTP from the human. */
async function outage(emulator: RemoteEmulator, outageMs: number): Promise<OutageResult> {
  const userId = `outage-${outageMs}`;
  const { call } = await timedJoin(agentOptions(emulator, 'outage-run', userId));
  try {
    const back = backToJoined(call, outageMs + LIMIT_MS);
    // Awaited after the outage: marked handled now, so a failure meanwhile is reported there, not as an unhandled rejection.
    back.catch(() => undefined);
    const record = firstValueFrom(call.reconnections$.pipe(filter((r) => r.outcome === 'joined')));
    await emulator.network(userId, true);
    await sleep(outageMs);
    const restored = performance.now();
    await emulator.network(userId, false);
    const states = await back;
    const joinedMs = performance.now() - restored;
    const mediaMs = await firstValueFrom(nextRemoteRtp$(call).pipe(map(() => performance.now() - restored), timeout({ first: 10_000, with: () => [Number.NaN] })));
    const r = await record;
    const outages = (r.outages ?? []).map((o) => (o.answeredBy ? `${o.ended} by ${o.answeredBy}` : o.ended)).join(',');
    return { label: `${outageMs / 1000} s`, joinedMs, mediaMs, states: [...new Set(states)].join('>'), strategies: `${r.strategiesTried.join('>')}${outages ? ` (offline: ${outages})` : ''}` };
  } finally {
    await call.leave();
  }
}

/** Blocks this process's event loop for `msToBlock` (an agent busy with something else). */
function stall(msToBlock: number): void {
  const end = performance.now() + msToBlock;
  while (performance.now() < end) { /* busy */ }
}

/**
 * A healthy path made rough: frames to the agents delayed by 0–300 ms (changed every 200 ms), a
 * spike of 800 ms every 10 s, and the agents' event loop stalled for 0–500 ms every 3 s. Two
 * agents: a listener (the human's RTP flows to it) and a speak-only agent (publishes Opus,
 * subscribes to nothing: its only media signal is the SFU's RTCP, the thinnest one `network-dead`
 * reads). Returns the losses they reported (they must report none).
 */
async function jittered(emulator: RemoteEmulator, durationMs: number): Promise<{ losses: number; stalls: number; maxStallMs: number }> {
  const { call } = await timedJoin(agentOptions(emulator, 'outage-jitter', 'jitter'));
  const speaker = await joinCall(agentOptions(emulator, 'outage-jitter', 'jitter-speaker', { subscriptions: { audio: false } }));
  await speaker.publishAudioRtp(opusRtpPackets$());
  let losses = 0;
  let stalls = 0;
  let maxStallMs = 0;
  const lossSubs = [call, speaker].map((c) => c.connectionLost$.subscribe(() => (losses += 1)));
  const delay = (msToHold: number) => Promise.all([call, speaker].map((c) => emulator.delay(c.sessionId, msToHold)));
  try {
    const end = performance.now() + durationMs;
    let nextSpike = performance.now() + 10_000;
    let nextStall = performance.now() + 3000;
    while (performance.now() < end) {
      const now = performance.now();
      const spiking = now >= nextSpike;
      if (spiking) nextSpike = now + 10_000;
      await delay(spiking ? 800 : Math.floor(Math.random() * 300));
      if (now >= nextStall) {
        const blocked = Math.floor(Math.random() * 500);
        stall(blocked);
        stalls += 1;
        maxStallMs = Math.max(maxStallMs, blocked);
        nextStall = performance.now() + 3000;
      }
      await sleep(spiking ? 1000 : 200);
    }
    await delay(0);
  } finally {
    lossSubs.forEach((sub) => sub.unsubscribe());
    await Promise.all([call.leave(), speaker.leave()]);
  }
  return { losses, stalls, maxStallMs };
}

const row = (label: string, d: Detections) => [...latencyRow(label, d.samples).slice(0, 6), [...d.kinds].map(([k, c]) => `${k} ×${c}`).join(', ')];

runBench('bench:outage', 1, async (emulator) => {
  await emulator.addParticipant('outage-detect', 'human');
  await emulator.addParticipant('outage-run', 'human');
  await emulator.addParticipant('outage-jitter', 'human');
  if (!JITTER_ONLY) await detectionsAndOutages(emulator);
  const duration = QUICK ? 20_000 : LONG ? 600_000 : 60_000;
  const jitter = await jittered(emulator, duration);
  console.log(`\nJittered healthy path (defaults; a listener and a speak-only agent), ${duration / 1000} s: frames delayed 0–300 ms, 800 ms spikes every 10 s, ${jitter.stalls} event-loop stalls up to ${jitter.maxStallMs} ms`);
  console.log(`false losses: ${jitter.losses}`);
  if (jitter.losses > 0) throw new Error(`${jitter.losses} false losses on a healthy path`);
});

async function detectionsAndOutages(emulator: RemoteEmulator): Promise<void> {
  const floor = await timedJoin(agentOptions(emulator, 'outage-run', 'floor'));
  await floor.call.leave();

  const n = QUICK ? 3 : 15;
  const silenceNew = await detections(emulator, DEFAULTS, n, 'silence', 'new');
  const blackholeNew = await detections(emulator, DEFAULTS, QUICK ? 2 : n, 'blackhole', 'new');
  const blackholeHeartbeat = await detections(emulator, HEARTBEAT_ONLY, QUICK ? 2 : 8, 'blackhole', 'heartbeat');
  const silenceOld = await detections(emulator, OLD, QUICK ? 1 : 4, 'silence', 'old');
  console.log(`Detection: fault → call.connectionLost$ (defaults: health check every ${DEFAULTS.healthCheckIntervalMs} ms, lost after ${DEFAULTS.unhealthyAfterMs} ms of signaling silence, or ${DEFAULTS.networkDeadAfterMs} ms of signaling and media silence; old: ${OLD.healthCheckIntervalMs} / ${OLD.unhealthyAfterMs}, no media signal)\n`);
  printTable([...LATENCY_HEADER.slice(0, 6), 'loss kinds'], [
    row(`silent signaling, defaults (${DEFAULTS.unhealthyAfterMs} ms)`, silenceNew),
    row(`whole-network blackhole, defaults (${DEFAULTS.networkDeadAfterMs} ms)`, blackholeNew),
    row(`whole-network blackhole, heartbeat only (${DEFAULTS.unhealthyAfterMs} ms)`, blackholeHeartbeat),
    row(`silent signaling, old defaults (${OLD.unhealthyAfterMs} ms)`, silenceOld),
  ]);
  console.log(`\np95 with the defaults: silent path ${ms(summarize(silenceNew.samples).p95)} ms, blackhole ${ms(summarize(blackholeNew.samples).p95)} ms (goal: ≤ 3000 each)\n`);

  const lengths = QUICK ? [10_000] : LONG ? [10_000, 90_000, 300_000] : [10_000, 90_000];
  const outages: OutageResult[] = [];
  for (const length of lengths) outages.push(await outage(emulator, length));
  console.log(`Outages (defaults): network cut for the length, then restored; floor: a plain join → first RTP = ${ms(floor.firstRtpMs)} ms\n`);
  printTable(['outage', 'restore → joined ms', 'restore → media ms', 'states', 'strategies'],
    outages.map((o) => [o.label, ms(o.joinedMs), ms(o.mediaMs), o.states, o.strategies]));
}
