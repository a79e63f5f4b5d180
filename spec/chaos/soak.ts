/**
 * The chaos soak (issue 9 item 3): K agents, each in its own call with a simulated participant,
 * on one two-SFU emulator behind killable TCP proxies; random faults from the matrix (and bursts of
 * them) at random times, all drawn from one seed; the joined invariant checked every 250 ms.
 *
 * An agent is "out of joined" while the invariant does not hold (spec/support/call-health.ts); an
 * outage longer than `stuckAfterMs`, or an agent not back at the end, is a violation (stuck), and
 * so is any resource left after every leave() and the emulator's close.
 */
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mergeMap } from 'rxjs';
import { joinCall, type Call } from '../../lib/call/index.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import type { Logger } from '../../lib/logger.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import type { FrameLog, ReconnectionRecord } from '../../lib/reconnect/index.js';
import { joinedProblems } from '../support/call-health.js';
import { resourceBaseline, resourceGrowth, type ResourceCounts } from '../support/resources.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { QUICK } from '../reconnect-e2e/support/scenario.js';
import { CHAOS_FAULTS, sfuId, type ChaosTarget } from './faults.js';
import { seededRandom } from './random.js';

export interface SoakOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly agents: number;
  /** An outage longer than this is a stuck agent. @default 30000 */
  readonly stuckAfterMs?: number;
  /** Mean pause between faults, per emulator. @default 4000 / agents, at least 500 */
  readonly meanFaultGapMs?: number;
  /** Progress lines (faults as they are injected). */
  readonly log?: (line: string) => void;
}

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface SoakReport {
  readonly seed: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly episodesByStrategy: Readonly<Record<string, number>>;
  /** Each episode's durationMs, keyed like `episodesByStrategy` (last strategy tried, outcome). */
  readonly episodeMsByStrategy: Readonly<Record<string, Distribution>>;
  readonly outOfJoinedMs: Distribution;
  /**
   * Time out of joined by the fault that caused it: the faults injected on that agent from
   * `BLAME_WINDOW_MS` before the outage began until it ended. One kind: its name; several (a burst,
   * or a fault landing mid-outage): `several faults`; none: `no fault`.
   */
  readonly outOfJoinedMsByFault: Readonly<Record<string, Distribution>>;
  readonly mediaGapsMs: Distribution;
  /**
   * How busy the soak's one process was (agents and emulator share its event loop): CPU time over
   * wall time, and the event loop's delay (p50/p95/max, ms). A busy loop lengthens every outage.
   */
  readonly process: { readonly cpuPercent: number; readonly loopDelayMs: Distribution };
  readonly stuck: readonly string[];
  readonly leaked: ResourceCounts;
  /** Everything that happened, in order, with times (ms since the start): the log that reproduces a violation. */
  readonly journal: readonly string[];
  /** The frame log of each agent that violated the invariant (`replayFrameLog` replays it). */
  readonly frameLogs: Readonly<Record<string, FrameLog | undefined>>;
  readonly violations: readonly string[];
}

interface Agent {
  readonly name: string;
  readonly call: Call;
  readonly records: ReconnectionRecord[];
  outageSince: number | undefined;
  lastPacketAt: number | undefined;
  /** Faults injected on this agent (ms since the start) and not yet blamed for an outage. */
  recentFaults: { readonly name: string; readonly at: number }[];
}

/** One stretch out of joined and the fault kind blamed for it. */
interface Outage {
  readonly ms: number;
  readonly cause: string;
}

