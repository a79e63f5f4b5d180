/**
 * Reconnection: how fast a loss is detected, how fast each strategy brings the agent back to media,
 * and a storm of 50 agents losing their sockets at once.
 *
 *   npm run bench:reconnect            (about two minutes)
 *   npm run bench:reconnect -- --quick (a smoke run)
 *
 * The emulator runs in a child process; faults are applied there over IPC (sub-millisecond, counted
 * in every figure). Each sample uses a fresh agent, so the REJOIN/MIGRATE rate limit (R8) and a
 * silenced session never carry over. The floor is a plain join (`joinCall` → first RTP) measured in
 * the same run. Exits 1 if an agent does not recover or the storm produces a wrong record count.
 */
import { performance } from 'node:perf_hooks';
import { filter, first, firstValueFrom, map, mergeMap, skipWhile, timeout, timer, type Observable } from 'rxjs';
import type { Call, JoinCallOptions } from '../lib/call/index.js';
import type { ReconnectionRecord } from '../lib/reconnect/index.js';
import { agentOptions, nextRemoteRtp$, timedJoin } from './lib/agents.js';
import type { RemoteEmulator, SessionFault } from './lib/remote-emulator.js';
import { runBench } from './lib/run.js';
import { LATENCY_HEADER, latencyRow, ms, printTable, ratio, summarize } from './lib/report.js';

const UNHEALTHY_AFTER_MS = 2000;
/** Health checks must come more often than the silence limit, or an idle healthy socket counts as lost. */
const HEALTH_CHECK_INTERVAL_MS = 500;
/** How long a recovery or a first packet may take before the sample counts as broken. */
const RECOVERY_LIMIT_MS = 30_000;
const MEDIA_LIMIT_MS = 5000;
const GAP_TAIL_MS = 500;

interface Settings { detections: number; silences: number; recoveries: number; migrations: number; storm: number }

/** A recovery that did not happen as it must: the run is broken, not slow. */
class BenchFailure extends Error {
  override readonly name = 'broken recovery';
}

/** Every agent of this benchmark: the shortened silence limit and health-check period, everything else default. */
const options = (emulator: RemoteEmulator, callId: string, userId: string): JoinCallOptions =>
  agentOptions(emulator, callId, userId, { unhealthyAfterMs: UNHEALTHY_AFTER_MS, healthCheckIntervalMs: HEALTH_CHECK_INTERVAL_MS });

/** Emits when the call is back in 'joined' after having left it; errors if it ends instead. */
function rejoined$(call: Call): Observable<void> {
  return call.state$.pipe(
    skipWhile((s) => s === 'joined'),
    first((s) => s === 'joined' || s === 'left' || s === 'reconnecting-failed'),
    map((s) => {
      if (s !== 'joined') throw new BenchFailure(`agent ended in state ${s}: ${call.failure?.message ?? ''}`);
    }),
    timeout({ first: RECOVERY_LIMIT_MS, with: () => { throw new BenchFailure(`agent not joined again within ${RECOVERY_LIMIT_MS} ms (state ${call.state})`); } }),
  );
}

/** Fault → connectionLost$, ms. */
async function detection(emulator: RemoteEmulator, fault: SessionFault, callId: string, i: number): Promise<number> {
  const { call } = await timedJoin(options(emulator, callId, `detect-${fault}-${i}`));
  try {
    // Spread the fault over the health-check period: silence is counted from the last frame received.
    await firstValueFrom(timer(HEALTH_CHECK_INTERVAL_MS + ((i * 137) % HEALTH_CHECK_INTERVAL_MS)));
    const lost = firstValueFrom(call.connectionLost$.pipe(timeout(RECOVERY_LIMIT_MS)));
    const start = performance.now();
    await emulator.fault([call.sessionId], fault);
    await lost;
    return performance.now() - start;
  } finally {
    await call.leave();
  }
}

interface Recovery {
  joinedMs: number;
  /** Fault → next RTP after joined again; NaN when none came within MEDIA_LIMIT_MS. */
  mediaMs: number;
  /** Longest time between two remote RTP packets around the fault (the agent's audible gap). */
  gapMs: number;
  strategies: string;
  joinFloorMs: number;
}

/** Arrival times of every remote RTP packet, from now until `stop()`. */
function arrivals(call: Call): { stop(): number[] } {
  const times: number[] = [];
  const sub = call.remoteTracks$.pipe(mergeMap((t) => t.rtp$)).subscribe(() => times.push(performance.now()));
  return { stop: () => (sub.unsubscribe(), times) };
}

