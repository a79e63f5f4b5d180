/**
 * The three strategies (and the ICE restart) as chains of named steps, each an Observable the
 * reconnection engine subscribes to once per attempt (docs/RECONNECT.md, "Executors").
 * Unsubscribing abandons the attempt: `connectSfu$` closes whatever it opened.
 */
import { randomUUID } from 'node:crypto';
import {
  EMPTY, catchError, concat, defer, filter, finalize, ignoreElements, map, merge, mergeMap, of, switchMap, take, throwError, timeout, timer,
  type Observable, type Subscription,
} from 'rxjs';
import { rxsfuError, type RxsfuError } from '../../errors.js';
import { ErrorCode, PeerType, WebsocketReconnectStrategy, type ReconnectDetails } from '../../protocol/index.js';
import type { AttemptContext, JoinedInfo, PeerSide, ReconnectExecutors } from '../index.js';
import { fromCallEnded, fromSfuError, withSfuId } from '../index.js';
import { callEndedError } from '../failed-error.js';
import { credentials$, type CallTarget } from '../../call/credentials.js';
import { SignalCloseCode } from '../../signaling/index.js';
import type { LocalTracks } from '../../call/local-tracks.js';
import { connectSfu$, type ConnectionSettings, type SfuConnection } from '../../call/sfu-connection.js';
import { networkProbe$, pathsHeard$ } from './probe.js';

/** What the executors need from the call. */
export interface ReconnectHost {
  readonly target: CallTarget;
  readonly settings: ConnectionSettings;
  readonly unifiedSessionId: string;
  /** The connection in use now. */
  current(): SfuConnection;
  /** The full subscription list now (for `reconnect_details.subscriptions`). */
  subscriptions(): ReconnectDetails['subscriptions'];
  /** Makes `conn` current (state, subscriptions and remote tracks follow it). */
  adopt(conn: SfuConnection): void;
  /** The call's local tracks: re-created on a new publisher, dropped from one being closed. */
  readonly localTracks: Pick<LocalTracks, 'republish$' | 'dropPublisher'>;
  /** Whether leave() has begun (set before anything is closed). */
  leaving(): boolean;
  /** Keeps `work` running until leave (retiring an old connection outlives the attempt). */
  keep(work: Subscription): void;
  /** How long MIGRATE waits for `participant_migration_complete`. */
  migrationTimeoutMs: number;
}

export function createReconnectExecutors(host: ReconnectHost): ReconnectExecutors {
  const logged = <T>(name: string, attempt$: Observable<T>) => attempt$.pipe(
    catchError((err: Error & { code?: string }) => {
      host.settings.logger.warn('reconnect attempt failed', { strategy: name, code: err.code, error: err.message });
      return throwError(() => err);
    }),
  );
  return {
    fast: (ctx) => logged('fast', fast$(host, ctx)),
    rejoin: (ctx) => logged('rejoin', rejoin$(host, ctx)),
    migrate: (ctx) => logged('migrate', migrate$(host, ctx)),
    iceRestart: (peer) => logged(`ice-restart ${peer}`, iceRestart$(host, peer)),
    probe: () => networkProbe$(host.target, () => host.current()?.credentials),
    networkHeard$: () => pathsHeard$(() => host.current()),
  };
}

const joinedInfo = (conn: SfuConnection): JoinedInfo => ({
  sfuId: conn.sfuId,
  fastReconnectDeadlineSeconds: conn.joinResponse.fastReconnectDeadlineSeconds ?? 0,
});

function details(host: ReconnectHost, ctx: AttemptContext, strategy: WebsocketReconnectStrategy, old: SfuConnection): ReconnectDetails {
  return {
    strategy,
    announcedTracks: old.publisher.announcedTracks(),
    subscriptions: host.subscriptions(),
    reconnectAttempt: ctx.reconnectAttempt,
    fromSfuId: old.sfuId,
    reason: ctx.reason,
  };
}

/**
 * FAST: same session, token and peer connections; a new socket (the old one closed with 4100),
 * then an ICE restart of the publisher with a check that media flows again, and of a subscriber
 * whose checks started but never connected (R16).
 */
