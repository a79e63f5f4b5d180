/**
 * Fuzzing over real sockets. `liveFrames` joins real calls (werift peer connections, direct
 * credentials) to a scripted SFU and sends them mutated SFU frames: participants, tracks, ICE
 * trickles, subscriber offers with mutated SDP (answered by werift), errors asking for each
 * reconnect strategy, text frames and garbage. `hostileSfuScenarios` runs a fixed list of hostile
 * SFU behaviours against `joinCall`. Both report typed outcomes; a crash shows up as an uncaught
 * exception or unhandled rejection in the runner, a hang as a batch or scenario over its bound.
 */
import { performance } from 'node:perf_hooks';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { joinCall, type Call, type JoinCallOptions } from '../../lib/call/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { encodeSfuEvent, type SfuEventInit } from '../../lib/protocol/index.js';
import { MAX_SIGNAL_FRAME_BYTES } from '../../lib/signaling/index.js';
import { SilentTcpServer } from '../signaling/test-sfu.js';
import { defaultJoin, startScriptedSfu, type JoinScript, type ScriptedSfu } from '../support/scripted-sfu.js';
import { mutateBytes, mutateText, randomBytes } from './mutate.js';
import type { Rng } from './rng.js';

/** What a live run saw. */
export interface LiveReport {
  inputs: number;
  typedErrors: number;
  hangs: string[];
  slowest: { label: string; ms: number };
}

/** A batch of frames or a scenario that takes longer than this is a hang. */
export const HANG_MS = 15_000;

/** Fast-failing options: the fuzzer wants many joins, reconnects and failures per second. */
const FUZZ_OPTIONS: Partial<JoinCallOptions> = {
  joinTimeoutMs: 1000, openTimeoutMs: 1000, rpcTimeoutMs: 1000, mediaStallAfterMs: 0, statsIntervalMs: 0, supervisor: false,
  allowInsecure: true, iceLoopbackOnly: true, // the scripted SFUs speak ws:// on loopback
  reconnect: { attemptTimeoutMs: 1000, backoff: { baseMs: 5, maxDelayMs: 20 }, disconnectionTimeoutMs: 3000, fastRateLimit: { max: 5, windowMs: 1000 }, rateLimit: { max: 5, windowMs: 1000 } },
};

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'hang'> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => { timer = setTimeout(() => resolve('hang'), ms); });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

/** A frame for a live call: mostly mutated valid events (subscriber offers get mutated SDP), some text and garbage. */
function liveFrame(rng: Rng, events: SfuEventInit[], frames: Uint8Array[]): { frame: Uint8Array | string; label: string } {
  const roll = rng.next();
  if (roll < 0.05) return { frame: mutateText(rng, 'not a protobuf frame'), label: 'text frame' };
  if (roll < 0.1) return { frame: randomBytes(rng, 128), label: 'random bytes' };
  if (roll < 0.25) {
    const offer = events.find((e) => e.subscriberOffer)!.subscriberOffer!;
    const sdp = mutateText(rng, offer.sdp ?? '');
    return { frame: encodeSfuEvent({ subscriberOffer: { ...offer, sdp, negotiationId: rng.int(1000) } }), label: `subscriber offer, mutated SDP (${sdp.length} chars)` };
  }
  if (roll < 0.4) {
    const trickle = events.find((e) => e.iceTrickle)!.iceTrickle!;
    const iceCandidate = mutateText(rng, trickle.iceCandidate ?? '');
    return { frame: encodeSfuEvent({ iceTrickle: { ...trickle, peerType: rng.int(3), iceCandidate } }), label: `ice_trickle, mutated candidate (${iceCandidate.length} chars)` };
  }
  const bytes = mutateBytes(rng, rng.pick(frames), rng.pick(frames));
  return { frame: bytes, label: `mutated SFU frame (${bytes.length} bytes)` };
}

