/**
 * The RFC 7741 §4.2 VP8 RTP payload descriptor: written by rxsfu's synthetic video, parsed for
 * tests and for agents that inspect received video (frame starts, keyframes, PictureIDs).
 */
import { ProtocolError } from '../errors.js';

/** A parsed RFC 7741 §4.2 VP8 payload descriptor. */
export interface Vp8PayloadDescriptor {
  /** S: first packet of a partition. */
  start: boolean;
  /** N: the frame can be discarded without affecting others. */
  nonReference: boolean;
  /** PID: partition index. */
  partitionId: number;
  /** PictureID (7 or 15 bits), when I is set. */
  pictureId?: number;
  /** TL0PICIDX, when L is set. */
  tl0PicIdx?: number;
  /** TID, when T is set. */
  temporalId?: number;
  /** KEYIDX, when K is set. */
  keyIndex?: number;
  /** Bytes the descriptor takes; the VP8 payload starts here. */
  length: number;
  /** Start of partition 0 whose VP8 payload header has P = 0 (a keyframe). */
  keyframe: boolean;
}

/** Writes the 4-byte descriptor rxsfu uses: X=1, I=1, M=1 (15-bit PictureID), PID=0. */
export function writeVp8PayloadDescriptor(options: { start: boolean; pictureId: number }): Uint8Array {
  const pictureId = options.pictureId & 0x7fff;
  return Uint8Array.of(0x80 | (options.start ? 0x10 : 0), 0x80, 0x80 | (pictureId >> 8), pictureId & 0xff);
}

/**
 * Parses the descriptor at the start of a VP8 RTP payload.
 * @throws ProtocolError (RXSFU_ERR_MALFORMED_FRAME) when the payload is shorter than its descriptor says.
 */
export function parseVp8PayloadDescriptor(payload: Uint8Array): Vp8PayloadDescriptor {
  const need = (offset: number): number => {
    if (offset >= payload.length) {
      throw new ProtocolError('Vp8PayloadDescriptor', payload.length, new Error(`truncated at byte ${offset}`));
    }
    return payload[offset];
  };
  const b0 = need(0);
  const result: Vp8PayloadDescriptor = {
    start: (b0 & 0x10) !== 0, nonReference: (b0 & 0x20) !== 0, partitionId: b0 & 0x07, length: 1, keyframe: false,
  };
  let offset = 1;
  if (b0 & 0x80) {
    const x = need(offset++);
    if (x & 0x80) {
      const p = need(offset++);
      result.pictureId = p & 0x80 ? ((p & 0x7f) << 8) | need(offset++) : p & 0x7f;
    }
    if (x & 0x40) result.tl0PicIdx = need(offset++);
    if (x & 0x30) {
      const tk = need(offset++);
      if (x & 0x20) result.temporalId = tk >> 6;
      if (x & 0x10) result.keyIndex = tk & 0x1f;
    }
  }
  result.length = offset;
  result.keyframe = result.start && result.partitionId === 0 && offset < payload.length && (payload[offset] & 0x01) === 0;
  return result;
}
