/**
 * The ICE-restart workaround for werift (shared/reference/WERIFT.md, pitfall 4) and the check that
 * the restarted transport really works. Between two werift peers an ICE restart negotiates new
 * credentials and `connectionState` stays `connected`, but no packet flows: werift's `connect()`
 * returns early because DTLS is already up, so the ICE transport never runs its checks with the new
 * credentials. Starting each such ICE transport by hand brings media back.
 *
 * `connectionState` says nothing here, so the check uses two other signals:
 * - a packet arriving after the restart: RTCP (receiver reports come back every 0.5–1.5 s on a
 *   sending connection, sender reports on a receiving one) or RTP;
 * - the ICE transports themselves: an ICE restart drops werift's selected candidate pair, and a new
 *   one is selected only once a STUN check with the new credentials was answered, so a transport
 *   with a selected pair after the restart (and its DTLS up) has proved the new path works.
 *   (`iceTransport.state` is useless here: it stays `completed` through the restart.)
 * While we are sending, only a packet counts (the SFU answers media with RTCP; silence means the
 * restart left media dead). An idle publisher gets no RTCP at all (a voice agent between two
 * utterances), so for it the ICE proof is enough.
 */
import { combineLatest, concatMap, defer, forkJoin, map, merge, Observable, of, race, take, tap, timeout, filter, startWith, type SchedulerLike } from 'rxjs';
import type { RTCDtlsTransport, RTCIceTransport, RTCPeerConnection } from 'werift';
import { errorMessage, rxsfuError } from '../errors.js';
import { werift$ } from './peer.js';
import { fromWeriftEvent } from './werift-event.js';
import type { RtcLogger } from './rtc-logger.js';
import type { IceRestartOptions } from './peer-options.js';

/**
 * The transports werift will not restart by itself: those whose DTLS is already up (WERIFT.md
 * pitfall 4). A transport that never connected is left alone: werift's own `connect()` after the
 * answer starts its ICE and DTLS, and starting it a second time would only wait behind that.
 */
function establishedTransports(pc: RTCPeerConnection): RTCDtlsTransport[] {
  return pc.dtlsTransports.filter((dtls) => dtls.state === 'connected');
}

/**
 * werift drops the selected pair when the ICE credentials change and selects one again only after
 * a STUN check with the new credentials succeeded; its `state` meanwhile still says `completed`.
 */
function hasSelectedPair(ice: RTCIceTransport): boolean {
  return ice.getSelectedCandidatePair() !== null;
}

/** True once any transport of `pc` finished DTLS: from then on, an ICE restart needs the workaround. */
export function hasConnected(pc: RTCPeerConnection): boolean {
  return establishedTransports(pc).length > 0;
}

/**
 * True when a transport that never connected has started its ICE checks (state `checking`,
 * `failed` or `disconnected`). werift never gives up on such checks once they all failed (the
 * transport stays `checking` and any later `start()` waits behind the first one), so a path cut
 * during the connection's setup leaves it dead for good: only an ICE restart (new credentials, a
 * fresh start) revives it. A transport still `new` (no answer yet) starts by itself after the next answer.
 */
export function iceChecksStarted(pc: RTCPeerConnection): boolean {
  return pc.dtlsTransports.some((dtls) => dtls.state !== 'connected' && ['checking', 'failed', 'disconnected'].includes(dtls.iceTransport.state));
}

/**
 * Starts every established ICE transport of `pc` again, so checks run with the new credentials.
 * One value; RXSFU_ERR_WEBRTC when werift's start fails or does not finish within `timeoutMs`.
 */
export function restartIceTransports$(
  pc: RTCPeerConnection,
  logger: RtcLogger,
  timeoutMs: number,
  scheduler: SchedulerLike,
): Observable<void> {
  return defer(() => {
    // A transport that still has a selected pair was not restarted (or werift fixed the bug): leave it be.
    const transports = establishedTransports(pc)
      .map((dtls) => dtls.iceTransport)
      .filter((ice) => !hasSelectedPair(ice));
    logger.debug?.('ice restart: starting ICE transports again', { count: transports.length });
    if (transports.length === 0) return of(undefined);
    return forkJoin(transports.map((transport) => werift$('iceTransport.start', () => transport.start()))).pipe(
      map(() => undefined),
    );
  }).pipe(
    timeout({
      first: timeoutMs,
      scheduler,
      with: () => {
        throw rxsfuError('RXSFU_ERR_WEBRTC', `ICE transports did not restart within ${timeoutMs} ms`);
      },
    }),
  );
}

/**
 * Emits once when any packet arrives on `pc` from now on: RTCP on a sender or a receiver, or RTP
 * on a receiving track. Never completes on its own.
 *
 * ```
 * packets: ----r--r-R--     (r = RTCP, R = RTP)
 * result:  ----(x|)
 * ```
 */