/**
 * `count` frames sent to live calls in batches of 25; each batch waits for the call to have handled
 * it (a health-check round trip). A call that ended (the fuzz may end it) is replaced.
 */
export async function liveFrames(rng: Rng, count: number, events: SfuEventInit[]): Promise<LiveReport> {
  const report: LiveReport = { inputs: 0, typedErrors: 0, hangs: [], slowest: { label: '', ms: 0 } };
  const frames = events.filter((e) => !e.callEnded).map(encodeSfuEvent);
  const sfu = await startScriptedSfu();
  let call: Call | undefined;
  try {
    while (report.inputs < count) {
      if (!call || call.state === 'left' || call.state === 'reconnecting-failed') {
        await call?.leave();
        call = await joinCall({ credentials: sfu.credentials, ...FUZZ_OPTIONS });
      }
      const socket = sfu.sockets[sfu.sockets.length - 1]!;
      const started = performance.now();
      let label = '';
      for (let i = 0; i < 25 && report.inputs < count; i++, report.inputs++) {
        const input = liveFrame(rng, events, frames);
        label = input.label;
        socket.sendRaw(input.frame);
      }
      const live = call;
      const settled = await withTimeout(settle(live), HANG_MS);
      if (settled === 'hang') report.hangs.push(`live batch ending with ${label}`);
      const ms = performance.now() - started;
      if (ms > report.slowest.ms) report.slowest = { label: `live batch of 25 ending with ${label}`, ms };
    }
  } finally {
    await call?.leave();
    await sfu.close();
  }
  return report;
}

/** Resolves once the call is joined again (or ended) after what it was just sent. */
async function settle(call: Call): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await firstValueFrom(call.state$.pipe(filter((s) => s === 'joined' || s === 'left' || s === 'reconnecting-failed')), { defaultValue: 'left' });
}

/** A hostile SFU behaviour and what the agent must come out with (a typed error, or a call that lives on). */
interface Scenario {
  readonly name: string;
  readonly join: JoinScript;
  /** After joining: what the SFU does next (a frame, a close). */
  readonly then?: (sfu: ScriptedSfu) => void;
}

const joinResponse = (sessionId: string, extra: Record<string, unknown> = {}): SfuEventInit => ({
  joinResponse: { callState: { participants: [{ sessionId, userId: 'agent', trackLookupPrefix: 'agent' }] }, fastReconnectDeadlineSeconds: 10, ...extra },
});
const sessionOf = (s: Parameters<JoinScript>[0]) => s.join.joinRequest?.sessionId ?? '';
const onLast = (sfu: ScriptedSfu, send: (s: ScriptedSfu['sockets'][number]) => void) => send(sfu.sockets[sfu.sockets.length - 1]!);

