import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { RtpHeader, RtpPacket } from 'werift';
import { remoteVideo$ } from '../../lib/media/remote-video.js';
import { vp8FramePayloads, vp8SyntheticInterframe, vp8SyntheticKeyframe } from '../../lib/media/vp8.js';
import type { VideoFrame } from '../../lib/media/vp8-depacketizer.js';

const key = vp8SyntheticKeyframe({ width: 64, height: 48, frameBytes: 300 }); // one packet
const inter = vp8SyntheticInterframe({ frameBytes: 200 }); // one packet

/** A one-packet VP8 frame (marker set) of stream `ssrc` at `sequenceNumber`. */
function packet(ssrc: number, sequenceNumber: number, frame: Uint8Array): RtpPacket {
  const header = new RtpHeader({ ssrc, sequenceNumber, timestamp: sequenceNumber * 3000, payloadType: 96, marker: true });
  return new RtpPacket(header, Buffer.from(vp8FramePayloads(frame, sequenceNumber)[0]!));
}

/** Runs `marbles` of packets through remoteVideo$ in virtual time: frames (keyframe, gapBefore) and when PLIs went out. */
function run(marbles: string, values: Record<string, RtpPacket>) {
  const scheduler = new TestScheduler((a, b) => { expect(a).to.deep.equal(b); });
  const requests: number[] = [];
  const frames: { at: number; keyframe: boolean; gapBefore: boolean }[] = [];
  scheduler.run(({ cold }) => {
    remoteVideo$(cold(marbles, values), () => requests.push(scheduler.now()), {}, scheduler)
      .subscribe((f: VideoFrame) => frames.push({ at: scheduler.now(), keyframe: f.keyframe, gapBefore: f.gapBefore }));
  });
  return { requests, frames };
}

describe('media/remote-video: keyframe requests by itself (virtual time)', () => {
  it('asks at subscribe and again at the first packet, when the track can name its SSRC (the subscribe-time PLI may go nowhere)', () => {
    const { requests, frames } = run('a 19ms b 19ms c|', { a: packet(1, 0, inter), b: packet(1, 1, inter), c: packet(1, 2, key) });
    // 0: subscribe, 0: first packet (stream start). b at 20 ms is within 300 ms of the last: no third request.
    expect(requests).to.deep.equal([0, 0]);
    expect(frames.map((f) => f.keyframe)).to.deep.equal([false, false, true]);
  });

  it('a new stream (reconnect) always asks for a keyframe, even when its first packet carries the marker bit, and its first frame says gapBefore', () => {
    const { requests, frames } = run('a 19ms b 979ms c 19ms d 379ms e 99ms f 19ms g|', {
      a: packet(1, 0, key), b: packet(1, 1, inter), // stream 1: keyframe, then interframes
      c: packet(2, 500, inter), d: packet(2, 501, inter), // stream 2 at 1000 ms: one-packet (marker) interframes
      e: packet(2, 502, inter), f: packet(2, 503, key), g: packet(2, 504, inter),
    });
    // 0, 0: subscribe and first packet. 1000: the new stream. 1400: still no keyframe (d at 1020 was
    // within 300 ms of the last request). After the keyframe at 1500 ms, g asks for nothing.
    expect(requests).to.deep.equal([0, 0, 1000, 1400]);
    expect(frames).to.deep.equal([
      { at: 0, keyframe: true, gapBefore: false }, { at: 20, keyframe: false, gapBefore: false },
      { at: 1000, keyframe: false, gapBefore: true }, { at: 1020, keyframe: false, gapBefore: false },
      { at: 1400, keyframe: false, gapBefore: false }, { at: 1500, keyframe: true, gapBefore: false }, { at: 1520, keyframe: false, gapBefore: false },
    ]);
  });

  it('a gap (lost packet) asks for a keyframe, at most once per 300 ms until one comes', () => {
    // seq 2 never comes: 3 waits maxWaitMs (100 ms) in the jitter buffer, then comes out with gapBefore.
    const { requests, frames } = run('a 19ms b 479ms d 19ms e 379ms f 19ms g 19ms h|', {
      a: packet(1, 0, key), b: packet(1, 1, inter), d: packet(1, 3, inter), e: packet(1, 4, inter),
      f: packet(1, 5, inter), g: packet(1, 6, key), h: packet(1, 7, inter),
    });
    expect(frames.map((f) => [f.at, f.keyframe, f.gapBefore])).to.deep.equal([
      [0, true, false], [20, false, false], [600, false, true], [600, false, false], [900, false, false], [920, true, false], [940, false, false],
    ]);
    // 600: the gap. e comes out with d at 600 (too soon to ask again). 900: still waiting, 300 ms on.
    expect(requests).to.deep.equal([0, 0, 600, 900]);
  });
});
