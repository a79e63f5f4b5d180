/**
 * Adapter: every SRTP and SRTCP packet a peer connection received and authenticated, as a value, for
 * the call's liveness (issue 13, `networkDead$`). RTCP counts as much as RTP: an SFU sends receiver
 * reports to a publisher and sender reports to a subscriber every 0.5–1.5 s, so even a peer that
 * carries no media hears its SFU. Packets that fail SRTP authentication never get here (werift drops
 * them), so a stray sender cannot keep a dead path alive.
 *
 * ```
 * connectionState$: n--c--k-------      (the DTLS transports exist once negotiated; re-read at each state)
 * werift RTP/RTCP:  ---------r-r-R-
 * result:           ---------x-x-x-
 * ```
 */
import { map, merge, type Observable, switchMap, takeUntil } from 'rxjs';
import type { RTCPeerConnection } from 'werift';
import { fromWeriftEvent } from './werift-event.js';

export function mediaHeard$(pc: RTCPeerConnection, connectionState$: Observable<string>, closing$: Observable<unknown>): Observable<void> {
  return connectionState$.pipe(
    switchMap(() => merge(...pc.dtlsTransports.map((transport) => merge(fromWeriftEvent(transport.onRtp), fromWeriftEvent(transport.onRtcp))))),
    map(() => undefined),
    takeUntil(closing$),
  );
}
