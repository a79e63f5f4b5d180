/**
 * Agents that hear and speak: N agents in this process, each in its own call with one simulated
 * speaker (the emulator in a child process), each hearing it as 16 kHz PCM (`audio$`) and speaking
 * 24 kHz PCM produced all at once (TTS-like) through `pace()` into `publishAudio`.
 *
 *   npm run bench:media            (about 7 min)
 *   npm run bench:media -- --quick (a smoke run)
 *
 * Per N, over a measurement window after a warm-up:
 * - in, frame lateness: for each agent's audio$ frames, (arrival − timestampMs) minus its smallest
 *   value over the last second: how late a frame comes against the best recent frame of the same
 *   stream (jitter-buffer holds included); p99 over all agents' frames.
 * - out, frame lateness: the same for `pace()` emissions against their due time (20 ms apart).
 * - lost, in: per agent, frames due in the window (50 per second) minus frames audio$ delivered,
 *   plus the delivered frames that were concealed (packets that never came).
 * - lost, out: per agent, frames due minus the RTP packets the simulated speaker received in the
 *   window, counted in the emulator (delivery, not `pace()`). Both allow one frame per stream for
 *   the window's edges (the two clocks are read a few ms apart).
 * - CPU: this process's user+system CPU in the window, per agent-second.
 * Floors (bench/lib/werift-media-pair.ts): raw werift peer connections, each side encoding 24 kHz
 * Opus every 20 ms and decoding what it receives to 16 kHz, no SDK and no SFU, same window:
 * - like for like (the goal's floor): N raw peers here, their far ends in the emulator's process
 *   where the agents' SFU is; CPU of this process per peer-second. One measured side per unit, and
 *   every packet crosses a process boundary, as for an agent.
 * - both ends here (the earlier floor, kept for comparison): ceil(N/2) in-process pairs, CPU per
 *   side-second. Cheaper per unit than any agent can be: the process's fixed cost is shared by two
 *   sides per pair, and no packet leaves the process.
 */
import { performance } from 'node:perf_hooks';
import { filter, first, from, mergeMap, tap } from 'rxjs';
import { joinCall, type Call } from '../lib/call/index.js';
import { pace } from '../lib/media/pace.js';
import { pcmSignalFrame } from '../lib/media/pcm-signal.js';
import { agentOptions } from './lib/agents.js';
import { runBench } from './lib/run.js';
import { printTable, quantile, ratio } from './lib/report.js';
import { connectMediaPair, connectRemoteMediaPeer, type MediaPair } from './lib/werift-media-pair.js';
import type { RemoteEmulator } from './lib/remote-emulator.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1, 2] : [1, 5, 10, 20];
const warmupMs = quick ? 1500 : 3000;
const windowMs = quick ? 2000 : 10000;
/**
 * Each CPU figure is measured this many times, the floor and the SDK in alternation, and the lowest
 * is kept: other work on the machine only ever adds CPU time to this process. Lateness and losses
 * keep the worst of the SDK's rounds.
 */
const repeats = quick ? 1 : 2;
/** Frames per second of a 20 ms stream. */
const frameRate = 50;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `seconds` of a 24 kHz tone as 20 ms frames: the TTS output, all of it at once. */
function speech(seconds: number) {
  return Array.from({ length: seconds * 50 }, (_, i) => ({ samples: pcmSignalFrame(i, { sampleRate: 24000, frameSamples: 480, frequencyHz: 600 }), sampleRate: 24000, channels: 1 as const }));
}

interface Timeline { offsets: number[]; concealed: number }

/** Frames one stream missed in a window of `seconds`: due minus delivered, one frame of edge allowed. */
const missed = (seconds: number, delivered: number) => Math.max(0, Math.floor(seconds * frameRate) - 1 - delivered);

/** CPU time (user + system) of this process, ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * p99 over all streams of each frame's offset above the smallest offset of its stream in the last
 * second (50 frames). The running minimum forgives a sender whose own clock slips (the emulator's
 * tone clock skips ahead after a stall of its process longer than 200 ms, which is not lateness
 * here) and keeps what a listener feels: a frame later than its neighbours.
 */
