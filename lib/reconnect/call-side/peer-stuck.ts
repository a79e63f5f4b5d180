/**
 * J2 of the joined invariant as a trigger: a peer connection that was negotiated (its state left
 * `new`) must reach `connected`. werift may sit in `connecting` (or `disconnected`) for minutes when
 * the media path never worked, and a speak-only agent has no inbound media whose stall would tell.
 * `failed` is the `peer-failed` trigger's, `closed` is ours; only a lasting in-between state counts.
 */
import { EMPTY, distinctUntilChanged, map, merge, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { PeerSide } from '../types.js';

/** Default of `JoinCallOptions.peerConnectTimeoutMs`. */
export const DEFAULT_PEER_CONNECT_TIMEOUT_MS = 10000;

const SETTLED = new Set(['new', 'connected', 'failed', 'closed']);

/**
 * Emits the state once it has lasted `afterMs` while `expecting$` is true; the window restarts at
 * every state change and when `expecting$` turns true.
 *
 * ```
 * afterMs: 3
 * expecting$: t-------------f----
 * state$:     n-c-k---c----------     n new, c connecting, k connected
 * result:     -----------c-------     (c at 8 + 3; nothing after k, nothing once f)
 * ```
 */
export function peerStuck$(state$: Observable<string>, expecting$: Observable<boolean>, afterMs: number, scheduler: SchedulerLike): Observable<string> {
  return expecting$.pipe(
    distinctUntilChanged(),
    switchMap((expecting) => (!expecting ? EMPTY : state$.pipe(
      distinctUntilChanged(),
      switchMap((state) => (SETTLED.has(state) ? EMPTY : timer(afterMs, scheduler).pipe(map(() => state)))),
    ))),
  );
}

/** A negotiated peer connection that stayed out of `connected` too long (R1 `peer-stuck`). */
export interface PeerStuck {
  readonly peer: PeerSide;
  readonly state: string;
  readonly forMs: number;
}

/** The peers of a connection, as `peersStuck$` watches them. */
interface WatchedPeers {
  readonly publisher: { readonly connectionState$: Observable<string> };
  readonly subscriber: { readonly connectionState$: Observable<string> };
}

/** J2 for both peers of the current connection, while the call is `joined`; `afterMs` 0 disables. */
export function peersStuck$(
  connection$: Observable<WatchedPeers | undefined>,
  joined$: Observable<boolean>,
  afterMs: number,
  scheduler: SchedulerLike,
): Observable<PeerStuck> {
  if (afterMs === 0) return EMPTY;
  const watch = (peer: PeerSide, state$: Observable<string>) =>
    peerStuck$(state$, joined$, afterMs, scheduler).pipe(map((state): PeerStuck => ({ peer, state, forMs: afterMs })));
  return connection$.pipe(
    switchMap((conn) => (!conn ? EMPTY : merge(
      watch('publisher', conn.publisher.connectionState$),
      watch('subscriber', conn.subscriber.connectionState$),
    ))),
  );
}
