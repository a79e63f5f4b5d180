/**
 * Fixtures for the call API's end-to-end specs: a fresh emulator per test (port 0, loopback), agents
 * joined through the public `joinCall`, and a teardown that leaves every call and closes the emulator
 * even when the test failed half-way. Plus the waits these specs share: on streams where there is an
 * event to wait for, polling only for server-side state that has none.
 */
import { filter, firstValueFrom, scan, take, timeout, toArray, type Observable } from 'rxjs';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import { joinCall, type Call, type CallRemoteTrack, type JoinCallOptions, type ParticipantMap } from '../../lib/call/index.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import type { TrackType } from '../../lib/protocol/index.js';

export { until } from '../emulator/support/until.js';

export const CALL_TYPE = 'default';

export interface E2eContext {
  emu: Emulator;
  /** Joins `userId` to `callId` through the emulator's coordinator; left again in afterEach. */
  join(userId: string, callId: string, extra?: Partial<JoinCallOptions>): Promise<Call>;
  /** Options for `joinCall` against this emulator (for specs that call it themselves). */
  options(userId: string, callId: string, extra?: Partial<JoinCallOptions>): JoinCallOptions;
  /** Registers a call opened outside `join` for the teardown. */
  track(call: Call): Call;
}

/**
 * Registers beforeEach/afterEach that start and tear down one emulator per test. Returns a getter,
 * since the context only exists once beforeEach ran.
 */
export function useEmulator(sfuCount = 1): () => E2eContext {
  let ctx: E2eContext | undefined;
  let calls: Call[] = [];
  beforeEach(async () => {
    const emu = await startEmulator({ host: '127.0.0.1', sfuCount });
    const options = (userId: string, callId: string, extra: Partial<JoinCallOptions> = {}): JoinCallOptions => ({
      ...emu.agentOptions(userId, callId, CALL_TYPE), ...extra,
    });
    const trackCall = (call: Call) => (calls.push(call), call);
    ctx = {
      emu,
      options,
      track: trackCall,
      join: async (userId, callId, extra) => trackCall(await joinCall(options(userId, callId, extra))),
    };
  });
  afterEach(async () => {
    const open = calls;
    calls = [];
    await Promise.allSettled(open.map((c) => c.leave('test over')));
    await ctx?.emu.close();
    ctx = undefined;
  });
  return () => {
    if (!ctx) throw new Error('the emulator fixture is only there inside a test');
    return ctx;
  };
}

/** The first participant map that satisfies `predicate` (waits on `participants$`). */
export function participantsWhere(call: Call, predicate: (p: ParticipantMap) => boolean, timeoutMs = 15000): Promise<ParticipantMap> {
  return firstValueFrom(call.participants$.pipe(filter(predicate), timeout(timeoutMs)));
}

/** The first remote track of `userId` with `trackType` (waits on `remoteTracks$`). */
export function remoteTrack(call: Call, userId: string, trackType: TrackType, timeoutMs = 15000): Promise<CallRemoteTrack> {
  return firstValueFrom(call.remoteTracks$.pipe(
    filter((t) => t.participant.userId === userId && t.trackType === trackType),
    timeout(timeoutMs),
  ));
}

/** The next `count` packets of `rtp$` (fails if they do not come within `timeoutMs`). */
export function nextPackets(rtp$: Observable<RtpPacket>, count: number, timeoutMs = 15000): Promise<RtpPacket[]> {
  return firstValueFrom(rtp$.pipe(take(count), toArray(), timeout(timeoutMs)));
}

/** Resolves when the running packet count of `rtp$` reaches `count`. */
export function packetsCounted(rtp$: Observable<RtpPacket>, count: number, timeoutMs = 15000): Promise<number> {
  return firstValueFrom(rtp$.pipe(scan((n) => n + 1, 0), filter((n) => n >= count), timeout(timeoutMs)));
}

/** Collects every unhandled rejection while installed; `stop()` returns them. */
export function collectUnhandledRejections(): { stop(): unknown[] } {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', onRejection);
  return {
    stop() {
      process.off('unhandledRejection', onRejection);
      return seen;
    },
  };
}
