/**
 * Agents as the benchmarks drive them: join options against the (remote) emulator, and the one
 * measurement both benchmarks share, "time until the first RTP packet from the human arrives".
 */
import { performance } from 'node:perf_hooks';
import { firstValueFrom, map, mergeMap, switchMap, take, type Observable } from 'rxjs';
import { joinCall$, type Call, type JoinCallOptions } from '../../lib/call/index.js';
import { emulatorAgentOptions } from '../../lib/emulator/index.js';
import type { RemoteEmulator } from './remote-emulator.js';

/** Join options for one agent in `callId`; audio of every remote participant is subscribed (the default). */
export function agentOptions(emulator: RemoteEmulator, callId: string, userId: string, extra: Partial<JoinCallOptions> = {}): JoinCallOptions {
  return { ...emulatorAgentOptions(emulator, userId, callId), ...extra };
}

/** Emits once, at the next remote RTP packet of any track (tracks already there included). */
export function nextRemoteRtp$(call: Call): Observable<void> {
  return call.remoteTracks$.pipe(mergeMap((track) => track.rtp$), take(1), map(() => undefined));
}

export interface TimedJoin {
  call: Call;
  /** `joinCall` → state 'joined', ms. */
  joinedMs: number;
  /** `joinCall` → first remote RTP packet, ms. */
  firstRtpMs: number;
}

/** Joins and waits for the first remote RTP packet; the clock starts when `joinCall$` is subscribed. */
export async function timedJoin(options: JoinCallOptions): Promise<TimedJoin> {
  const start = performance.now();
  let joinedMs = Number.NaN;
  return firstValueFrom(joinCall$(options).pipe(
    switchMap((call) => {
      joinedMs = performance.now() - start;
      return nextRemoteRtp$(call).pipe(map(() => ({ call, joinedMs, firstRtpMs: performance.now() - start })));
    }),
  ));
}
