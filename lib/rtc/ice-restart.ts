/**
 * The ICE-restart workaround for werift (shared/reference/WERIFT.md, pitfall 4) and the check that
 * media really flows again. Between two werift peers an ICE restart negotiates new credentials and
 * `connectionState` stays `connected`, but no packet flows: werift's `connect()` returns early because
 * DTLS is already up, so the ICE transport never runs its checks with the new credentials. Starting
 * each ICE transport by hand brings media back. Because `connectionState` says nothing here, the only
 * trustworthy signal is a packet arriving after the restart: RTCP (receiver reports come back every
 * 0.5–1.5 s on a sending connection, sender reports on a receiving one) or RTP.
 */
import { concatMap, defer, forkJoin, map, merge, Observable, of, take, tap, timeout, type SchedulerLike } from 'rxjs';
import type { RTCPeerConnection } from 'werift';
import { rxsfuError } from '../errors.js';
import { describe, werift$ } from './peer.js';
import { fromWeriftEvent } from './werift-event.js';
import type { RtcLogger } from './logger.js';

export interface IceRestartOptions {
  /** How long to wait for the first packet after the restart before failing with RXSFU_ERR_WEBRTC. @default 5000 */
  mediaTimeoutMs?: number;
  /**
   * Apply the `iceTransport.start()` workaround. Only turned off to show werift's bug in the
   * regression test; with it off media does not resume between two werift peers. @default true
   */
  workaround?: boolean;
}

/**
 * Starts every ICE transport of `pc` again, so checks run with the new credentials. One value;
 * RXSFU_ERR_WEBRTC when werift's start fails or does not finish within `timeoutMs`.
 */
export function restartIceTransports$(
  pc: RTCPeerConnection,
  logger: RtcLogger,
  timeoutMs: number,
  scheduler: SchedulerLike,
): Observable<void> {
  return defer(() => {
    const transports = pc.iceTransports;
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

/** The steps after the restart offer/answer: workaround (unless disabled), then the media check. */
export function afterIceRestart$(
  pc: RTCPeerConnection,
  options: IceRestartOptions,
  scheduler: SchedulerLike,
  logger: RtcLogger,
): Observable<void> {
  const timeoutMs = options.mediaTimeoutMs ?? 5000;
  const workaround$ =
    options.workaround === false ? of(undefined) : restartIceTransports$(pc, logger, timeoutMs, scheduler);
  return defer(() => {
    if (pc.getTransceivers().length === 0) {
      // Nothing sends or receives media, so there is nothing to wait for.
      return workaround$;
    }
    return workaround$.pipe(
      concatMap(() => expectMediaFlow$(pc, timeoutMs, scheduler)),
      tap({ error: (err: unknown) => logger.warn?.('ice restart failed', { reason: describe(err) }) }),
    );
  });
}
