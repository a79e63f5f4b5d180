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
import { EMPTY, ReplaySubject, Subscription, catchError, defer, filter, finalize, map, mergeMap, switchMap, throwError, type Observable, type SchedulerLike } from 'rxjs';
import { PeerType, type JoinResponse, type ReconnectDetails, type SfuEvent } from '../protocol/index.js';
import { createSignalConnection, type SignalConnection } from '../signaling/index.js';
import { createSignalServerClient, type SignalServerClient } from '../rpc/index.js';
import { createPublisher, createSubscriber, genericSdps$, rtcConfiguration, type Publisher, type Subscriber } from '../rtc/index.js';
import { acceptPublishOptions, activeVideo, type PublishOption } from '../rtc/publish-options.js';
import type { Credentials } from '../coordinator/index.js';
import type { PeerConfig } from 'werift';
import type { Logger } from '../logger.js';
import { buildJoinRequest } from './join-request.js';
import { backlogged } from './backlog.js';

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
  /** Gather ICE on loopback only (a local emulator); otherwise on the host's addresses. */
  iceLoopbackOnly: boolean;
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
  link: { rpc: SignalServerClient; /** Candidates already trickled: a FAST rewire does not resend rtc's replay of them. */ trickled: Set<string> };
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
  /**
   * The SFU's events after `join_response`. Events that arrive before the first subscriber (a
   * MIGRATE adopts its connection only once the migration completes) are kept and delivered first,
   * so no `participant_joined`, `error` or `call_ended` falls in the gap.
   */
  readonly events$: Observable<SfuEvent>;
  /**
   * Emits (and replays) once this SFU sent `participant_migration_complete`: the migration AWAY
   * from this connection completed. Stream's SFU says it on the socket being left, never on the
   * new one (the official client listens with the old signaling client's tag).
   */
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
    const sessionId = params.sessionId;
    const migrationComplete = new ReplaySubject<void>(1);
    const wiring = new Subscription();
    wiring.add(signal.events$.subscribe((event) => {
      if (event.eventPayload === 'participantMigrationComplete') migrationComplete.next();
    }));
    // Peer connections are made (or taken over) only once the SFU accepted us: a refused or
    // abandoned join then opens no UDP socket at all. join_response is handled synchronously, so
    // they exist before the next frame (the subscriber_offer) is delivered.
    let peers: SfuPeers | undefined;
    let socketClosed = false;
    // Two steps, because a FAST reconnect closes the socket but keeps the peers; if that reconnect
    // is then abandoned (leave), the peers are closed by a second dispose without `keepPeers`.
    const dispose = (code: number, reason: string, keepPeers = false) => {
      if (!socketClosed) {
        socketClosed = true;
        wiring.unsubscribe();
        signal.close(code, reason);
        rpc.close();
      }
      if (peers && !keepPeers) {
        peers.publisher.close();
        peers.subscriber.close();
      }
    };
    let joined = false;
    return genericSdps$().pipe(
      switchMap((sdps) => signal.join$(buildJoinRequest({
        token: credentials.token,
        sessionId,
        unifiedSessionId: params.unifiedSessionId,
        reconnectDetails: params.reconnectDetails,
        ...sdps,
      }))),
      map((joinResponse): SfuConnection => {
        joined = true;
        // Frames are delivered one per socket message, so nothing is lost between here and the
        // backlog subscription below.
        const events$ = backlogged(signal.events$, wiring);
        peers = params.peers ?? newPeers(rpc, sessionId, rtcConfiguration({ iceServers: credentials.iceServers, loopbackOnly: settings.iceLoopbackOnly }), log);
        peers.link.rpc = rpc;
        wiring.add(wire(signal, rpc, peers, sessionId, log, joinResponse.publishOptions ?? []));
        return {
          credentials, sessionId, sfuId: credentials.server.edgeName, signal, rpc,
          publisher: peers.publisher, subscriber: peers.subscriber, peers, joinResponse, events$,
          migrationComplete$: migrationComplete.asObservable(), dispose,
        };
      }),
      // A failed or abandoned join releases everything it opened; lent peers stay with their owner.
      catchError((err) => {
        dispose(4101, 'join failed');
        return throwError(() => err);
      }),
      finalize(() => {
        if (!joined) dispose(4101, 'join abandoned');
      }),
    );
  });
}

