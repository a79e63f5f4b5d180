/**
 * werift resolves `setLocalDescription` only once ICE gathering ended (WERIFT.md pitfall 2), and
 * gathering waits for every TURN allocation: a TURN server that never answers held each
 * description as long as werift retries (about 6 s over UDP; one that accepts TCP and never answers,
 * for ever), so every publish, answer and REJOIN stalled. After `waitMs`, once gathering is under
 * way (the description is set, host candidates are in it), the description goes out with what was
 * gathered and later candidates trickle. An answerer's connectivity checks, which werift starts
 * only after gathering, are started then.
 *
 * ```
 * applied$:  -------------------------x|     werift's promise (gathering over)
 * result:    ------(waitMs)-g|               g: gathering under way → go on without the rest
 * applied$:  ---x|                           (the usual case: gathering is quick)
 * result:    ---x|
 * ```
 */
import { first, map, race, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { RTCPeerConnection } from 'werift';

/** How long a description waits for ICE gathering before it goes out with what was gathered. */
export const GATHER_WAIT_MS = 1500;
/** How often, past the wait, gathering is checked for being under way. */
const POLL_MS = 50;

export function appliedOrGathering$(
  applied$: Observable<unknown>,
  pc: RTCPeerConnection,
  type: 'offer' | 'answer',
  scheduler: SchedulerLike,
  waitMs = GATHER_WAIT_MS,
): Observable<void> {
  const closed = () => pc.connectionState === 'closed' || pc.signalingState === 'closed';
  // A closed peer ends the wait too (its description goes nowhere): the poll never outlives it.
  const underWay$ = timer(waitMs, POLL_MS, scheduler).pipe(
    first(() => pc.iceGatheringState === 'gathering' || closed()),
    map(() => {
      if (type === 'answer' && !closed()) startConnectivityChecks(pc);
    }),
  );
  return race(applied$.pipe(map(() => undefined)), underWay$);
}

/** werift's own start of the ICE/DTLS transports (not in its typings); it skips connected ones. */
function startConnectivityChecks(pc: RTCPeerConnection): void {
  const start = (pc as unknown as { connect?: () => Promise<void> }).connect;
  start?.call(pc).catch(() => undefined);
}
