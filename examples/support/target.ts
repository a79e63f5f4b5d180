/**
 * Where the examples run: against the embedded emulator (no account; a simulated participant to
 * talk to), or against a real Stream call when STREAM_API_KEY and STREAM_API_SECRET are set
 * (CALL_ID picks the call, default 'rxsfu-example'; join it from a browser to talk to the agent).
 * EXAMPLE_SECONDS sets how long each example runs (default 6).
 */
import { startEmulator, type Emulator, type SimulatedParticipant } from '../../lib/emulator/index.js';
import type { JoinCallOptions } from '../../lib/index.js';

export interface ExampleTarget {
  /** Options for `joinCall` as `userId`. */
  joinOptions(userId: string): JoinCallOptions;
  /** The simulated person to talk to (emulator only). */
  human?: SimulatedParticipant;
  emulator?: Emulator;
  /** How long the example runs, in ms. */
  durationMs: number;
  close(): Promise<void>;
}

export async function exampleTarget(options: { human?: { audio?: boolean | { frequencyHz?: number; speechLike?: boolean }; video?: boolean } } = {}): Promise<ExampleTarget> {
  const durationMs = Number(process.env.EXAMPLE_SECONDS ?? 6) * 1000;
  const { STREAM_API_KEY: apiKey, STREAM_API_SECRET: apiSecret } = process.env;
  const callId = process.env.CALL_ID ?? 'rxsfu-example';
  if (apiKey && apiSecret) {
    return {
      durationMs,
      joinOptions: (userId) => ({ apiKey, apiSecret, userId, callType: 'default', callId, create: true }),
      close: async () => undefined,
    };
  }
  const emulator = await startEmulator({ host: '127.0.0.1' });
  const human = await emulator.addParticipant({ callId, userId: 'alice', audio: options.human?.audio ?? true, video: options.human?.video ?? false });
  return {
    durationMs,
    emulator,
    human,
    joinOptions: (userId) => emulator.agentOptions(userId, callId),
    close: () => emulator.close(),
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `done()` is true (checked every 10 ms) or `withinMs` passed; says which. */
export async function waitFor(done: () => boolean, withinMs: number): Promise<boolean> {
  const start = performance.now();
  while (!done() && performance.now() - start < withinMs) await sleep(10);
  return done();
}

/** `seconds` of a sine as 20 ms mono frames at `sampleRate`: the examples' stand-in for speech or TTS. */
export function toneFrames(seconds: number, frequencyHz: number, sampleRate = 24000, amplitude = 8000) {
  const frameSamples = sampleRate / 50;
  return Array.from({ length: Math.round(seconds * 50) }, (_, f) => {
    const samples = new Int16Array(frameSamples);
    for (let i = 0; i < frameSamples; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * (f * frameSamples + i)) / sampleRate));
    return { samples, sampleRate, channels: 1 as const };
  });
}