function newPeers(rpc: SignalServerClient, sessionId: string, rtc: Partial<PeerConfig>, log: Logger): SfuPeers {
  const link = { rpc, trickled: new Set<string>() };
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

/**
 * The SFU's publish options for this connection's publisher: those of the JoinResponse, then each
 * `change_publish_options` (a codec we cannot produce is refused and logged; an accepted change is
 * announced with a new SetPublisher), and `change_publish_quality` (a video track whose layers are
 * all off stops sending until one is on again).
 */
function followPublishOptions(signal: SignalConnection, publisher: Publisher, initial: readonly PublishOption[], log: Logger): Subscription {
  let current: readonly PublishOption[] = initial;
  publisher.setPublishOptions(current);
  return signal.events$.subscribe((event) => {
    if (event.eventPayload === 'changePublishOptions' && event.changePublishOptions) {
      const { options, refused } = acceptPublishOptions(current, event.changePublishOptions.publishOptions ?? []);
      for (const reason of refused) log.warn('change_publish_options refused', { reason });
      if (options.length === current.length && options.every((o, i) => o === current[i])) return;
      current = options;
      publisher.setPublishOptions(current);
      if (publisher.announcedTracks().length > 0) {
        publisher.negotiate$().subscribe({ error: (err: Error) => log.warn('renegotiation for new publish options failed', { error: err.message }) });
      }
    } else if (event.eventPayload === 'changePublishQuality' && event.changePublishQuality) {
      for (const [trackType, sending] of activeVideo(event.changePublishQuality)) publisher.setSending(trackType, sending);
    }
  });
}

function wire(signal: SignalConnection, rpc: SignalServerClient, peers: SfuPeers, sessionId: string, log: Logger, publishOptions: readonly PublishOption[]): Subscription {
  const { publisher, subscriber, link } = peers;
  const wiring = new Subscription();
  wiring.add(followPublishOptions(signal, publisher, publishOptions, log));
  wiring.add(signal.events$.subscribe((event) => {
    if (event.eventPayload === 'subscriberOffer' && event.subscriberOffer) {
      const offer = event.subscriberOffer;
      subscriber.handleOffer({ sdp: offer.sdp ?? '', negotiationId: offer.negotiationId ?? 0, iceRestart: offer.iceRestart ?? false });
    } else if (event.eventPayload === 'iceTrickle' && event.iceTrickle) {
      const target = event.iceTrickle.peerType === PeerType.PEER_TYPE_SUBSCRIBER ? subscriber : publisher;
      target.addRemoteCandidate(event.iceTrickle.iceCandidate ?? '');
    }
  }));
  // The SFU re-offers on its own schedule; a failed answer is logged, and a lasting failure shows up
  // as stalled media or a failed peer, which the reconnection engine handles.
  wiring.add(subscriber.negotiationError$.subscribe((err) => log.warn('subscriber offer not answered', { error: err.message })));
  const trickle = (peerType: PeerType) => (iceCandidate: string) =>
    rpc.iceTrickle$({ peerType, iceCandidate, sessionId }).pipe(
      catchError((err: Error) => {
        log.warn('ice trickle failed', { peerType, error: err.message });
        return EMPTY;
      }),
    );
  const fresh = (peer: string) => filter((candidate: string) => {
    const key = `${peer}|${candidate}`;
    if (link.trickled.has(key)) return false;
    link.trickled.add(key);
    return true;
  });
  wiring.add(publisher.localCandidate$.pipe(fresh('pub'), mergeMap(trickle(PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED))).subscribe());
  wiring.add(subscriber.localCandidate$.pipe(fresh('sub'), mergeMap(trickle(PeerType.PEER_TYPE_SUBSCRIBER))).subscribe());
  return wiring;
}

