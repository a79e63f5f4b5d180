/**
 * The first frame of a signaling socket: `JoinRequest`, handled by reconnect strategy.
 * - first join / REJOIN: a new session (REJOIN first removes `previous_session_id` as left);
 * - FAST: the same session (id, media, peer connections) resumes on this new socket, `reconnected = true`,
 *   and its subscriber gets an ICE-restart offer, as Stream's SFU sends after every FAST join;
 * - MIGRATE: the session moves here from another SFU of the emulator with the same id and fresh media;
 *   the SFU being left says `participant_migration_complete` on the OLD socket (as Stream's SFU
 *   does, docs/shared BEHAVIOUR "MIGRATE") once the new session published: after its first
 *   SetPublisher, or right after the join_response when `announced_tracks` is empty.
 * Refusals are an `error` event followed by a close: 1008 for a bad token, 1011 otherwise. A join
 * that reaches the SFU after its call ended (`emu.endCall`) gets what the call's other sockets got:
 * `call_ended`, then a normal close.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CallEndedReason, ErrorCode, PeerType, TrackType, WebsocketReconnectStrategy, type JoinRequest, type ReconnectDetails, type SfuEventInit } from '../protocol/index.js';
import { toParticipant } from './call-registry.js';
import { verifySfuToken, type SfuTokenClaims } from './jwt.js';
import type { JoinRecord, RecordedReconnectDetails } from './records.js';
import { CALL_ENDED_CLOSE_CODE, errorEvent, type JoinHost, type JoinRejectionMode } from './sfu-host.js';
import { SfuSession } from './sfu-session.js';
import { EMULATOR_PUBLISH_OPTIONS } from './publish-control.js';
import { errorMessage } from '../errors.js';

const Strategy = WebsocketReconnectStrategy;

/** Handles a JoinRequest; resolves to the session now bound to `ws`, or undefined when refused. */
export async function handleJoin(sfu: JoinHost, ws: WebSocket, join: JoinRequest): Promise<SfuSession | undefined> {
  const rejection = sfu.takeJoinRejection();
  if (rejection) {
    applyRejection(sfu, ws, rejection, join);
    return undefined;
  }
  let claims: SfuTokenClaims;
  try {
    claims = await verifySfuToken(sfu.secret, join.token ?? '', sfu.id);
  } catch (err) {
    refuse(sfu, ws, join, undefined, errorEvent(ErrorCode.ERROR_CODE_UNAUTHENTICATED, errorMessage(err), Strategy.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT), 1008);
    return undefined;
  }
  if (sfu.registry.isEnded(claims.callCid)) {
    recordRefusal(sfu, join, claims, 'call ended');
    sfu.sendToSocket(ws, { callEnded: { reason: CallEndedReason.CALL_ENDED_REASON_ENDED } });
    ws.close(CALL_ENDED_CLOSE_CODE, 'call ended');
    return undefined;
  }
  switch (strategyOf(join)) {
    case Strategy.WEBSOCKET_RECONNECT_STRATEGY_FAST:
      return resumeFast(sfu, ws, join, claims);
    case Strategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE:
      return migrateHere(sfu, ws, join, claims);
    case Strategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN:
      removePrevious(sfu, join.reconnectDetails?.previousSessionId ?? '', claims.userId);
      return joinFresh(sfu, ws, join, claims);
    default:
      return joinFresh(sfu, ws, join, claims);
  }
}

function strategyOf(join: JoinRequest): WebsocketReconnectStrategy {
  const strategy = join.reconnectDetails?.strategy ?? Strategy.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED;
  if (strategy !== Strategy.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED) return strategy;
  if (join.migration) return Strategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE;
  if (join.fastReconnect) return Strategy.WEBSOCKET_RECONNECT_STRATEGY_FAST;
  return strategy;
}

function joinFresh(sfu: JoinHost, ws: WebSocket, join: JoinRequest, claims: SfuTokenClaims): SfuSession {
  const sessionId = join.sessionId || randomUUID();
  removePrevious(sfu, sessionId, claims.userId);
  const session = new SfuSession(
    { sessionId, userId: claims.userId, callCid: claims.callCid, sfuId: sfu.id, trackLookupPrefix: randomBytes(6).toString('hex'), joinedAtMs: sfu.scheduler.now() },
    sfu.deliveryFaults,
    sfu.scheduler,
  );
  sfu.addSession(session);
  session.attach(ws);
  restoreSubscriptions(sfu, session, join.reconnectDetails);
  session.deliver(joinResponse(sfu, session, false));
  sfu.registry.broadcast(session.callCid, { participantJoined: { callCid: session.callCid, participant: toParticipant(session) } }, sessionId);
  record(sfu, join, session, 'joined');
  return session;
}

