/**
 * The emulator lifecycle of an end-to-end spec, registered with mocha hooks: a fresh emulator per
 * test (port 0, loopback), agents joined through the public `joinCall`, and an afterEach that leaves
 * every call the test joined, ends whatever it kept (clients, proxies in front of an SFU) and closes
 * every emulator it started, even when the test failed half-way (each step runs whatever the one
 * before it threw).
 *
 * - `useEmulator(options)`: beforeEach starts the emulator; the returned getter gives its context.
 * - `emulatorPerTest()`: each test starts its own, with the options it needs (`start(options)`).
 */
import { joinCall, type Call, type JoinCallOptions } from '../../lib/call/index.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator/index.js';

export const CALL_TYPE = 'default';

/** What the teardown ends once the calls left: a raw client (`terminate`) or anything with `close`. */
export type Closable = { terminate(): unknown } | { close(): unknown };

export interface EmulatorContext {
  emu: Emulator;
  /** Joins `userId` to `callId` through the emulator's coordinator; left again after the test. */
  join(userId: string, callId: string, extra?: Partial<JoinCallOptions>): Promise<Call>;
  /** Options for `joinCall` against this emulator (for specs that call it themselves). */
  options(userId: string, callId: string, extra?: Partial<JoinCallOptions>): JoinCallOptions;
  /** Registers a call opened outside `join` for the teardown. */
  track(call: Call): Call;
  /** Registers a client, agent, proxy or server for the teardown (ended after the calls left, last kept first). */
  keep<T extends Closable>(thing: T): T;
}

interface Started { context: EmulatorContext; calls: Call[]; kept: Closable[] }

const end = (thing: Closable): unknown => ('terminate' in thing ? thing.terminate() : thing.close());

async function tearDown({ context, calls, kept }: Started): Promise<void> {
  await Promise.allSettled(calls.splice(0).map((call) => call.leave('test over')));
  await Promise.allSettled(kept.splice(0).reverse().map(async (thing) => end(thing)));
  await context.emu.close();
}

async function startContext(options: EmulatorOptions): Promise<Started> {
  const emu = await startEmulator(options);
  const calls: Call[] = [];
  const kept: Closable[] = [];
  const joinOptions = (userId: string, callId: string, extra: Partial<JoinCallOptions> = {}): JoinCallOptions => ({
    ...emu.agentOptions(userId, callId, CALL_TYPE), ...extra,
  });
  const track = (call: Call) => (calls.push(call), call);
  const context: EmulatorContext = {
    emu,
    options: joinOptions,
    track,
    keep: (thing) => (kept.push(thing), thing),
    join: async (userId, callId, extra) => track(await joinCall(joinOptions(userId, callId, extra))),
  };
  return { context, calls, kept };
}

/** Registers an afterEach that tears down every emulator a test started with `start`. */
export function emulatorPerTest(): { start(options?: EmulatorOptions): Promise<EmulatorContext> } {
  const started: Started[] = [];
  afterEach(async () => {
    const results = await Promise.allSettled(started.splice(0).map(tearDown));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
  return {
    async start(options = {}) {
      const s = await startContext(options);
      started.push(s);
      return s.context;
    },
  };
}

/**
 * Registers beforeEach/afterEach that start and tear down one emulator per test (`options`: an SFU
 * count on loopback, emulator options, or a function giving them afresh for each test). Returns a
 * getter, since the context only exists once beforeEach ran.
 */
export function useEmulator(options: number | EmulatorOptions | (() => EmulatorOptions) = 1): () => EmulatorContext {
  const emulators = emulatorPerTest();
  let context: EmulatorContext | undefined;
  beforeEach(async () => {
    const resolved = typeof options === 'number' ? { host: '127.0.0.1', sfuCount: options } : typeof options === 'function' ? options() : options;
    context = await emulators.start(resolved);
  });
  afterEach(() => {
    context = undefined;
  });
  return () => {
    if (!context) throw new Error('the emulator fixture is only there inside a test');
    return context;
  };
}
