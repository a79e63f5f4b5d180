/**
 * A VP8 keyframe is a complete picture, and a lossy WebP file is exactly one VP8 keyframe in a RIFF
 * container (`RIFF` size `WEBP`, then a `VP8 ` chunk holding the frame). So wrapping a keyframe
 * from `frames$` gives a `.webp` image any viewer opens and any WebP decoder turns into pixels
 * (`vp8KeyframeCodec$` here, `@jsquash/webp`, sharp…), and unwrapping a WebP encoder's output gives
 * a real VP8 keyframe to publish. Interframes need a full VP8 decoder (ffmpeg, libvpx).
 */
import { rxsfuError } from '../errors.js';

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;

/** Whether `frame` starts like a VP8 keyframe (frame tag key bit 0, start code 9d 01 2a). */
export function isVp8Keyframe(frame: Uint8Array): boolean {
  return frame.length >= 10 && (frame[0]! & 1) === 0 && frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a;
}

/**
 * A VP8 keyframe → a lossy WebP file (RIFF/WEBP with one `VP8 ` chunk, padded to an even size).
 * Throws RXSFU_ERR_INVALID_ARGUMENT for anything but a keyframe.
 */
export function vp8KeyframeToWebp(frame: Uint8Array): Uint8Array {
  if (!isVp8Keyframe(frame)) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'vp8KeyframeToWebp: not a VP8 keyframe (interframes need a full VP8 decoder)');
  const padded = frame.length + (frame.length & 1);
  const file = new Uint8Array(RIFF_HEADER_BYTES + CHUNK_HEADER_BYTES + padded);
  const view = new DataView(file.buffer);
  const ascii = (text: string, at: number) => [...text].forEach((c, i) => (file[at + i] = c.charCodeAt(0)));
  ascii('RIFF', 0);
  view.setUint32(4, file.length - 8, true);
  ascii('WEBP', 8);
  ascii('VP8 ', 12);
  view.setUint32(16, frame.length, true);
  file.set(frame, 20);
  return file;
}

/**
 * The VP8 keyframe inside a lossy WebP file (its `VP8 ` chunk, wherever it sits). Throws
 * RXSFU_ERR_INVALID_ARGUMENT when there is none (lossless `VP8L`, not WebP, truncated).
 */
export function vp8KeyframeFromWebp(file: Uint8Array): Uint8Array {
  const text = (at: number) => String.fromCharCode(...file.subarray(at, at + 4));
  if (file.length < RIFF_HEADER_BYTES || text(0) !== 'RIFF' || text(8) !== 'WEBP') {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'vp8KeyframeFromWebp: not a RIFF/WEBP file');
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let at = RIFF_HEADER_BYTES; at + CHUNK_HEADER_BYTES <= file.length;) {
    const size = view.getUint32(at + 4, true);
    const body = at + CHUNK_HEADER_BYTES;
    if (body + size > file.length) break;
    if (text(at) === 'VP8 ') return file.slice(body, body + size);
    at = body + size + (size & 1);
  }
  throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'vp8KeyframeFromWebp: no lossy VP8 chunk');
}
