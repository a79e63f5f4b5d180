/**
 * What a video sender hears when the SFU wants a keyframe: PLI (werift parses it and fires
 * `onPictureLossIndication`) and FIR (RFC 5104 §4.3.1: werift parses it and passes it on only as
 * raw RTCP). A FIR is counted once per sequence number: a repeat of the last one is the SFU
 * retransmitting the same request (RFC 5104 §4.3.1.2), not a new one.
 */
import { defer, filter, map, merge, type Observable } from 'rxjs';
import type { RTCRtpSender, RtcpPacket } from 'werift';
import { fromWeriftEvent } from './werift-event.js';

const PAYLOAD_SPECIFIC_FEEDBACK = 206;
const FIR_FORMAT = 4;

/** The FIR sequence numbers a payload-specific feedback packet carries for `ssrc` (none for anything else). */
export function firSequenceNumbers(packet: RtcpPacket, ssrc: number): number[] {
  if (packet.type !== PAYLOAD_SPECIFIC_FEEDBACK) return [];
  const feedback = (packet as { feedback?: { count?: number; fir?: { ssrc: number; sequenceNumber: number }[] } }).feedback;
  if (feedback?.count !== FIR_FORMAT) return [];
  return (feedback.fir ?? []).filter((entry) => entry.ssrc === ssrc).map((entry) => entry.sequenceNumber);
}

/**
 * One value per new FIR for `ssrc()` (its SSRC is read per packet: werift sets it at negotiation).
 *
 * ```
 * rtcp$: -f1--f1--f2--p--|    f: FIR with its sequence number, p: anything else
 * out$:  -x-------x------|
 * ```
 */
export function newFullIntraRequests(rtcp$: Observable<RtcpPacket>, ssrc: () => number): Observable<void> {
  return defer(() => {
    let last: number | undefined;
    return rtcp$.pipe(
      map((packet) => firSequenceNumbers(packet, ssrc()).filter((seq) => seq !== last)),
      filter((fresh) => fresh.length > 0),
      map((fresh) => {
        last = fresh[fresh.length - 1];
      }),
    );
  });
}

/** Every PLI and every new FIR the SFU sends for `sender`'s track. */
export function keyframeRequests$(sender: RTCRtpSender): Observable<void> {
  return merge(
    fromWeriftEvent(sender.onPictureLossIndication).pipe(map(() => undefined)),
    newFullIntraRequests(fromWeriftEvent(sender.onRtcp).pipe(map(([packet]) => packet)), () => sender.ssrc),
  );
}
