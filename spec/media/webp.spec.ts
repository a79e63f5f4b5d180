import { expect } from 'chai';
import { firstValueFrom, map, NEVER, takeWhile, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { isVp8Keyframe, vp8KeyframeFromWebp, vp8KeyframeToWebp } from '../../lib/media/webp.js';
import { vp8KeyframeCodec$, type Vp8KeyframeCodec } from '../../lib/media/vp8-keyframe-codec.js';
import { vp8SyntheticInterframe } from '../../lib/media/vp8.js';
import { cameraColour, cameraPicture, simulatedCameraRtp$ } from '../../lib/emulator/media/simulated-camera.js';
import { parseVp8PayloadDescriptor } from '../../lib/media/vp8-descriptor.js';
import { isRxsfuError } from '../../lib/errors.js';
import { expectCameraPicture, framesOf } from '../support/camera-picture.js';

const invalid = (e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT');

describe('media/webp: VP8 keyframes as WebP pictures (libwebp wasm)', function () {
  this.timeout(20000);
  let codec: Vp8KeyframeCodec;
  before(async () => {
    codec = await firstValueFrom(vp8KeyframeCodec$());
  });

  it('encodes a picture to a real VP8 keyframe and decodes it back to the same picture', () => {
    const colour = [200, 40, 90] as const;
    const keyframe = codec.encode(cameraPicture(colour, 160, 96));
    expect(isVp8Keyframe(keyframe)).to.equal(true);
    expect([keyframe[6]! | (keyframe[7]! << 8), keyframe[8]! | (keyframe[9]! << 8)]).to.deep.equal([160, 96]);
    expectCameraPicture(codec.decode(keyframe), colour, { width: 160, height: 96 });
    // a wrong picture is told apart: the check is not vacuous
    expect(() => expectCameraPicture(codec.decode(keyframe), [90, 40, 200], { width: 160, height: 96 })).to.throw();
  });

  it('wraps a keyframe as a WebP file (even-padded VP8 chunk) and unwraps it byte for byte', () => {
    const keyframe = codec.encode(cameraPicture([10, 220, 30], 64, 48));
    const odd = keyframe.length % 2 === 1 ? keyframe : Uint8Array.from([...keyframe, 0]);
    const file = vp8KeyframeToWebp(odd);
    expect(String.fromCharCode(...file.subarray(0, 4), ...file.subarray(8, 16))).to.equal('RIFFWEBPVP8 ');
    expect(file.length % 2).to.equal(0);
    expect(new DataView(file.buffer).getUint32(4, true)).to.equal(file.length - 8);
    expect(vp8KeyframeFromWebp(file)).to.deep.equal(odd);
  });

  it('refuses what is not a keyframe or not a lossy WebP with RXSFU_ERR_INVALID_ARGUMENT', () => {
    expect(() => vp8KeyframeToWebp(vp8SyntheticInterframe({ frameBytes: 50 }))).to.throw().that.satisfies(invalid);
    expect(() => vp8KeyframeFromWebp(Uint8Array.of(1, 2, 3))).to.throw().that.satisfies(invalid);
    const lossless = vp8KeyframeToWebp(codec.encode(cameraPicture([1, 2, 3], 16, 16)));
    lossless.set([0x56, 0x50, 0x38, 0x4c], 12); // 'VP8L'
    expect(() => vp8KeyframeFromWebp(lossless)).to.throw().that.satisfies(invalid);
    const truncated = Uint8Array.from([0x10, 0, 0, 0x9d, 0x01, 0x2a, 64, 0, 48, 0, 1, 2, 3]);
    expect(() => codec.decode(truncated)).to.throw().that.satisfies(invalid);
    expect(() => codec.encode({ width: 4, height: 4, rgba: new Uint8Array(10) })).to.throw().that.satisfies(invalid);
  });

  it('gives each participant a stable, distinct colour', () => {
    expect(cameraColour('alice')).to.deep.equal(cameraColour('alice'));
    expect(cameraColour('alice')).to.not.deep.equal(cameraColour('bob'));
  });

  it('the simulated camera sends its keyframe at once, every 1000/fps ms and on each request, with 90 kHz timestamps', () => {
    const scheduler = new TestScheduler((a, b) => {
      expect(a).to.deep.equal(b);
    });
    scheduler.run(({ cold, expectObservable }) => {
      const requests = cold('250ms r');
      const seen: number[] = [];
      const frames$ = simulatedCameraRtp$('alice', { fps: 10, width: 64, height: 48 }, requests, scheduler).pipe(
        // one packet a frame (64x48 is small): descriptor start and marker on the same packet
        map((p) => {
          seen.push(p.header.timestamp);
          return parseVp8PayloadDescriptor(p.payload).start && p.header.marker;
        }),
      );
      expectObservable(frames$, '^ 350ms !').toBe('a 99ms a 99ms a 49ms a 49ms a', { a: true });
      scheduler.schedule(() => {
        expect(seen.slice(1).map((ts, i) => (ts - seen[i]!) >>> 0)).to.deep.equal([9000, 9000, 4500, 4500]);
      }, 349);
    });
  });

  it('the camera\'s frames decode to its owner\'s picture', async () => {
    const packets = await firstValueFrom(simulatedCameraRtp$('carol', { fps: 30 }, NEVER).pipe(takeWhile((p) => !p.header.marker, true), toArray()));
    const [frame] = await framesOf(packets);
    expectCameraPicture(codec.decode(frame!.data), cameraColour('carol'));
  });
});
