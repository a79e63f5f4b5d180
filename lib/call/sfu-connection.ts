/**
 * One joined connection to one SFU: the signaling socket, the Twirp client, and the two peer
 * connections, wired together. A FAST reconnect builds a new one around the same peer connections;
 * REJOIN and MIGRATE build a new one from scratch.
 *
 * Wiring, all one way (frames in → peer connections; local candidates out → Twirp):
 *   events$ subscriber_offer → subscriber.handleOffer
 *   events$ ice_trickle      → publisher/subscriber.addRemoteCandidate
 *   *.localCandidate$        → IceTrickle RPC
 */
import { EMPTY, ReplaySubject, Subscription, catchError, defer, finalize, map, mergeMap, throwError, type Observable, type SchedulerLike } from 'rxjs';
import { PeerType, type JoinResponse, type ReconnectDetails } from '../protocol/index.js';
import { createSignalConnection, type SignalConnection } from '../signaling/index.js';
import { createSignalServerClient, type SignalServerClient } from '../rpc/index.js';
import { createPublisher, createSubscriber, rtcConfiguration, type Publisher, type Subscriber } from '../rtc/index.js';
import type { Credentials } from '../coordinator/index.js';
import type { PeerConfig } from 'werift';
import type { Logger } from '../logger.js';
import { buildJoinRequest } from './join-request.js';

/** Tunables shared by every connection of a call. */
export interface ConnectionSettings {
  rpcEncoding: 'protobuf' | 'json';
  rpcTimeoutMs: number;
  openTimeoutMs: number;
  joinTimeoutMs: number;
  healthCheckIntervalMs: number;
  unhealthyAfterMs: number;
  scheduler: SchedulerLike;
  logger: Logger;
}

export interface SfuConnectionParams {
  credentials: Credentials;
  sessionId: string;
  unifiedSessionId: string;
  reconnectDetails?: ReconnectDetails;
  /** FAST: keep these peer connections and only replace the socket (their RPCs move to the new client). */
  peers?: SfuPeers;
  settings: ConnectionSettings;
}

/**
 * The peer connections of a session and the Twirp client their RPCs go through. A FAST reconnect
 * hands the same peers to a new connection, which points `link.rpc` at its own client.
 */
export interface SfuPeers {
  publisher: Publisher;
  subscriber: Subscriber;
  link: { rpc: SignalServerClient };
}

export interface SfuConnection {
  readonly credentials: Credentials;
  readonly sessionId: string;
  /** The SFU's name (`credentials.server.edge_name`), used for `from_sfu_id` and `migrating_from`. */
  readonly sfuId: string;
  readonly signal: SignalConnection;
  readonly rpc: SignalServerClient;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  /** The peers with their RPC link, to hand to a FAST reconnect. */
  readonly peers: SfuPeers;
  readonly joinResponse: JoinResponse;
  /** Emits (and replays) once the SFU sent `participant_migration_complete` on this connection. */
  readonly migrationComplete$: Observable<void>;
  /**
   * Closes the socket with `code`. With `keepPeers` (a FAST reconnect takes them over) the peer
   * connections stay open; otherwise they and the Twirp client are closed too.
   */
  dispose(code: number, reason: string, keepPeers?: boolean): void;
}

