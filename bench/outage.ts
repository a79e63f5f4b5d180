/**
 * Outages: how fast a dead path is noticed, how an agent comes back after the network returns, and
 * whether a healthy but jittery path is ever taken for dead (issue 13).
 *
 *   npm run bench:outage              (about eight minutes: 10 s and 90 s outages, a 60 s jittered run)
 *   npm run bench:outage -- --quick   (a smoke run)
 *   npm run bench:outage -- --long    (adds the 5-minute outage, and a 10-minute jittered run)
 *   npm run bench:outage -- --jitter-only [--long]   (only the jittered run: 60 s, or 10 minutes)
 *   npm run bench:outage -- --outages 10,90,300      (only these outages, lengths in seconds)
 *   npm run bench:outage -- --detections-only        (only the detection rows)
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
import { roughen } from '../spec/chaos/jitter.js';
import { LATENCY_HEADER, latencyRow, ms, printTable, summarize } from './lib/report.js';

const QUICK = process.argv.includes('--quick');
const LONG = process.argv.includes('--long');
/** Only the jittered run (with `--long`: its 10 minutes without the outages before it). */
const JITTER_ONLY = process.argv.includes('--jitter-only');
const DETECTIONS_ONLY = process.argv.includes('--detections-only');
/** `--outages 10,90,300`: only these outages (seconds), no detection rows, no jittered run. */
const OUTAGES_ONLY = ((at) => (at < 0 ? undefined : (process.argv[at + 1] ?? '').split(',').map((sec) => Number(sec) * 1000)))(process.argv.indexOf('--outages'));
if (OUTAGES_ONLY?.some((len) => !(len > 0))) throw new Error('--outages takes lengths in seconds, e.g. --outages 10,90,300');
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

interface OutageResult { label: string; joinedMs: number; mediaInMs: number; mediaOutMs: number; states: string; strategies: string }

/** Packets the call's human has received from `sessionId` so far. */
const atHuman = (emulator: RemoteEmulator, sessionId: string) => emulator.receivedPackets('outage-run', 'human', sessionId);

/** Time from `since` until the human has received an agent RTP packet beyond `baseline` (polled over IPC every 10 ms). */
async function nextAgentRtpAtHuman(emulator: RemoteEmulator, call: Call, since: number, baseline: number): Promise<number> {
  const giveUp = performance.now() + 10_000;
  while (performance.now() < giveUp) {
    if ((await atHuman(emulator, call.sessionId)) > baseline) return performance.now() - since;
    await sleep(10);
  }
  return Number.NaN;
}

/**
 * Network cut for `outageMs`, then restored: restore → joined, restore → next RTP from the human
 * (media in), restore → next RTP of the agent's Opus track at the human (media out).
 */
async function outage(emulator: RemoteEmulator, outageMs: number): Promise<OutageResult> {
  const userId = `outage-${outageMs}`;
  const { call } = await timedJoin(agentOptions(emulator, 'outage-run', userId));
  try {
    await call.publishAudioRtp(opusRtpPackets$());
    const before = call.sessionId;
    const back = backToJoined(call, outageMs + LIMIT_MS);
    // Awaited after the outage: marked handled now, so a failure meanwhile is reported there, not as an unhandled rejection.
    back.catch(() => undefined);
    const record = firstValueFrom(call.reconnections$.pipe(filter((r) => r.outcome === 'joined')));
    await emulator.network(userId, true);
    await sleep(outageMs);
    const heardBefore = await atHuman(emulator, before);
    const restored = performance.now();
    await emulator.network(userId, false);
    const mediaIn = firstValueFrom(nextRemoteRtp$(call).pipe(map(() => performance.now() - restored), timeout({ first: outageMs + LIMIT_MS, with: () => [Number.NaN] })));
    const states = await back;
    const joinedMs = performance.now() - restored;
    // A FAST reconnection keeps the session (its count goes on); a REJOIN starts a new one from 0.
    const mediaOutMs = await nextAgentRtpAtHuman(emulator, call, restored, call.sessionId === before ? heardBefore : 0);
    const r = await record;
    const outages = (r.outages ?? []).map((o) => (o.answeredBy ? `${o.ended} by ${o.answeredBy}` : o.ended)).join(',');
    return { label: `${outageMs / 1000} s`, joinedMs, mediaInMs: await mediaIn, mediaOutMs, states: [...new Set(states)].join('>'), strategies: `${r.strategiesTried.join('>')}${outages ? ` (offline: ${outages})` : ''}` };
  } finally {
    await call.leave();
  }
}

