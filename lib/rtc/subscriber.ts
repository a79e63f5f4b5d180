/**
 * The subscriber connection: the SFU offers (`subscriber_offer`), we answer through the injected
 * `sendAnswer` (Twirp `SendAnswer{peer_type: SUBSCRIBER, negotiation_id}`). Offers are handled one
 * at a time in the ordered signaling queue; an offer that arrives after close is logged and dropped
 * (a late `subscriber_offer` must never crash the process, BEHAVIOUR.md).
 */
import { concat, concatMap, defer, EMPTY, from, ignoreElements, map, Observable, of, Subject, takeUntil, tap } from 'rxjs';
import type { RTCTrackEvent } from 'werift';
import { errorMessage, rxsfuError, type RxsfuError } from '../errors.js';
import { bundleProblem } from './bundle.js';
import { expectTransportUp$, iceChecksStarted, restartIceTransports$ } from './ice-restart.js';
import { asWebrtcError, createPeerCore, type PeerCore } from './peer.js';
import type { PeerOptions, PeerStats } from './peer-options.js';
import type { RemoteTrack } from './remote-track.js';
import { toRemoteTrack } from './werift-remote-track.js';

export interface SubscriberOptions extends PeerOptions {
  /** Sends `SendAnswer{peer_type: SUBSCRIBER, sdp, negotiation_id}` (session id added by the caller). */
  sendAnswer: (request: { sdp: string; negotiationId: number }) => Observable<unknown>;
  /** How long the ICE-transport restart after an `ice_restart` offer (or the recovery of stuck checks) may take. @default 5000 */
  iceRestartTimeoutMs?: number;
}

export interface SubscriberOffer {
  sdp: string;
  negotiationId: number;
  iceRestart: boolean;
}

export interface Subscriber {
  /** Local candidates as RTCIceCandidateInit JSON, for `IceTrickle{peer_type: SUBSCRIBER}`. Completes on close. */
  readonly localCandidate$: Observable<string>;
  /** werift's connectionState, current value first; completes after `closed`. */
  readonly connectionState$: Observable<string>;
  /** werift's ICE connection state; `failed` asks for an ICE restart. */
  readonly iceConnectionState$: Observable<string>;
  /** A value per SRTP/SRTCP packet received (RTP, or the SFU's RTCP reports); completes at close. Liveness (issue 13). */
  readonly mediaHeard$: Observable<void>;
  /** Live remote tracks first (on subscribe), then each new one. Completes on close. */
  readonly remoteTrack$: Observable<RemoteTrack>;
  /** Each offer that could not be answered (RXSFU_ERR_WEBRTC, or the `sendAnswer` error). Completes on close. */
  readonly negotiationError$: Observable<RxsfuError>;
  /** One value when werift finished closing (after `close()`). */
  readonly closed$: Observable<void>;
  /** Queues the offer; after close it is logged and ignored. Never throws for a bad SDP: see `negotiationError$`. */
  handleOffer(offer: SubscriberOffer): void;
  /** A remote candidate (`ice_trickle` for SUBSCRIBER); waits for the offer it belongs to. Never throws: one that does not parse is logged and dropped. */
  addRemoteCandidate(json: string): void;
  /**
   * R16 (issue 13): when this connection's ICE checks started but it never connected (a network cut
   * during its setup: werift then waits on dead checks for good), waits until the transport is up or
   * a packet arrives, which the SFU's ICE-restart offer after a FAST join brings about;
   * RXSFU_ERR_WEBRTC after `iceRestartTimeoutMs`. Otherwise completes at once.
   */
  recoverStuckIce$(): Observable<never>;
  /** This peer connection's werift stats as plain objects; cold, one value (a werift failure is RXSFU_ERR_WEBRTC). */
  stats$(): Observable<PeerStats>;
  /** Idempotent and synchronous; never waits on werift. */
  close(): void;
}