const SCENARIOS: readonly Scenario[] = [
  { name: 'garbage binary instead of join_response', join: (s) => s.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x08])) },
  { name: 'text frame instead of join_response', join: (s) => s.sendRaw('{"joinResponse":{}}') },
  { name: 'oversize frame instead of join_response', join: (s) => s.sendRaw(Buffer.alloc(MAX_SIGNAL_FRAME_BYTES + 1)) },
  { name: 'join_response twice', join: (s) => { defaultJoin(s); s.send(joinResponse(sessionOf(s))); } },
  {
    name: 'events before join_response',
    join: (s) => {
      s.send({ participantJoined: { callCid: 'default:x', participant: { sessionId: 'early', userId: 'u', publishedTracks: [1] } } });
      s.send({ subscriberOffer: { sdp: 'v=0', negotiationId: 1 } });
      s.send({ iceTrickle: { peerType: 1, iceCandidate: '{"candidate":"x"}' } });
      s.send({ error: { error: { code: 100, message: 'early' }, reconnectStrategy: 2 } });
      defaultJoin(s);
    },
  },
  {
    name: 'out-of-range numbers',
    join: (s) => {
      s.send(joinResponse(sessionOf(s), { fastReconnectDeadlineSeconds: 2 ** 31 - 1 }));
      s.send({ participantJoined: { callCid: 'x', participant: { sessionId: 'odd', userId: 'u', publishedTracks: [99, -1, 2 ** 30], connectionQuality: 999 as never, audioLevel: Number.NaN } } });
      s.send({ audioLevelChanged: { audioLevels: [{ sessionId: 'odd', level: Number.POSITIVE_INFINITY }] } });
      s.send({ error: { error: { code: 2 ** 30, message: 'x'.repeat(5000) }, reconnectStrategy: 77 as never } });
    },
  },
  ...([1, 2, 3, 4] as const).map((strategy): Scenario => ({
    name: `error asking for reconnect strategy ${strategy} (DISCONNECT, FAST, REJOIN, MIGRATE)`,
    join: defaultJoin,
    then: (sfu) => onLast(sfu, (s) => s.send({ error: { error: { code: 700, message: 'go' }, reconnectStrategy: strategy } })),
  })),
  { name: 'go_away', join: defaultJoin, then: (sfu) => onLast(sfu, (s) => s.send({ goAway: { reason: 1 } })) },
  { name: 'call_ended', join: defaultJoin, then: (sfu) => onLast(sfu, (s) => s.send({ callEnded: { reason: 1 } })) },
  { name: 'ice_restart for a peer that never connected', join: defaultJoin, then: (sfu) => onLast(sfu, (s) => s.send({ iceRestart: { peerType: 1 } })) },
  { name: 'closes the socket after every join (a reconnect loop, bounded by R8)', join: (s) => { defaultJoin(s); setImmediate(() => s.ws.close(1011, 'bye')); } },
  { name: 'accepts the socket and never speaks', join: () => undefined },
];

/** Every scenario once; `typed` counts the typed errors seen (join errors, a call's failure). */
export async function hostileSfuScenarios(): Promise<LiveReport> {
  const report: LiveReport = { inputs: 0, typedErrors: 0, hangs: [], slowest: { label: '', ms: 0 } };
  const run = async (name: string, work: () => Promise<void>) => {
    const started = performance.now();
    report.inputs++;
    if (await withTimeout(work(), HANG_MS) === 'hang') report.hangs.push(name);
    const ms = performance.now() - started;
    if (ms > report.slowest.ms) report.slowest = { label: `hostile SFU: ${name}`, ms };
  };
  for (const scenario of SCENARIOS) {
    await run(scenario.name, async () => {
      const sfu = await startScriptedSfu(scenario.join);
      try {
        if (await joinOutcome(report, { credentials: sfu.credentials, ...FUZZ_OPTIONS }, scenario.then && (() => scenario.then!(sfu)))) return;
      } finally {
        await sfu.close();
      }
    });
  }
  await run('a TCP socket that accepts and never answers the upgrade', async () => {
    const silent = await SilentTcpServer.start();
    try {
      const credentials = { server: { url: 'http://127.0.0.1:9/twirp', wsEndpoint: silent.url, edgeName: 'silent' }, token: 't', iceServers: [] };
      await joinOutcome(report, { credentials, ...FUZZ_OPTIONS });
    } finally {
      await silent.stop();
    }
  });
  return report;
}

/** Joins; a typed join error counts; a joined call gets `then`, is given time to react (joined again or ended), and leaves. */
async function joinOutcome(report: LiveReport, options: JoinCallOptions, then?: () => void): Promise<boolean> {
  let call: Call;
  try {
    call = await joinCall(options);
  } catch (err) {
    if (!isRxsfuError(err)) throw err;
    report.typedErrors++;
    return true;
  }
  try {
    then?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const end = await firstValueFrom(call.state$.pipe(filter((s) => s === 'joined' || s === 'left' || s === 'reconnecting-failed'), timeout(HANG_MS)));
    if (end !== 'joined' && call.failure) report.typedErrors++;
  } finally {
    await call.leave();
  }
  return false;
}