/**
 * The jittered healthy path of spec/chaos/jitter.ts (`roughen`) with the emulator in its child
 * process, so only the agents' loop stalls: a listener and a speak-only agent. Returns the losses
 * they reported (they must report none).
 */
async function jittered(emulator: RemoteEmulator, durationMs: number): Promise<{ losses: number; stalls: number; maxStallMs: number }> {
  const { call } = await timedJoin(agentOptions(emulator, 'outage-jitter', 'jitter'));
  const speaker = await joinCall(agentOptions(emulator, 'outage-jitter', 'jitter-speaker', { subscriptions: { audio: false } }));
  await speaker.publishAudioRtp(opusRtpPackets$());
  let losses = 0;
  const lossSubs = [call, speaker].map((c) => c.connectionLost$.subscribe(() => (losses += 1)));
  try {
    const rough = await roughen(durationMs, Math.random, async (msToHold) => {
      await Promise.all([call, speaker].map((c) => emulator.delay(c.sessionId, msToHold)));
    });
    return { losses, stalls: rough.stalls, maxStallMs: rough.maxStallMs };
  } finally {
    lossSubs.forEach((sub) => sub.unsubscribe());
    await Promise.all([call.leave(), speaker.leave()]);
  }
}

const row = (label: string, d: Detections) => [...latencyRow(label, d.samples).slice(0, 6), [...d.kinds].map(([k, c]) => `${k} ×${c}`).join(', ')];

runBench('bench:outage', 1, async (emulator) => {
  await emulator.addParticipant('outage-detect', 'human');
  await emulator.addParticipant('outage-run', 'human');
  await emulator.addParticipant('outage-jitter', 'human');
  if (OUTAGES_ONLY) return outageRows(emulator, OUTAGES_ONLY);
  if (!JITTER_ONLY) await detectionRows(emulator);
  if (DETECTIONS_ONLY) return;
  if (!JITTER_ONLY) await outageRows(emulator, QUICK ? [10_000] : LONG ? [10_000, 90_000, 300_000] : [10_000, 90_000]);
  const duration = QUICK ? 20_000 : LONG ? 600_000 : 60_000;
  const jitter = await jittered(emulator, duration);
  console.log(`\nJittered healthy path (defaults; a listener and a speak-only agent), ${duration / 1000} s: frames delayed 0–300 ms, 800 ms spikes every 10 s, ${jitter.stalls} event-loop stalls up to ${jitter.maxStallMs} ms`);
  console.log(`false losses: ${jitter.losses}`);
  if (jitter.losses > 0) throw new Error(`${jitter.losses} false losses on a healthy path`);
});

async function detectionRows(emulator: RemoteEmulator): Promise<void> {
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
}

async function outageRows(emulator: RemoteEmulator, lengths: readonly number[]): Promise<void> {
  const floor = await timedJoin(agentOptions(emulator, 'outage-run', 'floor'));
  await floor.call.leave();
  const outages: OutageResult[] = [];
  for (const length of lengths) outages.push(await outage(emulator, length));
  console.log(`Outages (defaults; the agent publishes Opus and hears the human): network cut for the length, then restored; floor: a plain join → first RTP = ${ms(floor.firstRtpMs)} ms\n`);
  printTable(['outage', 'restore → joined ms', 'restore → media in ms', 'restore → media out ms', 'states', 'strategies'],
    outages.map((o) => [o.label, ms(o.joinedMs), ms(o.mediaInMs), ms(o.mediaOutMs), o.states, o.strategies]));
}
