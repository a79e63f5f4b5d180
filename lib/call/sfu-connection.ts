/**
 * One joined connection to one SFU: the signaling socket, the Twirp client, and the two peer
 * connections, wired together. A FAST reconnect builds a new one around the same peer connections;
 * REJOIN and MIGRATE build a new one from scratch.
 *
 * `connectSfu$` is four named steps: open (socket + Twirp client), join (JoinRequest →
 * join_response), attach peers (new ones, or a FAST reconnect's rebound to the new Twirp client),
 * and release (a failed or abandoned join closes what it opened).
 *
 * Wiring, all one way (frames in → peer connections; local candidates out → Twirp):
 *   events$ subscriber_offer → subscriber.handleOffer
 *   events$ ice_trickle      → publisher/subscriber.addRemoteCandidate
 *   *.localCandidate$        → IceTrickle RPC
 */
import { EMPTY, ReplaySubject, Subscription, catchError, defer, filter, map, merge, mergeMap, switchAll, switchMap, type Observable, type SchedulerLike } from 'rxjs';
import { PeerType, type JoinResponse, type ReconnectDetails, type SfuEvent } from '../protocol/index.js';
import { SignalCloseCode, createSignalConnection, type SignalConnection } from '../signaling/index.js';
import { createSignalServerClient, type SignalServerClient } from '../rpc/index.js';
import { genericSdps$ } from '../rtc/generic-sdp.js';
import type { Publisher } from '../rtc/publisher.js';
import type { Subscriber } from '../rtc/subscriber.js';
import { acceptPublishOptions, activeVideo, type PublishOption } from '../rtc/publish-options.js';
import type { Credentials } from '../coordinator/index.js';
import type { Logger } from '../logger.js';
import { buildJoinRequest } from './join-request.js';
import { backlogged } from './backlog.js';
import { releaseUntilFirstValue } from './release-until-first-value.js';
import { createSfuPeers, type SfuPeers } from './sfu-peers.js';

export type { SfuPeers } from './sfu-peers.js';

/** Tunables shared by every connection of a call. */
export interface ConnectionSettings {
  rpcEncoding: 'protobuf' | 'json';
  rpcTimeoutMs: number;
  openTimeoutMs: number;
  joinTimeoutMs: number;
  healthCheckIntervalMs: number;
  unhealthyAfterMs: number;
  /** Signaling and media (RTP/RTCP on either peer) silent together this long is a loss (`network-dead`); 0 disables. */
  networkDeadAfterMs: number;
  /** A negotiated peer not `connected` this long while joined is a trigger (J2); 0 disables. */
  peerConnectTimeoutMs: number;
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

export interface SfuConnection {
  readonly credentials: Credentials;
  readonly sessionId: string;
  /** The SFU's name (`credentials.server.edge_name`), used for `from_sfu_id` and `migrating_from`. */
  readonly sfuId: string;
  readonly signal: SignalConnection;
  readonly rpc: SignalServerClient;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  /** The peers, to hand to a FAST reconnect (`SfuPeers.rebind`). */
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
    const transport = openTransport(params);
    return joinResponse$(transport, params).pipe(
      map((joinResponse) => attachPeers(transport, joinResponse, params)),
      // A failed or abandoned join releases everything it opened; lent peers stay with their owner
      // (they are attached only once joined).
      releaseUntilFirstValue((failed) => transport.close(SignalCloseCode.JOIN_FAILED, failed ? 'join failed' : 'join abandoned')),
    );
  });
}

/** Step 1 (open): the socket and Twirp client of one connection, and what listens to them. */
interface Transport {
  readonly signal: SignalConnection;
  readonly rpc: SignalServerClient;
  /** Listeners on the socket's frames; ended by `close`. */
  readonly wiring: Subscription;
  readonly migrationComplete: ReplaySubject<void>;
  /** The peers' inbound packets, once they are attached: the signaling's media liveness input. */
  readonly peersHeard: ReplaySubject<Observable<void>>;
  /** Closes socket and Twirp client with `code`; idempotent (a second close changes nothing). */
  close(code: number, reason: string): void;
}

