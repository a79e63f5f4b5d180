/**
 * R1: triggers → requests. One pure mapping function per trigger family, and `mergeTriggers` to
 * make the engine's single `requests$`. Nothing here decides more than the table in
 * docs/RECONNECT.md; the engine's rules do the rest.
 */
import { filter, merge, type Observable } from 'rxjs';
import { type RxsfuError, rxsfuError } from '../errors.js';
import { CallEndedReason, GoAwayReason, PeerType, WebsocketReconnectStrategy, type stream } from '../protocol/index.js';
import type { ConnectionLost } from '../signaling/connection-lost.js';
import type { PeerSide, ReconnectRequest, RequestedStrategy } from './types.js';
import { foreignText } from '../foreign-text.js';

type SfuErrorEvent = stream.video.sfu.event.Error.$Properties;
type GoAwayEvent = stream.video.sfu.event.GoAway.$Properties;
type IceRestartEvent = stream.video.sfu.event.ICERestart.$Properties;
type CallEndedEvent = stream.video.sfu.event.CallEnded.$Properties;

/** A lost signaling socket (close, error or heartbeat timeout) → FAST. */
export function fromConnectionLost(lost: ConnectionLost): ReconnectRequest {
  const code = lost.closeCode === undefined ? '' : ` ${lost.closeCode}`;
  return { strategy: 'fast', source: 'connection-lost', detail: `${lost.kind}${code}: ${lost.detail}`, cause: lost };
}

const SFU_STRATEGY: Readonly<Record<number, RequestedStrategy | undefined>> = {
  [WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT]: 'disconnect',
  [WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_FAST]: 'fast',
  [WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN]: 'rejoin',
  [WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE]: 'migrate',
};

/**
 * An SFU `error` event → the strategy it names; DISCONNECT → `disconnect`; UNSPECIFIED (or an
 * unknown number) → `undefined`: no request (the call layer logs it).
 */
export function fromSfuError(event: SfuErrorEvent): ReconnectRequest | undefined {
  const strategy = SFU_STRATEGY[event.reconnectStrategy ?? 0];
  if (strategy === undefined) return undefined;
  const message = foreignText(event.error?.message) || 'no message';
  const detail = `SFU error ${event.error?.code ?? 0}: ${message}`;
  return { strategy, source: 'sfu-error', detail, cause: sfuErrorToRxsfuError(event, strategy, detail) };
}

function sfuErrorToRxsfuError(event: SfuErrorEvent, strategy: RequestedStrategy, detail: string): RxsfuError {
  const details = {
    sfuErrorCode: event.error?.code ?? undefined,
    shouldRetry: event.error?.shouldRetry ?? undefined,
    reconnectStrategy: event.reconnectStrategy ?? undefined,
  };
  return strategy === 'disconnect'
    ? rxsfuError('RXSFU_ERR_CALL_ENDED', `the SFU told us to disconnect (${detail})`, details)
    : rxsfuError('RXSFU_ERR_SFU_ERROR', detail, details);
}

/** `go_away` (the SFU is shutting down or rebalancing) → MIGRATE. */
export function fromGoAway(event: GoAwayEvent): ReconnectRequest {
  const reason = GoAwayReason[event.reason ?? 0] ?? String(event.reason);
  return { strategy: 'migrate', source: 'go-away', detail: `go_away ${reason}`, cause: event };
}

/** The SFU's `ice_restart` event → an ICE restart of the peer it names (R14). */
export function fromIceRestartEvent(event: IceRestartEvent): ReconnectRequest {
  const peer = peerSide(event.peerType);
  return { strategy: 'ice-restart', source: 'ice-restart-event', detail: `SFU asked for an ICE restart of the ${peer}`, peer, cause: event };
}

/** Our ICE connection state went `failed` on `peer` → ICE restart of that peer (R14). */
export function fromIceFailed(peer: PeerSide, detail = 'ICE connection failed'): ReconnectRequest {
  return { strategy: 'ice-restart', source: 'ice-failed', detail: `${peer}: ${detail}`, peer };
}

/** A peer connection went `failed` while signaling lives → REJOIN (new peer connections). */
export function fromPeerFailed(peer: PeerSide, detail = 'peer connection failed'): ReconnectRequest {
  return { strategy: 'rejoin', source: 'peer-failed', detail: `${peer}: ${detail}`, peer };
}

/**
 * A negotiated peer connection did not reach `connected` in time while joined (J2) → ICE restart of
 * that peer (a publisher that never connected gets a plain renegotiation); if that fails, REJOIN (R14).
 */
export function fromPeerStuck(peer: PeerSide, state: string, forMs: number): ReconnectRequest {
  return { strategy: 'ice-restart', source: 'peer-stuck', detail: `${peer}: ${state} for ${forMs} ms`, peer };
}

/** Media stopped flowing while signaling lives → REJOIN. */
export function fromMediaStalled(detail: string, peer?: PeerSide): ReconnectRequest {
  return { strategy: 'rejoin', source: 'media-stalled', detail, ...(peer ? { peer } : {}) };
}

/** `call_ended` → leave, never reconnect (R13). */
export function fromCallEnded(event: CallEndedEvent): ReconnectRequest {
  const reason = CallEndedReason[event.reason ?? 0] ?? String(event.reason);
  const cause = rxsfuError('RXSFU_ERR_CALL_ENDED', `the call ended (${reason})`);
  return { strategy: 'disconnect', source: 'call-ended', detail: `call_ended ${reason}`, cause };
}

/**
 * Merge trigger streams (already mapped) into the engine's `requests$`, dropping `undefined`
 * (an SFU error without strategy).
 *
 * ```
 * lost$:   ───a─────────
 * errors$: ─u─────m─────     u: UNSPECIFIED → undefined
 * result:  ───a───m─────
 * ```
 */
export function mergeTriggers(...sources: Observable<ReconnectRequest | undefined>[]): Observable<ReconnectRequest> {
  return merge(...sources).pipe(filter((request): request is ReconnectRequest => request !== undefined));
}

function peerSide(peerType: number | null | undefined): PeerSide {
  return peerType === PeerType.PEER_TYPE_SUBSCRIBER ? 'subscriber' : 'publisher';
}
