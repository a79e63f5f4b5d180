/**
 * A large call: how long a joined agent takes to take in a burst of N `participant_joined` frames
 * (each participant publishing audio), against a floor measured in the same run.
 *
 *   npm run bench:participants            (about 30 s)
 *   npm run bench:participants -- --quick (a smoke run)
 *
 * SDK: an agent joined to a scripted SFU (spec/support/scripted-sfu.ts, same process, direct
 * credentials); the SFU sends N frames at once; the time runs from the first send to the
 * `participants$` value holding all N (which includes the subscription list being computed), and
 * the longest event-loop stall in between is recorded.
 * Floor: a bare `ws` client on the same SFU that decodes every frame with `decodeSfuEvent` and
 * keeps the participants in a Map: socket + decode + one map entry each, nothing else.
 * Sizes 1,000 → 4,000 show the growth: linear handling keeps the per-participant cost flat.
 */
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { joinCall } from '../lib/call/index.js';
import { decodeSfuEvent, encodeSfuRequest } from '../lib/protocol/index.js';
import { participantJoined, startScriptedSfu, type ScriptedSocket } from '../spec/support/scripted-sfu.js';
import { machineLine, ms, printTable, ratio, summarize } from './lib/report.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [500, 1000] : [1000, 2000, 4000];
const rounds = quick ? 1 : 5;

interface Sample { totalMs: number; maxStallMs: number }

/** Sends N joins at once on `socket`; resolves when `done()` says all arrived, with the time and longest stall. */
async function burst(socket: ScriptedSocket, n: number, arrived: () => Promise<unknown>): Promise<Sample> {
  const frames = Array.from({ length: n }, (_, i) => participantJoined(i));
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  const start = performance.now();
  for (const frame of frames) socket.send(frame);
  await arrived();
  const totalMs = performance.now() - start;
  stalls.disable();
  return { totalMs, maxStallMs: stalls.max / 1e6 };
}

async function sdkRound(n: number): Promise<Sample> {
  const sfu = await startScriptedSfu();
  const call = await joinCall({ credentials: sfu.credentials, allowInsecure: true, iceLoopbackOnly: true, mediaStallAfterMs: 0, statsIntervalMs: 0 });
  try {
    return await burst(sfu.sockets[0]!, n, () => firstValueFrom(call.participants$.pipe(filter((p) => p.size === n + 1))));
  } finally {
    await call.leave();
    await sfu.close();
  }
}

async function floorRound(n: number): Promise<Sample> {
  const sfu = await startScriptedSfu();
  const ws = new WebSocket(sfu.credentials.server.wsEndpoint);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(encodeSfuRequest({ joinRequest: { sessionId: 'floor', token: 't' } }));
  const map = new Map<string, unknown>();
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => { done = resolve; });
  ws.on('message', (data: Buffer) => {
    const event = decodeSfuEvent(data);
    const p = event.participantJoined?.participant;
    if (p?.sessionId) map.set(p.sessionId, p);
    if (map.size === n) done();
  });
  while (sfu.sockets.length === 0) await new Promise((resolve) => setImmediate(resolve));
  try {
    return await burst(sfu.sockets[0]!, n, () => all);
  } finally {
    ws.terminate();
    await sfu.close();
  }
}

async function main(): Promise<void> {
  console.log(machineLine());
  // Warm-up: JIT and the first werift import.
  await floorRound(200);
  await sdkRound(200);
  const rows: string[][] = [];
  for (const n of sizes) {
    const sdk: Sample[] = [];
    const floor: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      floor.push(await floorRound(n));
      sdk.push(await sdkRound(n));
    }
    const sdkMs = summarize(sdk.map((s) => s.totalMs)).median;
    const floorMs = summarize(floor.map((s) => s.totalMs)).median;
    rows.push([
      n.toLocaleString('en-US'), ms(floorMs), ms(sdkMs), ratio(sdkMs, floorMs),
      `${((sdkMs / n) * 1000).toFixed(1)} µs`, ms(summarize(sdk.map((s) => s.maxStallMs)).max),
    ]);
  }
  printTable(['joins in one burst', 'floor (ws + decode + Map), median ms', 'SDK (until participants$ has all), median ms', 'SDK / floor', 'SDK per participant', 'longest event-loop stall, ms (max)'], rows);
  console.log(machineLine());
}

main().then(() => process.exit(0), (err: Error) => {
  console.error('bench:participants failed:', err.stack ?? err.message);
  process.exit(1);
});
