/**
 * Synthetic VP8 video for load and routing tests: frames with a real VP8 keyframe header (frame tag,
 * start code 9d 01 2a, dimensions) followed by filler bytes, carried in RTP with a correct RFC 7741
 * payload descriptor (X, S, PID, 15-bit PictureID). The filler is NOT a decodable picture: what
 * matters here is that SFUs and depacketizers see well-formed keyframes, frame boundaries (marker
 * bit), 90 kHz timestamps and PictureIDs, at no encoding cost. For real pictures see
 * vp8-keyframe-codec.ts (the emulator's camera uses it).
 */
import { randomInt } from 'node:crypto';
import { defer, finalize, map, type Observable, type SchedulerLike } from 'rxjs';
import { frameClock$ } from './frame-clock.js';
import type { RtpPacket } from './rtp-packet.js';
import { rxsfuError } from '../errors.js';
import { writeVp8PayloadDescriptor } from './vp8-descriptor.js';
import { packetize } from './rtp-packetizer.js';

/** Options of {@link vp8SyntheticKeyframe}. */
export interface Vp8KeyframeOptions {
  /** @default 320 */
  width?: number;
  /** @default 240 */
  height?: number;
  /** Total frame size in bytes (header + filler). @default 2500 */
  frameBytes?: number;
  /** Value mixed into the filler so frames differ. @default 0 */
  seed?: number;
}

/** A VP8 keyframe: valid frame tag and keyframe header, filler after it (see the file comment). */
export function vp8SyntheticKeyframe(options: Vp8KeyframeOptions = {}): Uint8Array {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const size = options.frameBytes ?? 2500;
  if (size < 11 || width < 1 || width > 0x3fff || height < 1 || height > 0x3fff) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `bad VP8 frame options ${width}x${height}, ${size} bytes`);
  }
  const frame = new Uint8Array(size);
  // frame tag: key_frame=0 (keyframe), version 0, show_frame=1, first_part_size (19 bits)
  const tag = (1 << 4) | ((size - 10) << 5);
  frame.set([tag & 0xff, (tag >> 8) & 0xff, (tag >> 16) & 0xff, 0x9d, 0x01, 0x2a]);
  frame.set([width & 0xff, width >> 8, height & 0xff, height >> 8], 6);
  const seed = options.seed ?? 0;
  for (let i = 10; i < size; i++) frame[i] = (i * 31 + seed * 7) & 0xff;
  return frame;
}

/**
 * A VP8 interframe: frame tag with key_frame = 1 (no start code, no size), filler after it. As the
 * keyframes, not a decodable picture (see the file comment).
 */
export function vp8SyntheticInterframe(options: { frameBytes?: number; seed?: number } = {}): Uint8Array {
  const size = Math.max(4, options.frameBytes ?? 600);
  const frame = new Uint8Array(size);
  const tag = 1 | (1 << 4) | ((size - 3) << 5);
  frame.set([tag & 0xff, (tag >> 8) & 0xff, (tag >> 16) & 0xff]);
  const seed = options.seed ?? 0;
  for (let i = 3; i < size; i++) frame[i] = (i * 17 + seed * 5) & 0xff;
  return frame;
}

/** Options of {@link vp8SyntheticFrames$} and {@link vp8RtpPackets$}. */
export interface Vp8SourceOptions extends Omit<Vp8KeyframeOptions, 'seed'> {
  /** A keyframe every this many frames, interframes between. @default 1 (every frame a keyframe) */
  keyframeIntervalFrames?: number;
  /** Each emission makes the next frame a keyframe (how a PLI/FIR reaches the source). */
  keyframeRequests$?: Observable<unknown>;
  /** Frames per second (frames come every round(1000 / fps) ms). @default 30 */
  fps?: number;
  /** Paces the frames. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * A synthetic VP8 keyframe every 1/fps s (33 ms at 30 fps). Cold, never completes.
 *
 * ```
 * ---f---f---f---…
 * ```
 */
export function vp8SyntheticFrames$(options: Vp8SourceOptions = {}): Observable<Uint8Array> {
  const fps = options.fps ?? 30;
  return defer(() => {
    if (!(fps > 0 && fps <= 1000)) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `fps must be in (0, 1000], got ${fps}`);
    const every = Math.max(1, Math.floor(options.keyframeIntervalFrames ?? 1));
    let requested = false;
    const requests = options.keyframeRequests$?.subscribe(() => (requested = true));
    // frameClock$, not interval(): a late tick catches up, so the camera keeps its fps on a busy loop.
    const periodMs = Math.round(1000 / fps);
    return frameClock$(periodMs, { scheduler: options.scheduler, firstDelayMs: periodMs }).pipe(
      map((index) => {
        const key = requested || index % every === 0;
        requested = false;
        return key ? vp8SyntheticKeyframe({ ...options, seed: index }) : vp8SyntheticInterframe({ seed: index });
      }),
      finalize(() => requests?.unsubscribe()),
    );
  });
}

/** Splits one VP8 frame into RTP payloads of at most `maxPayloadBytes`, each with its descriptor. */
export function vp8FramePayloads(frame: Uint8Array, pictureId: number, maxPayloadBytes = 1200): Uint8Array[] {
  const chunk = maxPayloadBytes - 4;
  if (chunk < 1) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `maxPayloadBytes too small: ${maxPayloadBytes}`);
  const payloads: Uint8Array[] = [];
  for (let offset = 0; offset < frame.length; offset += chunk) {
    const body = frame.subarray(offset, offset + chunk);
    const payload = new Uint8Array(4 + body.length);
    payload.set(writeVp8PayloadDescriptor({ start: offset === 0, pictureId }));
    payload.set(body, 4);
    payloads.push(payload);
  }
  return payloads;
}

/** Options of {@link vp8RtpPackets$}: the source's options plus the RTP stream's. */
export interface Vp8RtpOptions extends Vp8SourceOptions {
  /** RTP payload type (werift rewrites it to the negotiated one). @default 96 */
  payloadType?: number;
  /** SSRC. @default random */
  ssrc?: number;
  /** Largest RTP payload, descriptor included; frames are split to fit. @default 1200 */
  maxPayloadBytes?: number;
}

/** RTP clock ticks per frame at 30 fps and the 90 kHz video clock. */
export const VP8_TIMESTAMP_STEP_30FPS = 3000;

/**
 * Synthetic VP8 as RTP: each frame split into ≤1200-byte payloads, PictureID +1 per frame,
 * timestamp +90000/fps (3000 at 30 fps), marker on the last packet of a frame.
 *
 * ```
 * frames:  ---f0-------f1------…
 * packets: ---(abc)----(def)---…   (c, f carry the marker)
 * ```
 */
export function vp8RtpPackets$(options: Vp8RtpOptions = {}): Observable<RtpPacket> {
  const fps = options.fps ?? 30;
  return defer(() => {
    const firstPictureId = randomInt(0, 0x8000);
    return vp8SyntheticFrames$(options).pipe(
      map((frame, index) => vp8FramePayloads(frame, (firstPictureId + index) & 0x7fff, options.maxPayloadBytes)),
      packetize({ payloadType: options.payloadType ?? 96, timestampStep: Math.round(90000 / fps), marker: 'frame-end', ssrc: options.ssrc }),
    );
  });
}