function openTransport({ credentials, settings }: SfuConnectionParams): Transport {
  // The signaling opens before the peers exist (a new connection makes them at join_response).
  const peersHeard = new ReplaySubject<Observable<void>>(1);
  const signal = createSignalConnection({
    url: credentials.server.wsEndpoint,
    openTimeoutMs: settings.openTimeoutMs,
    joinTimeoutMs: settings.joinTimeoutMs,
    healthCheckIntervalMs: settings.healthCheckIntervalMs,
    unhealthyAfterMs: settings.unhealthyAfterMs,
    mediaHeard$: peersHeard.pipe(switchAll()),
    networkDeadAfterMs: settings.networkDeadAfterMs,
    scheduler: settings.scheduler,
    logger: settings.logger,
  });
  const rpc = createSignalServerClient({
    url: credentials.server.url,
    token: credentials.token,
    encoding: settings.rpcEncoding,
    timeoutMs: settings.rpcTimeoutMs,
    scheduler: settings.scheduler,
    logger: settings.logger,
  });
  const migrationComplete = new ReplaySubject<void>(1);
  const wiring = new Subscription();
  wiring.add(signal.events$.subscribe((event) => {
    if (event.eventPayload === 'participantMigrationComplete') migrationComplete.next();
  }));
  // Each part's close is idempotent, so the transport's is too.
  const close = (code: number, reason: string) => {
    wiring.unsubscribe();
    signal.close(code, reason);
    rpc.close();
  };
  return { signal, rpc, wiring, migrationComplete, peersHeard, close };
}

/** Step 2 (join): the JoinRequest (with our generic SDPs) and the SFU's `join_response`. */
function joinResponse$(transport: Transport, params: SfuConnectionParams): Observable<JoinResponse> {
  return genericSdps$().pipe(
    switchMap((sdps) => transport.signal.join$(buildJoinRequest({
      token: params.credentials.token,
      sessionId: params.sessionId,
      unifiedSessionId: params.unifiedSessionId,
      reconnectDetails: params.reconnectDetails,
      ...sdps,
    }))),
  );
}

/**
 * Step 3 (attach peers), at `join_response`: peer connections are made (or a FAST reconnect's are
 * rebound to this Twirp client) only once the SFU accepted us, so a refused or abandoned join
 * opens no UDP socket. It runs synchronously at join_response, so the peers exist before the next
 * frame (the subscriber_offer) is delivered, and frames are delivered one per socket message, so
 * the backlog loses nothing in between.
 */
function attachPeers(transport: Transport, joinResponse: JoinResponse, params: SfuConnectionParams): SfuConnection {
  const { credentials, sessionId, settings } = params;
  const { signal, rpc, wiring } = transport;
  const events$ = backlogged(signal.events$, wiring);
  const peers = params.peers ?? createSfuPeers(rpc, sessionId, credentials.iceServers, settings.logger, settings.iceLoopbackOnly);
  peers.rebind(rpc);
  transport.peersHeard.next(merge(peers.publisher.mediaHeard$, peers.subscriber.mediaHeard$));
  wiring.add(wire(signal, rpc, peers, sessionId, settings.logger));
  wiring.add(followPublishOptions(signal, peers.publisher, joinResponse.publishOptions ?? [], settings.logger));
  return {
    credentials, sessionId, sfuId: credentials.server.edgeName, signal, rpc,
    publisher: peers.publisher, subscriber: peers.subscriber, peers, joinResponse, events$,
    migrationComplete$: transport.migrationComplete.asObservable(),
    // Step 4 (release) of a joined connection. Two steps, because a FAST reconnect closes the socket
    // but keeps the peers; if that reconnect is then abandoned, a second dispose closes the peers.
    dispose: (code, reason, keepPeers = false) => {
      transport.close(code, reason);
      if (!keepPeers) peers.close();
    },
  };
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

function wire(signal: SignalConnection, rpc: SignalServerClient, peers: SfuPeers, sessionId: string, log: Logger): Subscription {
  const { publisher, subscriber } = peers;
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
  const fresh = (peer: 'pub' | 'sub') => filter((candidate: string) => peers.firstTrickle(peer, candidate));
  wiring.add(publisher.localCandidate$.pipe(fresh('pub'), mergeMap(trickle(PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED))).subscribe());
  wiring.add(subscriber.localCandidate$.pipe(fresh('sub'), mergeMap(trickle(PeerType.PEER_TYPE_SUBSCRIBER))).subscribe());
  return wiring;
}

