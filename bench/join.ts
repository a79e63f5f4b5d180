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
 * divided by N, against N raw pairs with media flowing. A full GC runs before each snapshot (`--expose-gc`, or the flag set at run time).
 */
import { agentOptions, timedJoin } from './lib/agents.js';
import type { RemoteEmulator } from './lib/remote-emulator.js';
import { runBench } from './lib/run.js';
import { LATENCY_HEADER, gcExposed, kib, latencyRow, memorySnapshot, printTable, ratio, summarize, type MemorySnapshot } from './lib/report.js';
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

interface MemoryFigures { agents: { before: MemorySnapshot; after: MemorySnapshot }; pairs: { before: MemorySnapshot; after: MemorySnapshot } }

async function memory(emulator: RemoteEmulator, n: number): Promise<MemoryFigures> {
  await emulator.addParticipant('bench-memory', 'human');
  const agentsBefore = await memorySnapshot();
  const calls = [];
  // Sequential joins: N agents in one call, each receiving the human's tone before the next joins.
  for (let i = 0; i < n; i += 1) calls.push((await timedJoin(agentOptions(emulator, 'bench-memory', `agent-${i}`))).call);
  const agentsAfter = await memorySnapshot();
  await Promise.all(calls.map((c) => c.leave()));
  const pairsBefore = await memorySnapshot();
  const pairs = [];
  for (let i = 0; i < n; i += 1) pairs.push(await connectRawPair());
  const pairsAfter = await memorySnapshot();
  await Promise.all(pairs.map((p) => p.close()));
  return { agents: { before: agentsBefore, after: agentsAfter }, pairs: { before: pairsBefore, after: pairsAfter } };
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

function printMemory(m: MemoryFigures, n: number): void {
  console.log(`Memory: ${n} agents joined to one call vs ${n} raw werift pairs, deltas divided by ${n} (${gcExposed() ? 'after a forced GC' : 'no GC available: heap figures include garbage'})\n`);
  const per = (d: { before: MemorySnapshot; after: MemorySnapshot }, key: keyof MemorySnapshot) => (d.after[key] - d.before[key]) / n;
  printTable(['what', 'heap used per unit', 'RSS per unit', 'peer connections per unit in this process'], [
    ['rxsfu agent (joined, receiving audio)', kib(per(m.agents, 'heapUsed')), kib(per(m.agents, 'rss')), '2 (publisher idle, subscriber receiving)'],
    ['raw werift pair (both ends, media flowing)', kib(per(m.pairs, 'heapUsed')), kib(per(m.pairs, 'rss')), '2 (sender + receiver)'],
  ]);
  console.log(`\nagent / raw pair: heap ${ratio(per(m.agents, 'heapUsed'), per(m.pairs, 'heapUsed'))}, RSS ${ratio(per(m.agents, 'rss'), per(m.pairs, 'rss'))} (RSS deltas are coarse: the allocator keeps freed pages)\n`);
}

const quick = process.argv.includes('--quick');
const settings: Settings = quick ? { joins: 5, warmup: 1, agents: 5 } : { joins: 30, warmup: 3, agents: 20 };
runBench('bench:join', 1, async (emulator) => {
  printLatency(await latency(emulator, settings), settings);
  printMemory(await memory(emulator, settings.agents), settings.agents);
});