function p99Lateness(streams: Timeline[]): number {
  const lateness = streams.flatMap((s) => s.offsets.map((o, i) => o - Math.min(...s.offsets.slice(Math.max(0, i - 49), i + 1))));
  return lateness.length ? quantile(lateness, 0.99) : NaN;
}

async function sdkRound(emulator: RemoteEmulator, n: number, round: number) {
  const calls: Call[] = [];
  const inbound: Timeline[] = [];
  const outbound: Timeline[] = [];
  let measuring = false;
  for (let i = 0; i < n; i++) {
    const callId = `media-${round}-${i}`;
    await emulator.addParticipant(callId, 'speaker');
    const call = await joinCall(agentOptions(emulator, callId, `agent-${i}`, { mediaStallAfterMs: 0, rpcTimeoutMs: 20000 }));
    calls.push(call);
    const heard: Timeline = { offsets: [], concealed: 0 };
    const said: Timeline = { offsets: [], concealed: 0 };
    inbound.push(heard);
    outbound.push(said);
    call.remoteTracks$.pipe(filter((t) => t.kind === 'audio'), first(), mergeMap((t) => t.audio$({ sampleRate: 16000 }))).subscribe((frame) => {
      if (!measuring) return;
      heard.offsets.push(performance.now() - frame.timestampMs);
      if (frame.concealed) heard.concealed++;
    });
    let k = 0;
    const spoken$ = from(speech(Math.ceil((warmupMs + windowMs) / 1000) + 30)).pipe(pace(), tap(() => {
      const at = performance.now() - 20 * k++;
      if (measuring) said.offsets.push(at);
    }));
    await call.publishAudio(spoken$);
  }
  const delivered = () => Promise.all(calls.map((_, i) => emulator.receivedPackets(`media-${round}-${i}`, 'speaker')));
  await sleep(warmupMs);
  const deliveredBefore = await delivered();
  measuring = true;
  const cpuStart = cpuMs();
  const start = performance.now();
  await sleep(windowMs);
  const cpu = cpuMs() - cpuStart;
  const seconds = (performance.now() - start) / 1000;
  measuring = false;
  const deliveredAfter = await delivered();
  await Promise.all(calls.map((c) => c.leave('bench done')));
  return {
    inP99: p99Lateness(inbound), outP99: p99Lateness(outbound),
    lostIn: inbound.reduce((sum, s) => sum + missed(seconds, s.offsets.length) + s.concealed, 0),
    lostOut: deliveredAfter.reduce((sum, after, i) => sum + missed(seconds, after - deliveredBefore[i]!), 0),
    due: n * Math.floor(seconds * frameRate),
    frames: inbound.reduce((sum, s) => sum + s.offsets.length, 0),
    cpuPerAgentSecond: cpu / (n * seconds),
  };
}

type SdkRound = Awaited<ReturnType<typeof sdkRound>>;

/** Several rounds of one size as one row: the worst lateness and losses, the lowest CPU. */
function worstLatenessLeastCpu(rounds: SdkRound[]): SdkRound {
  const worst = (pick: (r: SdkRound) => number) => Math.max(...rounds.map(pick));
  return {
    ...rounds[0]!,
    inP99: worst((r) => r.inP99), outP99: worst((r) => r.outP99), lostIn: worst((r) => r.lostIn), lostOut: worst((r) => r.lostOut),
    cpuPerAgentSecond: Math.min(...rounds.map((r) => r.cpuPerAgentSecond)),
  };
}

/** CPU of this process per unit-second over the window, with `units` sides running. */
async function cpuPerUnitSecond(units: number): Promise<number> {
  await sleep(warmupMs);
  const cpuStart = cpuMs();
  const start = performance.now();
  await sleep(windowMs);
  return (cpuMs() - cpuStart) / (units * ((performance.now() - start) / 1000));
}

/** The like-for-like floor: n raw peers here, their far ends in the emulator's process. */
async function remoteFloorRound(emulator: RemoteEmulator, n: number): Promise<number> {
  const peers: MediaPair[] = [];
  for (let i = 0; i < n; i++) peers.push(await connectRemoteMediaPeer((offer) => emulator.answerMediaOffer(offer)));
  const cpu = await cpuPerUnitSecond(n);
  await Promise.all(peers.map((p) => p.close()));
  await emulator.closeMediaPeers();
  return cpu;
}