const CHECK_EVERY_MS = 250;
/** How often the journal notes the process's CPU and live handles. */
const SAMPLE_EVERY_MS = 30_000;
/** A fault injected this long before an outage began can have caused it (detection takes up to ~2 s here). */
const BLAME_WINDOW_MS = 3000;
/** A pause in the human's 50 packets/s longer than this counts as a media gap. */
const GAP_MS = 200;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const random = seededRandom(options.seed);
  const stuckAfterMs = options.stuckAfterMs ?? 30000;
  const started = performance.now();
  const now = () => Math.round(performance.now() - started);
  const journal: string[] = [];
  const note = (line: string) => {
    journal.push(`${now()} ms ${line}`);
    options.log?.(`${now()} ms ${line}`);
  };
  const before = await resourceBaseline();
  const busy = processLoad();
  const proxies = new Map<string, TcpProxy>();
  const emu = await startEmulator({ sfuCount: 2, sfuAddress: (sfu) => ({ ...sfu, wsEndpoint: proxies.get(sfu.id)?.wsEndpoint ?? sfu.wsEndpoint }) });
  for (const sfu of emu.sfus) proxies.set(sfu.id, await startTcpProxy(Number(new URL(sfu.url).port)));
  const outages: Outage[] = [];
  const gaps: number[] = [];
  const faults: Record<string, number> = {};
  const violations: string[] = [];
  const agents: Agent[] = [];
  try {
    for (let i = 0; i < options.agents; i++) agents.push(await startAgent(emu, `agent-${i}`, gaps, note));
    const endAt = performance.now() + options.minutes * 60_000;
    const meanGapMs = options.meanFaultGapMs ?? Math.max(500, 4000 / options.agents);
    let nextFaultAt = performance.now() + meanGapMs * 2 * random();
    let nextSampleAt = performance.now() + SAMPLE_EVERY_MS;
    while (performance.now() < endAt) {
      await sleep(CHECK_EVERY_MS);
      if (performance.now() >= nextSampleAt) {
        nextSampleAt += SAMPLE_EVERY_MS;
        note(busy.sample());
      }
      check(agents, emu, now, outages, stuckAfterMs, violations, note);
      if (performance.now() < nextFaultAt) continue;
      nextFaultAt = performance.now() + meanGapMs * 2 * random();
      await injectRandom(agents, emu, proxies, random, faults, note, now);
    }
    note('faults stop; settling');
    busy.stop();
    await settle(agents, emu, now, outages, stuckAfterMs, violations, note);
  } finally {
    busy.stop();
    for (const agent of agents) await agent.call.leave('soak over').catch(() => undefined);
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await emu.close();
  }
  const frameLogs = Object.fromEntries(agents.filter((a) => violations.some((v) => v.startsWith(`${a.name} `))).map((a) => [a.name, a.call.frameLog()]));
  const leaked = await resourceGrowth(before, 10000);
  if (Object.keys(leaked).length > 0) violations.push(`leaked handles ${JSON.stringify(leaked)}`);
  const stuck = violations.filter((v) => v.includes('stuck'));
  return {
    seed: options.seed, faults, episodesByStrategy: episodesByStrategy(agents), episodeMsByStrategy: episodeMsByStrategy(agents),
    outOfJoinedMs: distribution(outages.map((o) => o.ms)), outOfJoinedMsByFault: byCause(outages),
    mediaGapsMs: distribution(gaps), process: busy.read(), stuck, leaked, journal, frameLogs, violations,
  };
}

async function startAgent(emu: Emulator, name: string, gaps: number[], note: (line: string) => void): Promise<Agent> {
  const callId = `chaos-${name}`;
  await emu.addParticipant({ callId, userId: `human-of-${name}`, audio: true });
  const call = await joinCall({
    ...emu.agentOptions(name, callId),
    ...QUICK, recordFrames: true, logger: journalLogger(name, note), coordinatorTimeoutMs: 2000, healthCheckIntervalMs: 500, unhealthyAfterMs: 1500, mediaStallAfterMs: 1500, peerConnectTimeoutMs: 4000,
    reconnect: { ...QUICK.reconnect, disconnectionTimeoutMs: 20000, rateLimit: { max: 1000, windowMs: 120_000 } },
  });
  const agent: Agent = { name, call, records: [], outageSince: undefined, lastPacketAt: undefined, recentFaults: [] };
  call.reconnections$.subscribe((r) => {
    agent.records.push(r);
    note(`${name} episode ${r.trigger.source} → ${r.strategiesTried.join('>')} ${r.outcome} in ${r.durationMs} ms`);
  });
  call.state$.subscribe((s) => note(`${name} state ${s}`));
  call.remoteTracks$.pipe(mergeMap((t) => t.rtp$)).subscribe((_packet: RtpPacket) => {
    const at = performance.now();
    if (agent.lastPacketAt !== undefined && at - agent.lastPacketAt > GAP_MS) gaps.push(Math.round(at - agent.lastPacketAt));
    agent.lastPacketAt = at;
  });
  await call.publishAudioRtp(opusRtpPackets$());
  return agent;
}