function fast$(host: ReconnectHost, ctx: AttemptContext): Observable<JoinedInfo> {
  return defer(() => {
    const old = host.current();
    old.dispose(SignalCloseCode.DISPOSE, 'fast reconnect', true);
    return connectSfu$({
      credentials: old.credentials,
      sessionId: old.sessionId,
      unifiedSessionId: host.unifiedSessionId,
      reconnectDetails: details(host, ctx, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_FAST, old),
      peers: old.peers,
      settings: host.settings,
    }).pipe(
      switchMap((conn) => {
        // R16 first: adopting subscribes the call to this connection's loss, which may replay at once.
        ctx.adopted(joinedInfo(conn));
        host.adopt(conn);
        const restart$ = conn.publisher.announcedTracks().length > 0 ? conn.publisher.restartIce$() : EMPTY;
        // R16: a subscriber whose checks a cut caught before it ever connected stays dead on werift
        // until an offer with fresh ICE credentials comes. The SFU sends one after every FAST join
        // (the official client relies on it, docs/RECONNECT.md R16): wait for it to connect.
        const subscriber$ = conn.subscriber.recoverStuckIce$();
        return concat(merge(restart$, subscriber$).pipe(ignoreElements()), of(joinedInfo(conn)));
      }),
      catchError((err) => throwError(() => withSfuId(staleTokenAsRejoin(err), old.sfuId))),
    );
  });
}

/**
 * FAST reuses the SFU token, which may have expired since the join: the SFU then refuses the join
 * (ERROR_CODE_UNAUTHENTICATED) or a Twirp call (401). That is no reason to end the call: the error
 * asks for REJOIN, which gets fresh credentials from the coordinator (R4).
 */
function staleTokenAsRejoin(err: RxsfuError): RxsfuError {
  const refused = err.code === 'RXSFU_ERR_UNAUTHORIZED' ||
    (err.code === 'RXSFU_ERR_JOIN_REJECTED' && err.sfuErrorCode === ErrorCode.ERROR_CODE_UNAUTHENTICATED);
  if (!refused) return err;
  return rxsfuError('RXSFU_ERR_JOIN_REJECTED', `the SFU refused our token during FAST (${err.message}): REJOIN for fresh credentials`, {
    reconnectStrategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN,
    ...(err.sfuErrorCode !== undefined ? { sfuErrorCode: err.sfuErrorCode } : {}),
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    cause: err,
  });
}

/**
 * REJOIN: new credentials from the coordinator, a new session id naming the old one, new peer
 * connections, tracks re-published in their original order; subscriptions follow from the call's
 * standing pipeline (one full UpdateSubscriptions on the new connection).
 */
function rejoin$(host: ReconnectHost, ctx: AttemptContext): Observable<JoinedInfo> {
  return defer(() => {
    const old = host.current();
    // The old session is released first: its peers carry nothing useful any more.
    old.dispose(SignalCloseCode.DISPOSE, 'rejoin');
    return credentials$(host.target, { migratingFromList: [...ctx.migratingFromList], reconnecting: true }).pipe(
      switchMap((credentials) => connectSfu$({
        credentials,
        sessionId: randomUUID(),
        unifiedSessionId: host.unifiedSessionId,
        reconnectDetails: {
          ...details(host, ctx, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, old),
          previousSessionId: old.sessionId,
        },
        settings: host.settings,
      }).pipe(catchError((err) => throwError(() => withSfuId(err, credentials.server.edgeName))))),
      switchMap((conn) => {
        ctx.adopted(joinedInfo(conn));
        host.adopt(conn);
        return concat(host.localTracks.republish$(conn).pipe(ignoreElements()), of(joinedInfo(conn)));
      }),
    );
  });
}

/**
 * MIGRATE: the coordinator picks another SFU (`migrating_from`); same session id; the old peer
 * connections keep carrying media until the SFU being left says `participant_migration_complete`,
 * on the OLD socket (where Stream's SFU sends it and the official client listens).
 */