/** Cold: subscribing opens the socket and joins; emits the joined connection once. */
export function connectSfu$(params: SfuConnectionParams): Observable<SfuConnection> {
  return defer(() => {
    const { credentials, settings } = params;
    const log = settings.logger;
    const signal = createSignalConnection({
      url: credentials.server.wsEndpoint,
      openTimeoutMs: settings.openTimeoutMs,
      joinTimeoutMs: settings.joinTimeoutMs,
      healthCheckIntervalMs: settings.healthCheckIntervalMs,
      unhealthyAfterMs: settings.unhealthyAfterMs,
      scheduler: settings.scheduler,
      logger: log,
    });
    const rpc = createSignalServerClient({
      url: credentials.server.url,
      token: credentials.token,
      encoding: settings.rpcEncoding,
      timeoutMs: settings.rpcTimeoutMs,
      scheduler: settings.scheduler,
      logger: log,
    });
    const rtc = rtcConfiguration({ iceServers: credentials.iceServers });
    const sessionId = params.sessionId;
    const peers = params.peers ?? newPeers(rpc, sessionId, rtc, log);
    peers.link.rpc = rpc;
    const { publisher, subscriber } = peers;
    const migrationComplete = new ReplaySubject<void>(1);
    const wiring = wire(signal, rpc, publisher, subscriber, sessionId, log);
    wiring.add(signal.events$.subscribe((event) => {
      if (event.eventPayload === 'participantMigrationComplete') migrationComplete.next();
    }));
    let disposed = false;
    const dispose = (code: number, reason: string, keepPeers = false) => {
      if (disposed) return;
      disposed = true;
      wiring.unsubscribe();
      signal.close(code, reason);
      rpc.close();
      if (!keepPeers) {
        publisher.close();
        subscriber.close();
      }
    };
    const request = buildJoinRequest({
      token: credentials.token,
      sessionId,
      unifiedSessionId: params.unifiedSessionId,
      reconnectDetails: params.reconnectDetails,
    });
    let joined = false;
    return signal.join$(request).pipe(
      map((joinResponse): SfuConnection => {
        joined = true;
        return {
          credentials, sessionId, sfuId: credentials.server.edgeName, signal, rpc, publisher, subscriber, peers, joinResponse,
          migrationComplete$: migrationComplete.asObservable(), dispose,
        };
      }),
      // A failed or abandoned join releases everything it opened, except peers it was lent.
      catchError((err) => {
        dispose(4101, 'join failed', params.peers !== undefined);
        return throwError(() => err);
      }),
      finalize(() => {
        if (!joined) dispose(4101, 'join abandoned', params.peers !== undefined);
      }),
    );
  });
}

function newPeers(rpc: SignalServerClient, sessionId: string, rtc: Partial<PeerConfig>, log: Logger): SfuPeers {
  const link = { rpc };
  const publisher = createPublisher({
    rtc,
    logger: log,
    setPublisher: (req) => link.rpc.setPublisher$({ sdp: req.sdp, sessionId, tracks: req.tracks }).pipe(map((res) => ({ sdp: res.sdp ?? '' }))),
  });
  const subscriber = createSubscriber({
    rtc,
    logger: log,
    sendAnswer: (req) => link.rpc.sendAnswer$({ peerType: PeerType.PEER_TYPE_SUBSCRIBER, sdp: req.sdp, sessionId, negotiationId: req.negotiationId }),
  });
  return { publisher, subscriber, link };
}

function wire(signal: SignalConnection, rpc: SignalServerClient, publisher: Publisher, subscriber: Subscriber, sessionId: string, log: Logger): Subscription {
  const wiring = new Subscription();
  wiring.add(signal.events$.subscribe((event) => {
    if (event.eventPayload === 'subscriberOffer' && event.subscriberOffer) {
      const offer = event.subscriberOffer;
      subscriber.handleOffer({ sdp: offer.sdp ?? '', negotiationId: offer.negotiationId ?? 0, iceRestart: offer.iceRestart ?? false });
    } else if (event.eventPayload === 'iceTrickle' && event.iceTrickle) {
      const target = event.iceTrickle.peerType === PeerType.PEER_TYPE_SUBSCRIBER ? subscriber : publisher;
      target.addRemoteCandidate(event.iceTrickle.iceCandidate ?? '');
    }
  }));
  const trickle = (peerType: PeerType) => (iceCandidate: string) =>
    rpc.iceTrickle$({ peerType, iceCandidate, sessionId }).pipe(
      catchError((err: Error) => {
        log.warn('ice trickle failed', { peerType, error: err.message });
        return EMPTY;
      }),
    );
  wiring.add(publisher.localCandidate$.pipe(mergeMap(trickle(PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED))).subscribe());
  wiring.add(subscriber.localCandidate$.pipe(mergeMap(trickle(PeerType.PEER_TYPE_SUBSCRIBER))).subscribe());
  return wiring;
}