/** The SDK's warnings and errors (why an attempt failed) go into the journal, beside the faults. */
function journalLogger(name: string, note: (line: string) => void): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => note(`${name} ${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  return { debug: () => undefined, info: () => undefined, warn: write('warn'), error: write('error') };
}

async function injectRandom(
  agents: Agent[], emu: Emulator, proxies: Map<string, TcpProxy>, random: () => number, counts: Record<string, number>,
  note: (line: string) => void, now: () => number,
): Promise<void> {
  const agent = agents[Math.floor(random() * agents.length)]!;
  // A burst: 2 or 3 faults on the same agent a few ms apart (the double-loss class of bug).
  const burst = random() < 0.2 ? 2 + Math.floor(random() * 2) : 1;
  for (let i = 0; i < burst; i++) {
    const fault = CHAOS_FAULTS[Math.floor(random() * CHAOS_FAULTS.length)]!;
    const target: ChaosTarget = { emu, call: agent.call, proxyOf: (id) => proxies.get(id) };
    const hit = fault.wholeSfu ? agents.filter((a) => a === agent || a.call.currentConnection?.sfuId === sfuId(target)) : [agent];
    counts[fault.name] = (counts[fault.name] ?? 0) + 1;
    note(`${agent.name} fault ${fault.name}${burst > 1 ? ` (burst ${i + 1}/${burst})` : ''}`);
    try {
      await fault.inject(target);
      for (const victim of hit) victim.recentFaults.push({ name: fault.name, at: now() });
    } catch (err) {
      // The target vanished mid-episode (no such session right now): a fault that did nothing.
      note(`${agent.name} fault ${fault.name} not applicable: ${(err as Error).message}`);
    }
    if (i < burst - 1) await sleep(Math.floor(random() * 50));
  }
}

function check(
  agents: Agent[], emu: Emulator, now: () => number, outages: Outage[], stuckAfterMs: number, violations: string[], note: (line: string) => void,
): void {
  for (const agent of agents) {
    const problems = joinedProblems(agent.call, emu);
    const at = now();
    if (problems.length > 0) {
      if (agent.outageSince === undefined) note(`${agent.name} out of joined: ${problems.join('; ')}`);
      agent.outageSince ??= at;
      if (at - agent.outageSince > stuckAfterMs && !violations.some((v) => v.startsWith(agent.name))) {
        violations.push(`${agent.name} stuck out of joined for ${at - agent.outageSince} ms: ${problems.join('; ')}`);
        note(`${agent.name} VIOLATION stuck: ${problems.join('; ')}`);
      }
    } else if (agent.outageSince !== undefined) {
      const outage = { ms: at - agent.outageSince, cause: blame(agent, agent.outageSince) };
      note(`${agent.name} joined again after ${outage.ms} ms (${outage.cause})`);
      outages.push(outage);
      agent.outageSince = undefined;
    }
  }
}

/** After the last fault: every agent must come back within `stuckAfterMs`. */
async function settle(
  agents: Agent[], emu: Emulator, now: () => number, outages: Outage[], stuckAfterMs: number, violations: string[], note: (line: string) => void,
): Promise<void> {
  const giveUpAt = performance.now() + stuckAfterMs + 5000;
  while (performance.now() < giveUpAt && agents.some((a) => a.outageSince !== undefined || joinedProblems(a.call, emu).length > 0)) {
    await sleep(CHECK_EVERY_MS);
    check(agents, emu, now, outages, stuckAfterMs, violations, note);
  }
  for (const agent of agents) {
    const problems = joinedProblems(agent.call, emu);
    if (problems.length > 0 && !violations.some((v) => v.startsWith(agent.name))) violations.push(`${agent.name} stuck at the end: ${problems.join('; ')}`);
  }
}

function episodesByStrategy(agents: Agent[]): Record<string, number> {
  return Object.fromEntries(Object.entries(episodeMsByStrategy(agents)).map(([key, d]) => [key, d.count]));
}

/** The fault kind behind an outage that began at `since` and ends now; the faults blamed are used up. */
function blame(agent: Agent, since: number): string {
  const kinds = new Set(agent.recentFaults.filter((f) => f.at >= since - BLAME_WINDOW_MS).map((f) => f.name));
  agent.recentFaults = [];
  if (kinds.size === 0) return 'no fault';
  return kinds.size === 1 ? [...kinds][0]! : 'several faults';
}

function byCause(outages: readonly Outage[]): Record<string, Distribution> {
  const groups = new Map<string, number[]>();
  for (const o of outages) groups.set(o.cause, [...(groups.get(o.cause) ?? []), o.ms]);
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([cause, ms]) => [cause, distribution(ms)]));
}

function episodeMsByStrategy(agents: Agent[]): Record<string, Distribution> {
  const groups = new Map<string, number[]>();
  for (const record of agents.flatMap((a) => a.records)) {
    const key = `${record.strategiesTried.at(-1) ?? 'none'} ${record.outcome}`;
    groups.set(key, [...(groups.get(key) ?? []), record.durationMs]);
  }
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, ms]) => [key, distribution(ms)]));
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

/** CPU and event-loop delay of this process from now until `stop()`. */
function processLoad(): { stop(): void; read(): SoakReport['process']; sample(): string } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpuAtStart = process.cpuUsage();
  const startedAt = performance.now();
  let result: SoakReport['process'] | undefined;
  const ms = (ns: number) => Math.round(ns / 1e6);
  let last = { cpu: process.cpuUsage(), at: performance.now() };
  const measure = (): SoakReport['process'] => {
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuPercent = Math.round((cpu.user + cpu.system) / 10 / (performance.now() - startedAt));
    return { cpuPercent, loopDelayMs: { count: delay.count, p50: ms(delay.percentile(50)), p95: ms(delay.percentile(95)), max: ms(delay.max) } };
  };
  return {
    stop: () => {
      result ??= measure();
      delay.disable();
    },
    read: () => result ?? measure(),
    // CPU since the last sample and the live handles by kind: work that grows over the run shows here.
    sample: () => {
      const cpu = process.cpuUsage(last.cpu);
      const percent = Math.round((cpu.user + cpu.system) / 10 / (performance.now() - last.at));
      last = { cpu: process.cpuUsage(), at: performance.now() };
      const handles: Record<string, number> = {};
      for (const kind of process.getActiveResourcesInfo()) handles[kind] = (handles[kind] ?? 0) + 1;
      return `process ${percent}% CPU, handles ${JSON.stringify(handles)}`;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
