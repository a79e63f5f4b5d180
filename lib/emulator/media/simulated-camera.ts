/**
 * A simulated participant's camera: real, decodable VP8. It shows a still picture that identifies
 * its owner (four quadrants: the owner's colour, white, black, the colour's complement), encoded
 * once by libwebp (vp8-keyframe-codec.ts), and sends it as a keyframe `fps` times a second plus
 * one at once for every keyframe request (PLI/FIR) that reaches it. Keyframes only: every frame
 * decodes on its own, as a camera with a keyframe interval of one would send.
 */
import { createHash } from 'node:crypto';
import { asyncScheduler, map, merge, timer, switchMap, type Observable, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from '../../media/rtp-packet.js';
import { rxsfuError } from '../../errors.js';
import { packetizeVp8 } from '../../media/vp8-packetizer.js';
import { vp8KeyframeCodec$, type RgbaImage } from '../../media/vp8-keyframe-codec.js';

/** An RGB colour, 0..255 each. */
export type Rgb = readonly [number, number, number];

/** How a simulated participant's camera looks and runs. */
export interface SimulatedCamera {
  /** The colour of its top-left quadrant. @default cameraColour(userId) */
  colour?: Rgb;
  /** @default 320 */
  width?: number;
  /** @default 240 */
  height?: number;
  /** Keyframes a second besides those asked for. @default 15 */
  fps?: number;
}

/** The colour a participant's camera shows by default: a stable, saturated colour from its user id. */
export function cameraColour(userId: string): Rgb {
  const [a, b, c] = createHash('sha256').update(userId).digest();
  // one channel high, one low, one anywhere: far from white, black and grey, so quadrants stay apart
  const channels: [number, number, number] = [40 + (c! % 176), 40 + (c! % 176), 40 + (c! % 176)];
  channels[a! % 3] = 230;
  channels[(a! % 3 + 1 + (b! % 2)) % 3] = 30;
  return channels;
}

/**
 * The camera's picture, RGBA:
 * ```
 * colour | white
 * -------+-----------
 * black  | 255 − colour
 * ```
 */
export function cameraPicture(colour: Rgb, width = 320, height = 240): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  const complement: Rgb = [255 - colour[0], 255 - colour[1], 255 - colour[2]];
  const quadrants: Rgb[] = [colour, [255, 255, 255], [0, 0, 0], complement];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = quadrants[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]!;
      rgba.set([q[0], q[1], q[2], 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

/**
 * The camera as RTP (RFC 7741, 90 kHz timestamps from the scheduler's clock). Cold; never completes.
 *
 * ```
 * keyframeRequests$: ---------r--------
 * packets:           k---k---kk--k---    k: the picture as a keyframe, at once, every 1000/fps ms and on request
 * ```
 */
export function simulatedCameraRtp$(
  userId: string, camera: SimulatedCamera, keyframeRequests$: Observable<unknown>, scheduler: SchedulerLike = asyncScheduler,
): Observable<RtpPacket> {
  const fps = camera.fps ?? 15;
  if (!(fps > 0 && fps <= 60)) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `camera fps must be in (0, 60], got ${fps}`);
  const picture = cameraPicture(camera.colour ?? cameraColour(userId), camera.width, camera.height);
  return vp8KeyframeCodec$().pipe(
    map((codec) => codec.encode(picture)),
    switchMap((keyframe) => merge(timer(0, Math.round(1000 / fps), scheduler), keyframeRequests$).pipe(map(() => keyframe))),
    packetizeVp8({ scheduler }),
  );
}
