/**
 * Ending a call from the emulator's side (what a host's "end call for everyone" does): the call is
 * marked ended first (from then on the coordinator refuses to join it: HTTP 403, as Stream refuses a
 * user without the JoinEndedCall permission), every participant gets `call_ended` and then a normal
 * close (1000) of its signaling socket, as a real SFU ends an ended call's connections (so a join
 * in flight ends at once instead of waiting for its timeout); each one is removed as left with
 * reason `call-ended` (media torn down, recorded), and the call is forgotten.
 */
import { CallEndedReason, type stream } from '../protocol/index.js';
import type { CallRegistry } from './call-registry.js';
import { CALL_ENDED_CLOSE_CODE } from './sfu-host.js';
import type { SfuServer } from './sfu-server.js';
import type { SimulatedParticipantHandle } from './simulated-session.js';

export async function endCall(
  registry: CallRegistry,
  servers: readonly SfuServer[],
  simulated: ReadonlyMap<string, SimulatedParticipantHandle>,
  callCid: string,
  reason: stream.video.sfu.models.CallEndedReason = CallEndedReason.CALL_ENDED_REASON_ENDED,
): Promise<void> {
  registry.markEnded(callCid);
  const sessions = registry.sessions(callCid);
  for (const session of sessions) session.deliver({ callEnded: { reason } });
  for (const session of sessions) {
    if (session.simulated) {
      await simulated.get(session.sessionId)?.remove('call-ended');
      continue;
    }
    const owner = servers.find((s) => s.id === session.sfuId);
    const live = owner?.sessions.get(session.sessionId);
    live?.closeAfterQueued(CALL_ENDED_CLOSE_CODE, 'call ended');
    if (owner && live) owner.leave(live, 'call-ended');
  }
  registry.deleteCall(callCid);
}