/** The earlier floor: n sides = ceil(n / 2) pairs with both ends here (the same number of streams). */
async function localFloorRound(n: number): Promise<number> {
  const pairs = await Promise.all(Array.from({ length: Math.ceil(n / 2) }, () => connectMediaPair()));
  const cpu = await cpuPerUnitSecond(pairs.length * 2);
  await Promise.all(pairs.map((p) => p.close()));
  return cpu;
}

runBench('bench:media', 1, async (emulator) => {
  const rows: string[][] = [];
  let largest: { n: number; cpu: number; floor: number } | undefined;
  /** Per size: this process's CPU per second, all units together (SDK; like-for-like floor). */
  const totals: { n: number; sdk: number; floor: number }[] = [];
  let round = 0;
  for (const n of sizes) {
    const floors: number[] = [];
    const sdkRounds: SdkRound[] = [];
    for (let r = 0; r < repeats; r++) {
      floors.push(await remoteFloorRound(emulator, n));
      sdkRounds.push(await sdkRound(emulator, n, round++));
    }
    const floor = Math.min(...floors);
    const sdk = worstLatenessLeastCpu(sdkRounds);
    const localFloor = await localFloorRound(n);
    const ok = sdk.inP99 < 20 && sdk.outP99 < 20 && sdk.lostIn === 0 && sdk.lostOut === 0;
    if (ok) largest = { n, cpu: sdk.cpuPerAgentSecond, floor };
    totals.push({ n, sdk: sdk.cpuPerAgentSecond * n, floor: floor * n });
    rows.push([
      String(n), sdk.due.toLocaleString('en-US'), sdk.frames.toLocaleString('en-US'), sdk.inP99.toFixed(1), sdk.outP99.toFixed(1),
      String(sdk.lostIn), String(sdk.lostOut),
      `${sdk.cpuPerAgentSecond.toFixed(1)} ms`, `${floor.toFixed(1)} ms`, ratio(sdk.cpuPerAgentSecond, floor),
      `${localFloor.toFixed(1)} ms`, ratio(sdk.cpuPerAgentSecond, localFloor),
      ok ? 'yes' : 'no',
    ]);
  }
  printTable(['agents', 'frames due (each way)', 'frames heard', 'in: p99 lateness ms', 'out: p99 lateness ms', 'lost in', 'lost out',
    'CPU per agent-second (SDK)', 'floor: raw peer, far end in the SFU\'s process', 'SDK / floor',
    'floor, both ends here (earlier)', 'SDK / that floor', 'p99 < 20 ms, none lost'], rows);
  console.log(largest
    ? `largest N with p99 < 20 ms both ways and no frame lost: ${largest.n}; ≈ ${Math.floor(1000 / largest.cpu)} agents per core by CPU at that size; `
      + `SDK / floor at that size: ${ratio(largest.cpu, largest.floor)} (same run)`
    : 'largest N with p99 < 20 ms both ways and no frame lost: none of the sizes tried; agents per core: n/a; SDK / floor: see the table');
  // The process's fixed cost (event loop, timers, GC baseline) weighs most at small N; the slope
  // between the smallest and largest size is the cost of one more agent (or raw peer) alone.
  const [small, large] = [totals[0]!, totals[totals.length - 1]!];
  const units = large.n - small.n;
  const sdkSlope = (large.sdk - small.sdk) / units;
  const floorSlope = (large.floor - small.floor) / units;
  console.log(`CPU per added agent (${small.n} → ${large.n}): SDK ${sdkSlope.toFixed(1)} ms/s, floor ${floorSlope.toFixed(1)} ms/s, SDK / floor ${ratio(sdkSlope, floorSlope)}; `
    + `fixed per process: SDK ${(small.sdk - small.n * sdkSlope).toFixed(1)} ms/s, floor ${(small.floor - small.n * floorSlope).toFixed(1)} ms/s`);
});