/** Longest interval without a packet from `from` on, counted from the last arrival before it (or `from`). */
function longestGap(times: number[], from: number): number {
  const before = times.filter((t) => t <= from);
  const points = [before.length > 0 ? before[before.length - 1]! : from, ...times.filter((t) => t > from)];
  let gap = 0;
  for (let i = 1; i < points.length; i += 1) gap = Math.max(gap, points[i]! - points[i - 1]!);
  return gap;
}

/** Fault → 'joined' again → next remote RTP, and the media gap around it. */
async function recovery(emulator: RemoteEmulator, fault: SessionFault, callId: string, i: number): Promise<Recovery> {
  const join = await timedJoin(options(emulator, callId, `recover-${fault}-${i}`));
  const call = join.call;
  try {
    const record = firstValueFrom(call.reconnections$);
    const back = firstValueFrom(rejoined$(call));
    const packets = arrivals(call);
    const start = performance.now();
    await emulator.fault([call.sessionId], fault);
    await back;
    const joinedMs = performance.now() - start;
    const mediaMs = await firstValueFrom(nextRemoteRtp$(call).pipe(
      map(() => performance.now() - start),
      timeout({ first: MEDIA_LIMIT_MS, with: () => [Number.NaN] }),
    ));
    // A little media after the return, so a second stall right after it would show in the gap.
    await firstValueFrom(timer(GAP_TAIL_MS));
    const gapMs = longestGap(packets.stop(), start);
    const r: ReconnectionRecord = await record;
    return { joinedMs, mediaMs, gapMs, strategies: `${r.strategiesTried.join('>')} (${r.outcome})`, joinFloorMs: join.firstRtpMs };
  } finally {
    await call.leave();
  }
}

async function repeat<T>(times: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i += 1) results.push(await run(i));
  return results;
}

async function detections(emulator: RemoteEmulator, s: Settings): Promise<void> {
  const tcp = await repeat(s.detections, (i) => detection(emulator, 'destroyTcp', 'bench-detect', i));
  const silence = await repeat(s.silences, (i) => detection(emulator, 'goSilent', 'bench-detect', i));
  console.log(`Detection: fault applied → call.connectionLost$ (unhealthyAfterMs ${UNHEALTHY_AFTER_MS}, healthCheckIntervalMs ${HEALTH_CHECK_INTERVAL_MS})\n`);
  printTable(['fault', 'n', 'median ms', 'p95 ms', 'min ms', 'max ms', 'median / unhealthyAfterMs'], [
    latencyRow('TCP destroyed (destroyTcp, code 1006)', tcp).slice(0, 6).concat(''),
    latencyRow('silence (goSilent, TCP open)', silence).slice(0, 6).concat(ratio(summarize(silence).median, UNHEALTHY_AFTER_MS)),
  ]);
  console.log('');
}

const STRATEGIES: { label: string; fault: SessionFault; count: (s: Settings) => number }[] = [
  { label: 'FAST (destroyTcp)', fault: 'destroyTcp', count: (s) => s.recoveries },
  { label: 'REJOIN (error, strategy REJOIN)', fault: 'rejoin', count: (s) => s.recoveries },
  { label: 'MIGRATE (go_away)', fault: 'goAway', count: (s) => s.migrations },
];

async function recoveries(emulator: RemoteEmulator, s: Settings): Promise<void> {
  const rows: string[][] = [];
  const floors: number[] = [];
  const notes: string[] = [];
  const results = [];
  for (const strategy of STRATEGIES) {
    const samples = await repeat(strategy.count(s), (i) => recovery(emulator, strategy.fault, 'bench-recover', i));
    results.push({ strategy, samples });
    floors.push(...samples.map((x) => x.joinFloorMs));
  }
  const floor = summarize(floors).median;
  rows.push(latencyRow('floor: plain joinCall → first remote RTP (same agents)', floors, floor));
  for (const { strategy, samples } of results) {
    rows.push(latencyRow(`${strategy.label}: fault → joined`, samples.map((x) => x.joinedMs), floor));
    const withMedia = samples.filter((x) => !Number.isNaN(x.mediaMs));
    const lost = samples.length - withMedia.length;
    if (withMedia.length > 0) {
      rows.push(latencyRow(`${strategy.label}: fault → joined → next RTP`, withMedia.map((x) => x.mediaMs), floor));
      rows.push(latencyRow(`${strategy.label}: longest gap between RTP packets`, withMedia.map((x) => x.gapMs), floor));
    }
    if (lost > 0) notes.push(`${strategy.label}: no RTP from the human within ${MEDIA_LIMIT_MS} ms after joining again in ${lost} of ${samples.length} samples`);
    const tried = [...new Set(samples.map((x) => x.strategies))].join(', ');
    notes.push(`${strategy.label}: strategies tried ${tried}`);
  }
  console.log('Recovery: fault applied → state joined again → next RTP packet from the human (20 ms apart when flowing); fresh agent per sample\n');
  printTable([...LATENCY_HEADER], rows);
  console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}

