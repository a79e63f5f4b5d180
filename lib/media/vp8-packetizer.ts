/**
 * Encoded VP8 frames → RTP (RFC 7741) for `publishVideo`: each frame split into payloads of at most
 * `maxPayloadBytes`, each with the payload descriptor (S on the first, 15-bit PictureID +1 per
 * frame), the marker on its last packet, and a 90 kHz timestamp taken from the scheduler's clock when
 * the frame comes (so any frame rate, even a variable one, keeps real time).
 */
import { randomInt } from 'node:crypto';
import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';
import { rxsfuError } from '../errors.js';
import { vp8FramePayloads } from './vp8.js';

/** Options of {@link packetizeVp8}. */
export interface Vp8PacketizerOptions {
  scheduler?: SchedulerLike;
  /** @default 96 (werift rewrites it to the negotiated one) */
  payloadType?: number;
  /** Largest RTP payload, descriptor included. @default 1200 */
  maxPayloadBytes?: number;
}

/** A frame for `publishVideo`: the VP8 bytes as an encoder wrote them. */
export type Vp8SourceFrame = Uint8Array | { readonly data: Uint8Array };

/**
 * Operator: VP8 frames → RTP packets.
 *
 * ```
 * frames:  --k-------i---|          k: keyframe (2500 B), i: interframe (600 B)
 * packets: --(abc)---d---|          a, b, c share a timestamp, c carries the marker; d: +90·Δms
 * ```
 * A value that is not a frame errors the stream with RXSFU_ERR_INVALID_ARGUMENT.
 */
export function packetizeVp8(options: Vp8PacketizerOptions = {}): OperatorFunction<Vp8SourceFrame, RtpPacket> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source$) =>
    new Observable<RtpPacket>((subscriber) => {
      const ssrc = randomInt(1, 2 ** 32 - 1);
      let sequenceNumber = randomInt(0, 2 ** 16);
      let pictureId = randomInt(0, 0x8000);
      const firstTimestamp = randomInt(0, 2 ** 32 - 1);
      const startMs = scheduler.now();
      return source$.subscribe({
        next: (frame) => {
          const data = frame instanceof Uint8Array ? frame : frame?.data;
          if (!(data instanceof Uint8Array) || data.length === 0) {
            subscriber.error(rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'publishVideo: a frame must be a non-empty Uint8Array (or { data })'));
            return;
          }
          const timestamp = (firstTimestamp + Math.round((scheduler.now() - startMs) * 90)) >>> 0;
          const payloads = vp8FramePayloads(data, pictureId, options.maxPayloadBytes);
          pictureId = (pictureId + 1) & 0x7fff;
          payloads.forEach((payload, i) => {
            const header = { payloadType: options.payloadType ?? 96, sequenceNumber, timestamp, ssrc, marker: i === payloads.length - 1 };
            sequenceNumber = (sequenceNumber + 1) & 0xffff;
            subscriber.next({ header, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) });
          });
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