/** setRemoteDescription(offer) → answer → sendAnswer → candidates out (→ ICE workaround on restart). */
function answer$(core: PeerCore, options: SubscriberOptions, offer: SubscriberOffer): Observable<void> {
  const { pc, logger } = core;
  return defer(() => {
    core.holdLocalCandidates();
    return core.setRemoteDescription$('offer', offer.sdp);
  }).pipe(
    concatMap(() => core.setLocalDescription$('answer')),
    tap((sdp) => logger.debug?.('subscriber: sending answer', { bytes: sdp.length, negotiationId: offer.negotiationId })),
    concatMap((sdp) => options.sendAnswer({ sdp, negotiationId: offer.negotiationId })),
    tap(() => core.releaseLocalCandidates()),
    // Same werift bug as on the publisher (WERIFT.md pitfall 4): without this, media stays away.
    concatMap(() =>
      offer.iceRestart ? restartIceTransports$(pc, logger, options.iceRestartTimeoutMs ?? 5000, core.scheduler) : of(undefined),
    ),
    map(() => undefined),
  );
}

/** `Subscriber.recoverStuckIce$`: nothing unless the checks started and never connected. */
function stuckIceRecovery$(core: PeerCore, options: SubscriberOptions): Observable<never> {
  return defer(() => {
    if (!iceChecksStarted(core.pc)) return EMPTY;
    core.logger.debug?.('subscriber: ICE checks started but never connected, waiting for the SFU\'s ICE restart');
    return expectTransportUp$(core.pc, options.iceRestartTimeoutMs ?? 5000, core.scheduler);
  }).pipe(ignoreElements());
}

export function createSubscriber(options: SubscriberOptions): Subscriber {
  const core = createPeerCore(options, 'subscriber');
  const { pc, queue, logger } = core;
  const live = new Set<RemoteTrack>();
  const added = new Subject<RemoteTrack>();
  const negotiationErrors = new Subject<RxsfuError>();

  // werift's `track` event (not `onTrack`) carries the streams, whose id names participant and type.
  const onTrackEvent = (event: RTCTrackEvent): void => {
    const remote = toRemoteTrack(event, core.closing$);
    live.add(remote);
    remote.ended$.subscribe(() => live.delete(remote));
    logger.debug?.('subscriber: remote track', { streamId: remote.streamId, kind: remote.kind });
    added.next(remote);
  };
  pc.on('track', onTrackEvent);
  core.closing$.subscribe(() => {
    pc.off('track', onTrackEvent);
    added.complete();
    negotiationErrors.complete();
  });

  const remoteTrack$ = defer(() => concat(from([...live]), added)).pipe(takeUntil(core.closing$));

  function handleOffer(offer: SubscriberOffer): void {
    if (core.isClosed()) {
      logger.warn?.('subscriber: offer after close ignored', { negotiationId: offer?.negotiationId });
      return;
    }
    if (typeof offer?.sdp !== 'string' || offer.sdp.length === 0) {
      negotiationErrors.next(rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'subscriber offer without an SDP'));
      return;
    }
    const unbundled = bundleProblem(offer.sdp);
    if (unbundled) {
      negotiationErrors.next(rxsfuError('RXSFU_ERR_WEBRTC', `subscriber offer refused (max-bundle): ${unbundled}`));
      return;
    }
    queue.run$('subscriber offer', () => answer$(core, options, offer).pipe(core.withinNegotiation('subscriber answer'))).subscribe({
      error: (err: unknown) => {
        if (core.isClosed()) {
          logger.debug?.('subscriber: offer abandoned on close', { negotiationId: offer.negotiationId });
          return;
        }
        logger.warn?.('subscriber: offer failed', { negotiationId: offer.negotiationId, reason: errorMessage(err) });
        negotiationErrors.next(asWebrtcError('subscriber offer', err));
      },
    });
  }

  return {
    localCandidate$: core.localCandidate$,
    connectionState$: core.connectionState$,
    iceConnectionState$: core.iceConnectionState$,
    mediaHeard$: core.mediaHeard$,
    remoteTrack$,
    negotiationError$: negotiationErrors.asObservable(),
    closed$: core.closed$,
    handleOffer,
    addRemoteCandidate: core.addRemoteCandidate,
    recoverStuckIce$: () => stuckIceRecovery$(core, options),
    stats$: core.stats$,
    close: core.close,
  };
}
