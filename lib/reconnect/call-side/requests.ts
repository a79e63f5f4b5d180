/**
 * R1 at the call: the call's trigger streams → the engine's one stream of reconnect requests. Pure
 * (no clock, no I/O): each input is mapped by its `from…` function of `../triggers.ts`, nothing else
 * decides a strategy. Tested in virtual time (spec/reconnect/requests.spec.ts).
 */
import { EMPTY, filter, map, type Observable } from 'rxjs';
import type { SfuEvent } from '../../protocol/index.js';
import type { ConnectionLost } from '../../signaling/index.js';
import {
  fromCallEnded, fromConnectionLost, fromGoAway, fromIceFailed, fromIceRestartEvent, fromMediaStalled, fromPeerFailed, fromPeerStuck, fromSfuError,
  mergeTriggers,
} from '../triggers.js';
import type { PeerSide, ReconnectRequest } from '../types.js';
import type { MediaStall } from './media-stall.js';
import type { PeerStuck } from './peer-stuck.js';

/** A state change of one peer connection: its `connectionState` or its `iceConnectionState`. */
export interface PeerStateChange {
  readonly peer: PeerSide;
  readonly layer: 'connection' | 'ice';
  readonly state: string;
}

/** Everything the call observes that may call for a reconnect (docs/RECONNECT.md, R1 table). */
export interface ReconnectTriggers {
  /** Losses of the current signaling connection. */
  readonly connectionLost$: Observable<ConnectionLost>;
  /** The current connection's SFU events (`error`, `go_away`, `ice_restart`, `call_ended` count). */
  readonly events$: Observable<SfuEvent>;
  /** Peer connection and ICE state changes of the current peers. */
  readonly peerStates$: Observable<PeerStateChange>;
  /** Detected media stalls (`mediaStalled$`). */
  readonly mediaStalls$: Observable<MediaStall>;
  /** Negotiated peers that did not reach `connected` in time while joined (`peersStuck$`, J2). */
  readonly peersStuck$?: Observable<PeerStuck>;
}

type EventKind = NonNullable<SfuEvent['eventPayload']>;

/**
 * R1: one request per trigger that asks for something, in arrival order.
 *
 * ```
 * connectionLost$: --l---------------      l: close 1006      → f (fast, connection-lost)
 * events$:         ----e--g--c-------      e: error REJOIN    → r;  g: go_away → m;  c: call_ended → d
 * peerStates$:     -------------p-i--      p: publisher failed → r (peer-failed); i: ICE failed → x (ice-restart)
 * mediaStalls$:    ----------------s-      s: stall            → r (media-stalled)
 * (peersStuck$:    a stuck peer → ice-restart of it (peer-stuck))
 * result:          --f-r--m--d--r-x-r
 * ```
 */
export function reconnectRequests$(triggers: ReconnectTriggers): Observable<ReconnectRequest> {
  const event$ = <K extends EventKind>(kind: K) =>
    triggers.events$.pipe(filter((e) => e.eventPayload === kind), map((e) => e[kind] as NonNullable<SfuEvent[K]>));
  return mergeTriggers(
    triggers.connectionLost$.pipe(map(fromConnectionLost)),
    event$('error').pipe(map(fromSfuError)),
    event$('goAway').pipe(map(fromGoAway)),
    event$('iceRestart').pipe(map(fromIceRestartEvent)),
    event$('callEnded').pipe(map(fromCallEnded)),
    triggers.peerStates$.pipe(map(fromPeerState)),
    triggers.mediaStalls$.pipe(map((stall) => fromMediaStalled(`no inbound RTP for ${stall.silentMs} ms`, 'subscriber'))),
    (triggers.peersStuck$ ?? EMPTY).pipe(map((stuck) => fromPeerStuck(stuck.peer, stuck.state, stuck.forMs))),
  );
}

/** `failed` peer connection → REJOIN; `failed` ICE → ICE restart of that peer; anything else → nothing. */
function fromPeerState(change: PeerStateChange): ReconnectRequest | undefined {
  if (change.state !== 'failed') return undefined;
  return change.layer === 'connection' ? fromPeerFailed(change.peer) : fromIceFailed(change.peer);
}
