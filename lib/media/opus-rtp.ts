/** Opus tone/speech as RTP packets, ready for `track.writeRtp`. */
import { map, type Observable } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';
import { opusToneFrames$, type OpusToneOptions } from './opus-source.js';
import { packetize } from './rtp-packetizer.js';

/** Options of {@link opusRtpPackets$}: the tone's options plus the RTP stream's. */
export interface OpusRtpOptions extends OpusToneOptions {
  /** RTP payload type (werift rewrites it to the negotiated one). @default 111 */
  payloadType?: number;
  /** SSRC. @default random */
  ssrc?: number;
}

/** RTP clock ticks per 20 ms Opus frame at 48 kHz. */
export const OPUS_TIMESTAMP_STEP = 960;

/**
 * One RTP packet per 20 ms Opus frame: sequence +1, timestamp +960, marker on the first packet.
 *
 * ```
 * ----p----p----p---…   (every 20 ms)
 * ```
 */
export function opusRtpPackets$(options: OpusRtpOptions = {}): Observable<RtpPacket> {
  return opusToneFrames$(options).pipe(
    map((frame) => [frame]),
    packetize({ payloadType: options.payloadType ?? 111, timestampStep: OPUS_TIMESTAMP_STEP, ssrc: options.ssrc }),
  );
}
