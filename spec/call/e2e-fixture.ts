/**
 * The waits the call API's end-to-end specs share: on streams where there is an event to wait for,
 * polling only for server-side state that has none. The emulator lifecycle (one per test, every
 * call left and the emulator closed even when the test failed) is spec/support/emulator-fixture.ts,
 * re-exported here.
 */
import { filter, firstValueFrom, scan, take, timeout, toArray, type Observable } from 'rxjs';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import type { Call, CallRemoteTrack, ParticipantMap } from '../../lib/call/index.js';
import type { TrackType } from '../../lib/protocol/index.js';

export { until } from '../emulator/support/until.js';
export { CALL_TYPE, emulatorPerTest, useEmulator, type EmulatorContext } from '../support/emulator-fixture.js';

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
