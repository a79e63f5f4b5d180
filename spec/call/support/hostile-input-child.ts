/**
 * Hostile inputs (issue 10, items 1–3), run in a process with no `uncaughtException` or
 * `unhandledRejection` handler: if the SDK let anything escape, Node would end this process with
 * exit code 1 before it printed the next result. Started by hostile-input.e2e.spec.ts as
 * `node --import tsx hostile-input-child.ts options|calls`: `options` prints one JSON line with the
 * outcome of every option case; `calls` runs each call case in turn, each against an emulator of its
 * own, and prints one JSON line `{ name, code, detail }` per case once the call went on working
 * (a valid setSubscriptions and a leave) afterwards. One process for all cases: each spawn costs
 * seconds of start-up, a case a fraction of one.
 */
import { pathToFileURL } from 'node:url';
import { lastValueFrom, of, type Observable } from 'rxjs';
import type { RtpPacket } from '../../../lib/media/rtp-packet.js';
import { joinCall, type Call, type JoinCallOptions } from '../../../lib/call/index.js';
import { startEmulator, type Emulator } from '../../../lib/emulator/index.js';
import { isRxsfuError } from '../../../lib/errors.js';

type Outcome = { code: string; detail?: unknown };
type Case = (ctx: { emu: Emulator; options: JoinCallOptions; call: () => Promise<Call> }) => Promise<Outcome>;

/** The typed code of what `run` threw or rejected with; a non-RxsfuError is reported as such. */
async function codeOf(run: () => unknown): Promise<Outcome> {
  try {
    await run();
    return { code: 'no error' };
  } catch (err) {
    return isRxsfuError(err) ? { code: err.code } : { code: `untyped ${String(err)}` };
  }
}

const packets = (value: unknown) => of(value) as unknown as Observable<RtpPacket>;

/** A PCM track (`publishAudio`) whose source is `source$`: the code its `ended$` errors with. */
async function publishedOutcome(call: Call, source$: Observable<unknown>): Promise<Outcome> {
  const track = await call.publishAudio(source$ as never);
  return codeOf(() => lastValueFrom(track.ended$, { defaultValue: undefined }));
}

/** An RTP pass-through track (`publishAudioRtp`) whose source is `source$`: the code its `ended$` errors with. */
async function rtpOutcome(call: Call, source$: Observable<RtpPacket>): Promise<Outcome> {
  const track = await call.publishAudioRtp(source$);
  return codeOf(() => lastValueFrom(track.ended$, { defaultValue: undefined }));
}