function resumeFast(sfu: JoinHost, ws: WebSocket, join: JoinRequest, claims: SfuTokenClaims): SfuSession | undefined {
  const session = sfu.sessions.get(join.sessionId ?? '');
  if (!session || session.userId !== claims.userId || session.migratedAway || !session.resumable) {
    const event = errorEvent(ErrorCode.ERROR_CODE_PARTICIPANT_RECONNECT_FAILED, `no session ${join.sessionId} to resume on ${sfu.id}`, Strategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    refuse(sfu, ws, join, claims, event, 1011);
    return undefined;
  }
  session.attach(ws);
  session.deliver(joinResponse(sfu, session, true));
  record(sfu, join, session, 'resumed');
  restartSubscriberAfterFast(sfu, session);
  return session;
}

/**
 * Stream's SFU ICE-restarts the subscriber after every FAST join: the official client keeps its
 * peer connections, restarts only the publisher's ICE itself and relies on the SFU for the
 * subscriber (stream-video-js `Call.doJoin`: on `performingFastReconnect` it calls
 * `restoreICE(sfuClient, { includeSubscriber: false })`, commented "the SFU automatically issues an
 * ICE restart on the subscriber"). So after the join_response comes a `subscriber_offer` with
 * `ice_restart` and new credentials; it carries the current tracks, so it replaces an offer lost
 * with the old socket; that one is sent as it was only when the restart made no offer (no
 * subscriber connection yet) or failed.
 */
function restartSubscriberAfterFast(sfu: JoinHost, session: SfuSession): void {
  const lost = session.takeUndelivered();
  const offersBefore = session.subscriberOffersMade;
  const replayIfNoOffer = (): void => {
    if (lost && session.subscriberOffersMade === offersBefore) session.deliver(lost);
  };
  sfu.media.restartIce(session.sessionId, PeerType.PEER_TYPE_SUBSCRIBER).then(replayIfNoOffer, (err: unknown) => {
    sfu.logger.warn('subscriber ICE restart after FAST failed', { sfuId: sfu.id, sessionId: session.sessionId, error: errorMessage(err) });
    replayIfNoOffer();
  });
}

function migrateHere(sfu: JoinHost, ws: WebSocket, join: JoinRequest, claims: SfuTokenClaims): SfuSession | undefined {
  const sessionId = join.sessionId ?? '';
  const registered = sfu.registry.find(sessionId);
  const fromSfu = sfu.allSfus().find((s) => s.id === registered?.sfuId);
  const old = fromSfu?.sessions.get(sessionId);
  if (!old || !fromSfu || fromSfu === sfu || old.userId !== claims.userId) {
    const event = errorEvent(ErrorCode.ERROR_CODE_PARTICIPANT_MIGRATION_FAILED, `no session ${sessionId} to migrate to ${sfu.id}`, Strategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    refuse(sfu, ws, join, claims, event, 1011);
    return undefined;
  }
  old.migratedAway = true;
  old.cancelDeadline();
  const session = new SfuSession({ ...old, sfuId: sfu.id }, sfu.deliveryFaults, sfu.scheduler);
  for (const type of old.publishedTracks) session.publishedTracks.add(type);
  sfu.addSession(session);
  session.attach(ws);
  restoreSubscriptions(sfu, session, join.reconnectDetails ?? join.migration ?? undefined);
  session.migratingFrom = { sfu: fromSfu, session: old };
  session.deliver(joinResponse(sfu, session, false));
  const announced = join.reconnectDetails?.announcedTracks ?? join.migration?.announcedTracks ?? [];
  session.announcedTracks = announced;
  if (announced.length === 0) sfu.completeMigration(session);
  record(sfu, join, session, 'migrated');
  return session;
}

/** REJOIN (or a reused session id): the previous session of the same user is removed as left, wherever it is. */
function removePrevious(sfu: JoinHost, previousSessionId: string, userId: string): void {
  if (!previousSessionId) return;
  const registered = sfu.registry.find(previousSessionId);
  if (!registered || registered.userId !== userId || registered.simulated) return;
  const owner = sfu.allSfus().find((s) => s.id === registered.sfuId);
  const session = owner?.sessions.get(previousSessionId);
  if (owner && session) owner.leave(session, 'replaced-by-rejoin');
}

function restoreSubscriptions(sfu: JoinHost, session: SfuSession, details: Pick<ReconnectDetails, 'subscriptions'> | null | undefined): void {
  const tracks = details?.subscriptions ?? [];
  if (tracks.length === 0) return;
  sfu.records.subscriptions.push({ at: sfu.scheduler.now(), sfuId: sfu.id, sessionId: session.sessionId, tracks });
  sfu.media.setSubscriptions(session.sessionId, tracks);
}

function joinResponse(sfu: JoinHost, session: SfuSession, reconnected: boolean): SfuEventInit {
  const call = sfu.registry.getCall(session.callCid);
  const startedAtMs = call?.createdAtMs ?? session.joinedAtMs;
  return {
    joinResponse: {
      callState: {
        participants: sfu.registry.sessions(session.callCid).map(toParticipant),
        startedAt: { seconds: Math.floor(startedAtMs / 1000), nanos: (startedAtMs % 1000) * 1e6 },
        participantCount: sfu.registry.participantCount(session.callCid),
      },
      reconnected,
      fastReconnectDeadlineSeconds: Math.ceil(sfu.fastReconnectDeadlineSeconds),
      publishOptions: [...EMULATOR_PUBLISH_OPTIONS],
    },
  };
}

function applyRejection(sfu: JoinHost, ws: WebSocket, mode: JoinRejectionMode, join: JoinRequest): void {
  if (mode === 'never-answer') {
    recordRefusal(sfu, join, undefined, 'never-answer');
    return;
  }
  if (mode === 'close-before-join-response') {
    recordRefusal(sfu, join, undefined, mode);
    ws.close(1011, 'emulator: closed before join_response');
    return;
  }
  const event = mode === 'disconnect'
    ? errorEvent(ErrorCode.ERROR_CODE_CALL_NOT_FOUND, `${sfu.id}: no such call any more`, Strategy.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT)
    : errorEvent(ErrorCode.ERROR_CODE_SFU_FULL, `${sfu.id} is full`, Strategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE, true);
  refuse(sfu, ws, join, undefined, event, 1011);
}

function refuse(sfu: JoinHost, ws: WebSocket, join: JoinRequest, claims: SfuTokenClaims | undefined, event: SfuEventInit, closeCode: number): void {
  const message = event.error?.error?.message ?? 'join refused';
  recordRefusal(sfu, join, claims, message);
  sfu.sendToSocket(ws, event);
  ws.close(closeCode, 'join refused');
}

function recordRefusal(sfu: JoinHost, join: JoinRequest, claims: SfuTokenClaims | undefined, detail: string): void {
  sfu.records.joins.push({
    at: sfu.scheduler.now(),
    sfuId: sfu.id,
    sessionId: join.sessionId ?? '',
    userId: claims?.userId ?? '',
    callCid: claims?.callCid ?? '',
    reconnectDetails: decodeDetails(join.reconnectDetails),
    outcome: 'rejected',
    detail,
  });
}

function record(sfu: JoinHost, join: JoinRequest, session: SfuSession, outcome: JoinRecord['outcome']): void {
  const { sessionId, userId, callCid } = session;
  sfu.records.joins.push({ at: sfu.scheduler.now(), sfuId: sfu.id, sessionId, userId, callCid, reconnectDetails: decodeDetails(join.reconnectDetails), outcome });
  sfu.logger.info('participant joined', { sfuId: sfu.id, sessionId, userId, outcome });
}

function decodeDetails(details: ReconnectDetails | null | undefined): RecordedReconnectDetails | undefined {
  if (!details) return undefined;
  return {
    strategy: Strategy[details.strategy ?? 0] ?? String(details.strategy),
    previousSessionId: details.previousSessionId ?? '',
    fromSfuId: details.fromSfuId ?? '',
    reconnectAttempt: details.reconnectAttempt ?? 0,
    reason: details.reason ?? '',
    announcedTracks: details.announcedTracks?.length ?? 0,
    subscriptions: details.subscriptions?.length ?? 0,
  };
}