function migrate$(host: ReconnectHost, ctx: AttemptContext): Observable<JoinedInfo> {
  return defer(() => {
    const old = host.current();
    if (host.target.credentials) {
      return throwError(() => rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'MIGRATE needs the coordinator; this call was joined with fixed credentials'));
    }
    const avoid = [...new Set([...ctx.migratingFromList, old.sfuId])];
    let adopted = false;
    return credentials$(host.target, { migratingFrom: old.sfuId, migratingFromList: avoid, reconnecting: true }).pipe(
      switchMap((credentials) => connectSfu$({
        credentials,
        sessionId: old.sessionId,
        unifiedSessionId: host.unifiedSessionId,
        reconnectDetails: details(host, ctx, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE, old),
        settings: host.settings,
      }).pipe(catchError((err) => throwError(() => withSfuId(err, credentials.server.edgeName))))),
      // R13: while the call still listens to the old connection, a call's end said on the new one
      // (`call_ended`, DISCONNECT) fails the attempt finally, so the call ends `left` all the same.
      switchMap((conn) => merge(concat(host.localTracks.republish$(conn).pipe(ignoreElements()), old.migrationComplete$), callOverOn$(conn)).pipe(
        take(1),
        timeout({
          first: host.migrationTimeoutMs,
          scheduler: host.settings.scheduler,
          with: () => throwError(() => rxsfuError('RXSFU_ERR_MIGRATION_TIMEOUT', `no participant_migration_complete in ${host.migrationTimeoutMs} ms`)),
        }),
        map(() => {
          ctx.adopted(joinedInfo(conn));
          host.adopt(conn);
          adopted = true;
          retire(host, old);
          return joinedInfo(conn);
        }),
        // A migration that did not complete (error, timeout, leave, deadline) must leave nothing of
        // the new connection behind: socket, peers, and the local tracks' writes to its publisher.
        finalize(() => {
          if (!adopted) abandon(host, conn);
        }),
      )),
    );
  });
}

/**
 * RXSFU_ERR_CALL_ENDED as soon as `conn`'s SFU says the call is over (`call_ended`, or an `error`
 * with DISCONNECT), read from the raw frames so the connection's backlog stays for the call.
 */
function callOverOn$(conn: SfuConnection): Observable<never> {
  return conn.signal.events$.pipe(
    map((event) => (event.callEnded ? fromCallEnded(event.callEnded) : event.error ? fromSfuError(event.error) : undefined)),
    filter((request) => request?.strategy === 'disconnect'),
    take(1),
    mergeMap((request) => throwError(() => callEndedError(request!.cause, request!.detail))),
  );
}

/** ICE restart of one peer: the publisher restarts itself; the subscriber asks the SFU to re-offer. */
function iceRestart$(host: ReconnectHost, peer: PeerSide): Observable<unknown> {
  return defer(() => {
    const conn = host.current();
    if (peer === 'publisher') return conn.publisher.restartIce$();
    // The SFU answers with a `subscriber_offer` carrying new ICE credentials.
    return conn.rpc.iceRestart$({ sessionId: conn.sessionId, peerType: PeerType.PEER_TYPE_SUBSCRIBER });
  });
}


/**
 * MIGRATE: the old connection keeps carrying media both ways until the new subscriber delivers its
 * first packet (or `retireAfterMs` passed), so the move has no gap; then it is closed and local
 * tracks stop writing to its publisher.
 */
function retire(host: ReconnectHost, old: SfuConnection, retireAfterMs = 3000): void {
  const done = () => {
    host.localTracks.dropPublisher(old);
    old.dispose(SignalCloseCode.DISPOSE, 'migrated');
  };
  const current = host.current();
  const firstPacket$ = current !== old ? current.subscriber.remoteTrack$.pipe(mergeMap((track) => track.rtp$), take(1)) : EMPTY;
  host.keep(merge(firstPacket$, timer(retireAfterMs, host.settings.scheduler)).pipe(take(1), finalize(done)).subscribe());
}

/** Closes a connection a MIGRATE opened but never completed, and stops writing to its publisher. */
function abandon(host: ReconnectHost, conn: SfuConnection): void {
  host.localTracks.dropPublisher(conn);
  // Abandoned by leave(): the new SFU already holds our session, so tell it we are gone (else it
  // keeps a ghost until its FAST deadline). Otherwise a retry will replace it.
  if (host.leaving()) {
    try {
      conn.signal.send({ leaveCallRequest: { sessionId: conn.sessionId, reason: 'leaving during a migration' } });
    } catch {
      // Its socket is gone already.
    }
    conn.dispose(SignalCloseCode.LEAVE, 'leave');
  } else {
    conn.dispose(SignalCloseCode.DISPOSE, 'migration abandoned');
  }
}
