/**
 * Join latency and memory per agent, against a raw werift pair measured in the same run.
 *
 *   npm run bench:join            (about a minute)
 *   npm run bench:join -- --quick (a smoke run)
 *
 * Latency: `joinCall` → first RTP packet from a simulated participant publishing audio, over
 * sequential joins (each agent leaves before the next joins), taking turns with a raw werift pair
 * (connect → first RTP) so load changes on this shared machine hit both alike. The emulator runs in
 * a child process (bench/lib/emulator-child.ts), like an SFU on another host.
 * Memory: heap used and RSS before/after N agents joined to one call (all receiving the tone),
 * divided by N, against N raw pairs with media flowing, each set in a fresh child process
 * (bench/lib/memory-child.ts) with a full GC before each snapshot.
 */
import { agentOptions, timedJoin } from './lib/agents.js';
import type { RemoteEmulator } from './lib/remote-emulator.js';
import { runBench } from './lib/run.js';
import { measureInChild, type MemoryResult } from './lib/memory-child.js';
import { LATENCY_HEADER, kib, latencyRow, printTable, ratio, summarize, type MemorySnapshot } from './lib/report.js';
import { connectRawPair } from './lib/werift-pair.js';

interface Settings { joins: number; warmup: number; agents: number }

interface LatencySamples { rawConnected: number[]; rawFirstRtp: number[]; sdkJoined: number[]; sdkFirstRtp: number[] }

async function latency(emulator: RemoteEmulator, settings: Settings): Promise<LatencySamples> {
  await emulator.addParticipant('bench-join', 'human');
  const samples: LatencySamples = { rawConnected: [], rawFirstRtp: [], sdkJoined: [], sdkFirstRtp: [] };
  for (let i = 0; i < settings.warmup + settings.joins; i += 1) {
    const pair = await connectRawPair();
    await pair.close();
    const agent = await timedJoin(agentOptions(emulator, 'bench-join', `agent-${i}`));
    await agent.call.leave();
    if (i < settings.warmup) continue;
    samples.rawConnected.push(pair.connectedMs);
    samples.rawFirstRtp.push(pair.firstRtpMs);
    samples.sdkJoined.push(agent.joinedMs);
    samples.sdkFirstRtp.push(agent.firstRtpMs);
  }
  return samples;
}

interface MemoryFigures { agents: MemoryResult; pairs: MemoryResult }

/** Each subject in a fresh process: N agents in one call with the human, then N raw pairs. */
async function memory(emulator: RemoteEmulator, n: number): Promise<MemoryFigures> {
  await emulator.addParticipant('bench-memory', 'human');
  const { coordinatorUrl, apiKey, apiSecret } = emulator;
  const job = { count: n, emulator: { coordinatorUrl, apiKey, apiSecret }, callId: 'bench-memory' };
  const agents = await measureInChild({ ...job, subject: 'agents' });
  const pairs = await measureInChild({ ...job, subject: 'pairs' });
  return { agents, pairs };
}

function printLatency(s: LatencySamples, settings: Settings): void {
  console.log(`Join latency: ${settings.joins} sequential joins after ${settings.warmup} warm-up, turns taken with a raw werift pair\n`);
  const floor = summarize(s.rawFirstRtp).median;
  printTable([...LATENCY_HEADER], [
    latencyRow('raw werift pair: offer → both connected', s.rawConnected),
    latencyRow('raw werift pair: offer → first RTP (floor)', s.rawFirstRtp, floor),
    latencyRow('rxsfu joinCall → joined', s.sdkJoined, floor),
    latencyRow('rxsfu joinCall → first remote RTP', s.sdkFirstRtp, floor),
  ]);
  const joined = summarize(s.sdkJoined).median;
  const first = summarize(s.sdkFirstRtp).median;
  console.log(`\nmedian first RTP: rxsfu ${ratio(first, floor)} the raw pair; of rxsfu's ${Math.round(first)} ms, ${Math.round(joined)} ms until joined (coordinator, WebSocket, JoinRequest) and ${Math.round(first - joined)} ms after (subscription, subscriber offer/answer, ICE, DTLS)\n`);
}

/** Per-unit figures from the two rounds of a memory job. */
function perUnit(r: MemoryResult, n: number) {
  const d = (a: MemorySnapshot, b: MemorySnapshot, key: keyof MemorySnapshot) => (a[key] - b[key]) / n;
  return {
    coldHeap: d(r.firstUp, r.before, 'heapUsed'),
    coldRss: d(r.firstUp, r.before, 'rss'),
    // Live units on top of a process that already held N once: what one more unit costs.
    warmHeap: d(r.secondUp, r.firstReleased, 'heapUsed'),
    warmRss: d(r.secondUp, r.firstReleased, 'rss'),
    // Heap still held after release, and how much more after the second round (a leak grows it).
    keptHeap: d(r.firstReleased, r.before, 'heapUsed'),
    keptGrowth: d(r.secondReleased, r.firstReleased, 'heapUsed'),
  };
}

function printMemory(m: MemoryFigures, n: number): void {
  const gc = m.agents.gc && m.pairs.gc ? 'full GC before each snapshot' : 'no GC available: heap figures include garbage';
  console.log(`Memory: ${n} agents joined to one call vs ${n} raw werift pairs, each set in a fresh process, two rounds of up/release, per unit (${gc})\n`);
  const a = perUnit(m.agents, n);
  const p = perUnit(m.pairs, n);
  const row = (label: string, u: ReturnType<typeof perUnit>, pcs: string) =>
    [label, kib(u.coldHeap), kib(u.coldRss), kib(u.warmHeap), kib(u.warmRss), kib(u.keptHeap), kib(u.keptGrowth), pcs];
  printTable(['per unit', 'heap, round 1', 'RSS, round 1', 'heap, round 2', 'RSS, round 2', 'heap kept after release', 'kept, growth round 1→2', 'peer connections here'], [
    row('rxsfu agent (joined, receiving audio)', a, '2 (publisher idle)'),
    row('raw werift pair (both ends, media flowing)', p, '2'),
  ]);
  console.log(`\nagent / raw pair, heap: ${ratio(a.coldHeap, p.coldHeap)} in round 1, ${ratio(a.warmHeap, p.warmHeap)} in round 2 (RSS deltas are coarse: page-granular, allocator arenas)\n`);
}

const quick = process.argv.includes('--quick');
const settings: Settings = quick ? { joins: 5, warmup: 1, agents: 5 } : { joins: 30, warmup: 3, agents: 20 };
runBench('bench:join', 1, async (emulator) => {
  printLatency(await latency(emulator, settings), settings);
  printMemory(await memory(emulator, settings.agents), settings.agents);
});
