/**
 * The SFU side's keyframe requests to a client's publisher: PLI through werift, FIR (RFC 5104
 * §4.3.1) built here, since werift's receiver only sends PLI. werift routes payload-specific
 * feedback by the common header's media SSRC, so the FIR names its target there as well as in its
 * FCI entry (RFC 5104 leaves that header field unused; pion-based SFUs fill it the same way).
 */
import { RtcpPayloadSpecificFeedback, type RTCRtpReceiver } from 'werift';
import type { KeyframeRequestMethod } from './track-bus.js';

/** A FIR feedback message for one SSRC, `sequenceNumber` modulo 256 (a repeat is a retransmission, not a new request). */
export function fullIntraRequest(senderSsrc: number, mediaSsrc: number, sequenceNumber: number): RtcpPayloadSpecificFeedback {
  const serialize = () => {
    const body = Buffer.alloc(16);
    body.writeUInt32BE(senderSsrc >>> 0, 0);
    body.writeUInt32BE(mediaSsrc >>> 0, 4);
    body.writeUInt32BE(mediaSsrc >>> 0, 8);
    body[12] = sequenceNumber & 0xff;
    return body;
  };
  const fir = { count: 4, senderSsrc, mediaSsrc, fir: [{ ssrc: mediaSsrc, sequenceNumber: sequenceNumber & 0xff }], length: 4, serialize };
  return new RtcpPayloadSpecificFeedback({ feedback: fir });
}

/** Asks a client's publisher for a keyframe on `receiver`'s track by `method`; a closed transport is ignored. */
export function sendKeyframeRequest(receiver: RTCRtpReceiver, method: KeyframeRequestMethod, firSequence: number): void {
  const ssrc = receiver.track.ssrc;
  if (ssrc === undefined) return;
  if (method === 'pli') {
    receiver.sendRtcpPLI(ssrc).catch(() => undefined);
    return;
  }
  receiver.dtlsTransport?.sendRtcp([fullIntraRequest(receiver.rtcpSsrc, ssrc, firSequence)]).catch(() => undefined);
}