/** 50 agents in one call; every socket destroyed in one turn; each must come back exactly once. */
async function storm(emulator: RemoteEmulator, n: number): Promise<void> {
  const calls: Call[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, j) => timedJoin(options(emulator, 'bench-storm', `storm-${i + j}`)));
    calls.push(...(await Promise.all(batch)).map((j) => j.call));
  }
  const records = calls.map((): ReconnectionRecord[] => []);
  const subs = calls.map((c, i) => c.reconnections$.subscribe((r) => records[i]!.push(r)));
  const recovered = calls.map((c) => firstValueFrom(c.reconnections$.pipe(filter((r) => r.outcome === 'joined'), map(() => performance.now()), timeout(RECOVERY_LIMIT_MS))));
  const start = performance.now();
  await emulator.fault(calls.map((c) => c.sessionId), 'destroyTcp');
  const done = await Promise.allSettled(recovered);
  const allMs = Math.max(...done.map((d) => (d.status === 'fulfilled' ? d.value - start : Number.NaN)));
  // Media back on every agent, then a quiet while in which no agent may reconnect a second time.
  const media = await Promise.allSettled(calls.map((c) => firstValueFrom(nextRemoteRtp$(c).pipe(timeout(MEDIA_LIMIT_MS)))));
  await firstValueFrom(timer(UNHEALTHY_AFTER_MS * 2));
  subs.forEach((sub) => sub.unsubscribe());
  const perAgent = records.map((r) => r.length);
  const joinedOnce = records.filter((r) => r.length === 1 && r[0]!.outcome === 'joined').length;
  const durations = records.flatMap((r) => r.map((x) => x.durationMs));
  const d = summarize(durations);
  console.log(`Storm: ${n} agents in one call, every socket destroyed at once (destroyTcp in one turn)\n`);
  printTable(['measurement', 'value'], [
    ['agents with exactly one record, outcome joined', `${joinedOnce} / ${n}`],
    ['records per agent (min–max)', `${Math.min(...perAgent)}–${Math.max(...perAgent)}`],
    ['agents receiving RTP again', `${media.filter((m) => m.status === 'fulfilled').length} / ${n}`],
    ['fault → last agent joined again', `${ms(allMs)} ms`],
    ['record durationMs median / p95 / max', `${ms(d.median)} / ${ms(d.p95)} / ${ms(d.max)} ms`],
  ]);
  const triggers = new Map<string, number>();
  for (const r of records.flat()) triggers.set(`${r.trigger.detail} → ${r.strategiesTried.join('>')} (${r.outcome})`, (triggers.get(`${r.trigger.detail} → ${r.strategiesTried.join('>')} (${r.outcome})`) ?? 0) + 1);
  console.log(`\nrecords by trigger: ${[...triggers].map(([t, count]) => `${count}× ${t}`).join('; ')}\n`);
  await Promise.all(calls.map((c) => c.leave()));
  if (joinedOnce !== n || media.some((m) => m.status === 'rejected')) throw new BenchFailure(`storm: ${n - joinedOnce} agents did not recover exactly once, ${media.filter((m) => m.status === 'rejected').length} without media`);
}

const quick = process.argv.includes('--quick');
const settings: Settings = quick
  ? { detections: 3, silences: 2, recoveries: 3, migrations: 2, storm: 10 }
  : { detections: 10, silences: 5, recoveries: 10, migrations: 5, storm: 50 };
runBench('bench:reconnect', 2, async (emulator) => {
  await emulator.addParticipant('bench-detect', 'human');
  await emulator.addParticipant('bench-recover', 'human');
  await emulator.addParticipant('bench-storm', 'human');
  await timedJoin(options(emulator, 'bench-recover', 'warm-up')).then((j) => j.call.leave());
  await detections(emulator, settings);
  await recoveries(emulator, settings);
  await storm(emulator, settings.storm);
});