export function firstPacket$(pc: RTCPeerConnection): Observable<void> {
  return defer(() => {
    const transceivers = pc.getTransceivers();
    const signals = transceivers.flatMap((t) => [
      fromWeriftEvent(t.sender.onRtcp),
      fromWeriftEvent(t.receiver.onRtcp),
      ...t.receiver.tracks.map((track) => fromWeriftEvent(track.onReceiveRtp)),
    ]);
    return merge(...signals).pipe(
      take(1),
      map(() => undefined),
    );
  });
}

/**
 * Emits once when every transport of `pc` has DTLS up and a selected ICE pair (checked with the
 * current credentials), looked at now and on each state change. Never completes on its own.
 *
 * ```
 * ice:     no pair (restarted)---checking---pair selected
 * dtls:    connected------------------------------
 * result:  ------------------------------(x|)
 * ```
 */
export function transportsConnected$(pc: RTCPeerConnection): Observable<void> {
  return defer(() => {
    const transports = pc.dtlsTransports;
    if (transports.length === 0) return of(undefined);
    const up$ = transports.map((dtls) =>
      merge(fromWeriftEvent(dtls.onStateChange), fromWeriftEvent(dtls.iceTransport.onStateChange)).pipe(
        startWith(undefined),
        map(() => dtls.state === 'connected' && hasSelectedPair(dtls.iceTransport)),
      ),
    );
    return combineLatest(up$).pipe(
      filter((states) => states.every(Boolean)),
      take(1),
      map(() => undefined),
    );
  });
}

/**
 * Fails with RXSFU_ERR_WEBRTC when no packet arrives within `timeoutMs`; otherwise one value.
 *
 * ```
 * packets: ------r-     (within the deadline)
 * result:  ------(x|)
 * packets: --------     (deadline passes)
 * result:  -----#        RXSFU_ERR_WEBRTC
 * ```
 */
export function expectMediaFlow$(pc: RTCPeerConnection, timeoutMs: number, scheduler: SchedulerLike): Observable<void> {
  return firstPacket$(pc).pipe(
    timeout({
      first: timeoutMs,
      scheduler,
      with: () => {
        throw rxsfuError('RXSFU_ERR_WEBRTC', `no media on the connection ${timeoutMs} ms after the ICE restart`);
      },
    }),
  );
}

/**
 * For a connection that is not sending: the first of a packet or the transports connected after
 * the restart; fails with RXSFU_ERR_WEBRTC when neither happens within `timeoutMs`.
 *
 * ```
 * packets:    --------
 * transports: ---c----     (c = every ICE transport connected, DTLS up)
 * result:     ---(x|)
 * both silent past the deadline:
 * result:     -----#       RXSFU_ERR_WEBRTC
 * ```
 */
export function expectTransportUp$(pc: RTCPeerConnection, timeoutMs: number, scheduler: SchedulerLike): Observable<void> {
  return race(firstPacket$(pc), transportsConnected$(pc)).pipe(
    timeout({
      first: timeoutMs,
      scheduler,
      with: () => {
        throw rxsfuError('RXSFU_ERR_WEBRTC', `ICE did not connect and no packet arrived ${timeoutMs} ms after the ICE restart`);
      },
    }),
  );
}

/** When this connection last wrote a local packet, in scheduler time; undefined if it never did. */
export type LastWriteAt = () => number | undefined;

/**
 * The steps after the restart offer/answer: workaround (unless disabled), then the check: a packet
 * when a local packet was written within `sendingWindowMs`, otherwise a packet or the ICE proof.
 */
export function afterIceRestart$(
  pc: RTCPeerConnection,
  options: IceRestartOptions,
  scheduler: SchedulerLike,
  logger: RtcLogger,
  lastWriteAt: LastWriteAt = () => undefined,
): Observable<void> {
  const timeoutMs = options.mediaTimeoutMs ?? 5000;
  const sendingWindowMs = options.sendingWindowMs ?? 2000;
  const workaround$ =
    options.workaround === false ? of(undefined) : restartIceTransports$(pc, logger, timeoutMs, scheduler);
  return defer(() => {
    if (pc.getTransceivers().length === 0) {
      // Nothing sends or receives media, so there is nothing to wait for.
      return workaround$;
    }
    return workaround$.pipe(
      concatMap(() => {
        const last = lastWriteAt();
        const sending = last !== undefined && scheduler.now() - last <= sendingWindowMs;
        logger.debug?.('ice restart: checking the connection', { proof: sending ? 'packet' : 'packet or ICE' });
        return sending ? expectMediaFlow$(pc, timeoutMs, scheduler) : expectTransportUp$(pc, timeoutMs, scheduler);
      }),
      tap({ error: (err: unknown) => logger.warn?.('ice restart failed', { reason: errorMessage(err) }) }),
    );
  });
}
