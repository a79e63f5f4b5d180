/**
 * VP8 keyframes ⇄ pixels through libwebp compiled to wasm (`@jsquash/webp`, Squoosh's build): its
 * lossy encoder writes one VP8 keyframe (see webp.ts), its decoder reads one. The emulator's
 * simulated camera encodes its picture with it; a user (or a spec) can decode a keyframe from
 * `frames$` to RGBA. Keyframes only: interframes need a full VP8 decoder.
 *
 * The wasm files are read from the package and instantiated here (the package's own loader fetches
 * them by URL, which Node does not do); once loaded, encode and decode are synchronous.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defer, from, shareReplay, type Observable } from 'rxjs';
import encoderFactory from '@jsquash/webp/codec/enc/webp_enc.js';
import decoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import { initEmscriptenModule } from '@jsquash/webp/utils.js';
import { defaultOptions } from '@jsquash/webp/meta.js';
import { rxsfuError } from '../errors.js';
import { vp8KeyframeFromWebp, vp8KeyframeToWebp } from './webp.js';

/** An RGBA picture, 4 bytes a pixel, rows top to bottom. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** Encodes and decodes single VP8 keyframes. */
export interface Vp8KeyframeCodec {
  /** A picture → one VP8 keyframe. `quality` 0..100. @default 90 */
  encode(image: RgbaImage, quality?: number): Uint8Array;
  /** A VP8 keyframe (e.g. `VideoFrame.data` when `keyframe`) → its picture. RXSFU_ERR_INVALID_ARGUMENT if it is none. */
  decode(keyframe: Uint8Array): RgbaImage;
}

// The project's TypeScript libs leave WebAssembly's types out (no DOM lib); Node has it at run time.
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => never } }).WebAssembly;
const compiled = (path: string) => new wasm.Module(readFileSync(createRequire(import.meta.url).resolve(`@jsquash/webp/${path}`)));

async function load(): Promise<Vp8KeyframeCodec> {
  const [encoder, decoder] = await Promise.all([
    initEmscriptenModule(encoderFactory, compiled('codec/enc/webp_enc.wasm')),
    initEmscriptenModule(decoderFactory, compiled('codec/dec/webp_dec.wasm')),
  ]);
  return {
    encode: ({ width, height, rgba }, quality = 90) => {
      if (!(width > 0 && height > 0 && width <= 0x3fff && height <= 0x3fff) || rgba.length !== width * height * 4) {
        throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `vp8 encode: ${rgba.length} bytes is not a ${width}x${height} RGBA picture`);
      }
      const webp = encoder.encode(rgba, width, height, { ...defaultOptions, quality, lossless: 0 });
      if (!webp) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'vp8 encode: libwebp refused the picture');
      return vp8KeyframeFromWebp(webp);
    },
    decode: (keyframe) => {
      const image = decoder.decode(vp8KeyframeToWebp(keyframe)) as { width: number; height: number; data: Uint8ClampedArray } | null;
      if (!image) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'vp8 decode: libwebp could not decode the keyframe');
      return { width: image.width, height: image.height, rgba: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
    },
  };
}

let shared: Observable<Vp8KeyframeCodec> | undefined;

/**
 * The codec, loaded once per process (≈ 50 ms) and replayed to every subscriber after that.
 *
 * ```
 * vp8KeyframeCodec$(): ----c|     first subscriber (wasm compiled)
 *                      (c|)       later ones
 * ```
 */
export function vp8KeyframeCodec$(): Observable<Vp8KeyframeCodec> {
  return (shared ??= defer(() => from(load())).pipe(shareReplay({ bufferSize: 1, refCount: false })));
}
