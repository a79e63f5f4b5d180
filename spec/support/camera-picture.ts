/**
 * Checks what a simulated camera sent by looking at it: a keyframe decoded to pixels (libwebp via
 * vp8KeyframeCodec$) must show the camera's four quadrants (colour, white, black, complement).
 */
import { expect } from 'chai';
import { firstValueFrom, from, map, toArray } from 'rxjs';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import { vp8KeyframeCodec$, type RgbaImage } from '../../lib/media/vp8-keyframe-codec.js';
import { vp8Depacketize, type VideoFrame } from '../../lib/media/vp8-depacketizer.js';
import type { Rgb } from '../../lib/emulator/media/simulated-camera.js';

/** A keyframe's picture. */
export async function decodeKeyframe(keyframe: Uint8Array): Promise<RgbaImage> {
  const codec = await firstValueFrom(vp8KeyframeCodec$());
  return codec.decode(keyframe);
}

/** The pixel at (x, y). */
export function pixelAt(image: RgbaImage, x: number, y: number): Rgb {
  const at = (Math.floor(y) * image.width + Math.floor(x)) * 4;
  return [image.rgba[at]!, image.rgba[at + 1]!, image.rgba[at + 2]!];
}

/** Asserts the picture is the camera picture of `colour` (quadrant centres within ±`tolerance` per channel: VP8 is lossy). */
export function expectCameraPicture(image: RgbaImage, colour: Rgb, size: { width: number; height: number } = { width: 320, height: 240 }, tolerance = 10): void {
  expect([image.width, image.height]).to.deep.equal([size.width, size.height]);
  const expected: Rgb[] = [colour, [255, 255, 255], [0, 0, 0], [255 - colour[0], 255 - colour[1], 255 - colour[2]]];
  const centres = [[1, 1], [3, 1], [1, 3], [3, 3]].map(([qx, qy]) => pixelAt(image, (qx! * image.width) / 4, (qy! * image.height) / 4));
  centres.forEach((got, i) => got.forEach((channel, c) =>
    expect(Math.abs(channel - expected[i]![c]!), `quadrant ${i} channel ${c}: got ${got.join(',')}, want ${expected[i]!.join(',')}`).to.be.at.most(tolerance)));
}

/** RTP packets received in order (loopback) → the complete VP8 frames among them. */
export function framesOf(packets: readonly RtpPacket[]): Promise<VideoFrame[]> {
  return firstValueFrom(from(packets).pipe(
    map((packet) => ({ packet, lostBefore: 0, restart: false, arrivalMs: 0, late: 0, lost: 0 })),
    vp8Depacketize(),
    toArray(),
  ));
}
