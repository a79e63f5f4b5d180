/**
 * The jittered healthy path (issue 13, "no false losses"): no fault at all, only a rough path.
 * Every frame the SFU sends an agent is held a random 0–300 ms (changed every 200 ms, order kept),
 * 800 ms at a spike every 10 s, and the agents' event loop is blocked for a random 0–500 ms every
 * 3 s. Every `connectionLost$` is then a false loss.
 *
 * `roughen` is the loop (the emulator may live here or in a child process: `bench:outage` uses it
 * over IPC); `runJitterSoak` is `npm run chaos -- --jitter`: two agents on default options in one
 * call of an in-process emulator, a listener (the human's RTP reaches it) and a speak-only agent
 * (publishes Opus, subscribes to nothing: the SFU's RTCP is its only media signal).
 */
import { joinCall, type Call } from '../../lib/call/index.js';
import { startEmulator } from '../../lib/emulator/index.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { seededRandom } from './random.js';

export const JITTER_MAX_MS = 300;
export const SPIKE_MS = 800;
export const SPIKE_EVERY_MS = 10_000;
export const STALL_MAX_MS = 500;
export const STALL_EVERY_MS = 3000;

export interface Roughness {
  readonly stalls: number;
  readonly maxStallMs: number;
  readonly spikes: number;
}

/** Blocks this process's event loop for `ms` (an agent busy with something else). */
export function stallEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

/** Makes the path rough for `durationMs` through `delay` (the hold for every frame from now on); ends with no hold. */
export async function roughen(durationMs: number, random: () => number, delay: (ms: number) => Promise<void> | void): Promise<Roughness> {
  let stalls = 0;
  let spikes = 0;
  let maxStallMs = 0;
  const end = performance.now() + durationMs;
  let nextSpike = performance.now() + SPIKE_EVERY_MS;
  let nextStall = performance.now() + STALL_EVERY_MS;
  while (performance.now() < end) {
    const now = performance.now();
    const spiking = now >= nextSpike;
    if (spiking) {
      nextSpike = now + SPIKE_EVERY_MS;
      spikes += 1;
    }
    await delay(spiking ? SPIKE_MS : Math.floor(random() * JITTER_MAX_MS));
    if (now >= nextStall) {
      const blocked = Math.floor(random() * STALL_MAX_MS);
      stallEventLoop(blocked);
      stalls += 1;
      maxStallMs = Math.max(maxStallMs, blocked);
      nextStall = performance.now() + STALL_EVERY_MS;
    }
    await sleep(spiking ? 1000 : 200);
  }
  await delay(0);
  return { stalls, maxStallMs, spikes };
}

export interface JitterSoakReport extends Roughness {
  readonly seed: number;
  readonly durationMs: number;
  /** `connectionLost$` per agent: each one a false loss. */
  readonly losses: Readonly<Record<string, number>>;
  readonly violations: readonly string[];
}

/** Two agents on default options through `roughen` for `durationMs`; any loss, or a handle left, is a violation. */
export async function runJitterSoak(options: { seed: number; durationMs: number }): Promise<JitterSoakReport> {
  const before = await resourceBaseline();
  const emu = await startEmulator({ sfuCount: 1 });
  const calls: Record<string, Call> = {};
  const losses: Record<string, number> = { listener: 0, speaker: 0 };
  let roughness: Roughness;
  try {
    await emu.addParticipant({ callId: 'jitter', userId: 'human', audio: true });
    calls.listener = await joinCall(emu.agentOptions('listener', 'jitter'));
    calls.speaker = await joinCall({ ...emu.agentOptions('speaker', 'jitter'), subscriptions: { audio: false } });
    await calls.speaker.publishAudioRtp(opusRtpPackets$());
    for (const [name, call] of Object.entries(calls)) call.connectionLost$.subscribe(() => (losses[name]! += 1));
    const delay = (ms: number) => Object.values(calls).forEach((call) => emu.faults.session(call.sessionId).delayFrames(ms));
    roughness = await roughen(options.durationMs, seededRandom(options.seed), delay);
  } finally {
    await Promise.all(Object.values(calls).map((call) => call.leave('jitter soak over')));
    await emu.close();
  }
  const violations = Object.entries(losses).filter(([, n]) => n > 0).map(([name, n]) => `${name}: ${n} false loss(es) on a healthy path`);
  const leaked = await resourceGrowth(before, 10000);
  if (Object.keys(leaked).length > 0) violations.push(`leaked handles ${JSON.stringify(leaked)}`);
  return { seed: options.seed, durationMs: options.durationMs, losses, violations, ...roughness };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