export const cases: Record<string, Case> = {
  // Item 2: typed errors, before anything opens.
  'joinCall(undefined)': () => codeOf(() => joinCall(undefined as never)),
  'joinCall(null)': () => codeOf(() => joinCall(null as never)),
  'credentials: {}': () => codeOf(() => joinCall({ credentials: {} } as never)),
  'logger: {}': ({ options }) => codeOf(() => joinCall({ ...options, logger: {} as never })),
  'subscriptions: null': ({ options }) => codeOf(() => joinCall({ ...options, subscriptions: null as never })),
  // Item 3: durations Node would clamp.
  'unhealthyAfterMs: Infinity': ({ options }) => codeOf(() => joinCall({ ...options, unhealthyAfterMs: Infinity })),
  'joinTimeoutMs: 2**31': ({ options }) => codeOf(() => joinCall({ ...options, joinTimeoutMs: 2 ** 31 })),
  'openTimeoutMs: -1': ({ options }) => codeOf(() => joinCall({ ...options, openTimeoutMs: -1 })),
  'coordinatorTimeoutMs: NaN': ({ options }) => codeOf(() => joinCall({ ...options, coordinatorTimeoutMs: Number.NaN })),
  'reconnect.attemptTimeoutMs: Infinity': ({ options }) => codeOf(() => joinCall({ ...options, reconnect: { attemptTimeoutMs: Infinity } })),
  // Item 1: a joined call and bad arguments.
  'setSubscriptions(null)': async ({ call }) => {
    const c = await call();
    return codeOf(() => c.setSubscriptions(null as never));
  },
  'setSubscriptions({ explicit: [{ sessionId: 1 }] })': async ({ call }) => {
    const c = await call();
    return codeOf(() => c.setSubscriptions({ explicit: [{ sessionId: 1 }] } as never));
  },
  'publishAudio(of({}))': async ({ call }) => publishedOutcome(await call(), packets({})),
  'publishAudio(of(Buffer.alloc(3)))': async ({ call }) => publishedOutcome(await call(), packets(Buffer.alloc(3))),
  'publishAudioRtp(of({}))': async ({ call }) => rtpOutcome(await call(), packets({})),
  'publishAudioRtp(of(Buffer.alloc(3)))': async ({ call }) => rtpOutcome(await call(), packets(Buffer.alloc(3))),
  'publishAudio(undefined)': async ({ call }) => {
    const c = await call();
    const outcome = await codeOf(() => c.publishAudio(undefined as never));
    // Refused before the track was added: nothing announced, nothing to re-publish on a REJOIN.
    return { ...outcome, detail: { publishedTracks: c.participants.get(c.sessionId)?.publishedTracks ?? [] } };
  },
  'publishVideo(of(null))': async ({ call }) => {
    const c = await call();
    const track = await c.publishVideo(of(null) as never);
    return codeOf(() => lastValueFrom(track.ended$, { defaultValue: undefined }));
  },
  'leave(42)': async ({ call }) => {
    const c = await call();
    const outcome = await codeOf(() => c.leave(42 as never));
    return { ...outcome, detail: { state: c.state } };
  },
  'a logger that throws': async ({ options }) => {
    const throwing = () => { throw new Error('logger down'); };
    const c = await joinCall({ ...options, logger: { debug: throwing, info: throwing, warn: throwing, error: throwing } });
    // Logged inside Rx callbacks: a warning from a bad track source, then the leave.
    const outcome = await publishedOutcome(c, packets({}));
    await c.leave();
    return outcome;
  },
};

/** Cases that fail before anything opens: all run in one process, no emulator (nothing may be reached). */
export const optionCases = Object.keys(cases).filter((name) => !/^(set|publish|leave|a logger)/.test(name));

async function runOptionCases(): Promise<Record<string, Outcome>> {
  const options: JoinCallOptions = { baseUrl: 'http://127.0.0.1:9', apiKey: 'k', apiSecret: 's', userId: 'agent', callType: 'default', callId: 'hostile' };
  const outcomes: Record<string, Outcome> = {};
  const noEmulator = () => Promise.reject(new Error('an option case needs no emulator'));
  for (const name of optionCases) outcomes[name] = await cases[name]!({ emu: undefined as never, options, call: noEmulator });
  return outcomes;
}

async function runCallCase(name: string): Promise<Outcome> {
  const run = cases[name];
  if (!run) throw new Error(`unknown case ${name}`);
  const emu = await startEmulator({ host: '127.0.0.1' });
  const options: JoinCallOptions = emu.agentOptions('agent', 'hostile');
  let joined: Call | undefined;
  const call = async () => (joined = await joinCall(options));
  const outcome = await run({ emu, options, call });
  // Still alive and still working: the call (if any) takes a valid policy and leaves cleanly.
  if (joined && joined.state === 'joined') {
    joined.setSubscriptions({ audio: true });
    await joined.leave('case over');
  }
  await emu.close();
  return outcome;
}

/** Prints `value` as one JSON line, a macrotask later: RxJS reports an error thrown in a subscriber on a timer of 0 ms. */
async function printAfterATurn(value: unknown): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** `options`: every option case, one line; `calls`: every call case, one line each as it is done. */
async function main(mode: string): Promise<void> {
  if (mode === 'options') return printAfterATurn(await runOptionCases());
  if (mode !== 'calls') throw new Error(`unknown mode ${mode}`);
  for (const name of Object.keys(cases).filter((n) => !optionCases.includes(n))) {
    process.stderr.write(`case ${name}\n`);
    await printAfterATurn({ name, ...(await runCallCase(name)) });
  }
}

// Only as the child's entry point: mocha imports this module too (for `optionCases`), with its own argv.
const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint && process.argv[2]) {
  void main(process.argv[2]).then(() => process.exit(0));
}
