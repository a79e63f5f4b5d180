/**
 * RTP packets as rxsfu's API carries them (RFC 3550): what `remoteTracks$` emits and what
 * `publishAudioRtp` / `publishVideoRtp` take. rxsfu's own types, so the public declarations do not
 * depend on the WebRTC stack's (werift's declarations do not type-check under a consumer's
 * `strict` without `skipLibCheck`). A werift `RtpPacket` is one structurally; the conversion back
 * to werift happens at the publisher's edge (lib/rtc/werift-rtp.ts).
 */

/** One RTP header extension element (RFC 8285): its negotiated id and raw payload. */
export interface RtpHeaderExtension {
  readonly id: number;
  readonly payload: Uint8Array;
}

/** The RTP header fields an agent reads or sets. */
export interface RtpHeader {
  /** 7 bits; on send, replaced by the negotiated payload type of the track. */
  readonly payloadType: number;
  /** 16 bits. */
  readonly sequenceNumber: number;
  /** 32 bits, in the codec's clock (48 kHz Opus, 90 kHz VP8). */
  readonly timestamp: number;
  /** 32 bits; on send, replaced by the track's SSRC. */
  readonly ssrc: number;
  /** End of a video frame; start of a talkspurt for audio. */
  readonly marker: boolean;
  /** Contributing sources (empty from the SFU's forwarding). @default [] */
  readonly csrc?: readonly number[];
  /** Header extensions as received (audio level, transport-wide sequence…). @default [] */
  readonly extensions?: readonly RtpHeaderExtension[];
}

/** One RTP packet: header fields and the codec payload (Opus packet, VP8 payload with its descriptor). */
export interface RtpPacket {
  readonly header: RtpHeader;
  readonly payload: Buffer;
}

const isUint = (value: unknown, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

/** Whether `value` has an RTP packet's shape (header fields in range, a Buffer payload). */
export function isRtpPacket(value: unknown): value is RtpPacket {
  if (value === null || typeof value !== 'object') return false;
  const { header, payload } = value as { header?: unknown; payload?: unknown };
  if (header === null || typeof header !== 'object' || !Buffer.isBuffer(payload)) return false;
  const h = header as Record<string, unknown>;
  return isUint(h['payloadType'], 0x7f) && isUint(h['sequenceNumber'], 0xffff) && isUint(h['timestamp'], 0xffffffff)
    && isUint(h['ssrc'], 0xffffffff) && typeof h['marker'] === 'boolean'
    && optionalArrayOf(h['csrc'], (c) => isUint(c, 0xffffffff))
    && optionalArrayOf(h['extensions'], (e) => e !== null && typeof e === 'object'
      && isUint((e as { id?: unknown }).id, 255) && (e as { payload?: unknown }).payload instanceof Uint8Array);
}

const optionalArrayOf = (value: unknown, each: (item: unknown) => boolean): boolean =>
  value === undefined || (Array.isArray(value) && value.length <= 255 && value.every(each));
