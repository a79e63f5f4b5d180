import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import { createRtpSequencer } from '../../lib/media/rtp-packetizer.js';
import { vp8FramePayloads, vp8SyntheticInterframe, vp8SyntheticKeyframe } from '../../lib/media/vp8.js';
import { vp8Depacketize, type VideoFrame } from '../../lib/media/vp8-depacketizer.js';
import type { JitterOutput } from '../../lib/media/jitter-buffer.js';

/** Frames → RTP packets as a sender makes them (≤ 1200-byte payloads, marker on each frame's last). */
function packetsOf(frames: Uint8Array[]): RtpPacket[] {
  const sequencer = createRtpSequencer({ payloadType: 96, timestampStep: 3000, marker: 'frame-end', ssrc: 1, initialSequenceNumber: 0, initialTimestamp: 0 });
  return frames.flatMap((frame, i) => sequencer.next(vp8FramePayloads(frame, 100 + i)));
}

/** Runs packets (already in order; `lost` sequence numbers left out) through the depacketizer. */
function depacketize(packets: RtpPacket[], lost: number[] = []): Promise<VideoFrame[]> {
  let previous = -1;
  const outs: JitterOutput[] = packets.filter((p) => !lost.includes(p.header.sequenceNumber)).map((packet) => {
    const lostBefore = packet.header.sequenceNumber - previous - 1;
    previous = packet.header.sequenceNumber;
    return { packet, lostBefore, restart: false, arrivalMs: 0, late: 0, lost: 0 };
  });
  return lastValueFrom(from(outs).pipe(vp8Depacketize(), toArray()));
}

describe('media/vp8-depacketizer', () => {
  const key = vp8SyntheticKeyframe({ width: 640, height: 360, frameBytes: 3000 }); // 3 packets
  const inter = vp8SyntheticInterframe({ frameBytes: 500 }); // 1 packet

  it('joins each frame back byte for byte: keyframe flag, size on keyframes, timestamps, picture ids', async () => {
    const frames = await depacketize(packetsOf([key, inter, inter]));
    expect(frames.map((f) => [f.keyframe, f.width, f.height, f.rtpTimestamp, f.pictureId, f.gapBefore])).to.deep.equal([
      [true, 640, 360, 0, 100, false], [false, undefined, undefined, 3000, 101, false], [false, undefined, undefined, 6000, 102, false],
    ]);
    expect(Buffer.from(frames[0]!.data).equals(Buffer.from(key))).to.equal(true);
    expect(Buffer.from(frames[1]!.data).equals(Buffer.from(inter))).to.equal(true);
  });

  it('a frame with a lost packet is dropped, never handed out broken; the next one says gapBefore', async () => {
    // packets: key = 0,1,2; inter = 3; inter = 4. Lose 1 (middle of the keyframe).
    const frames = await depacketize(packetsOf([key, inter, inter]), [1]);
    expect(frames.map((f) => [f.rtpTimestamp, f.keyframe, f.gapBefore])).to.deep.equal([[3000, false, true], [6000, false, false]]);
  });

  it('a lost last packet (no marker) drops the frame too', async () => {
    const frames = await depacketize(packetsOf([key, inter]), [2]);
    expect(frames.map((f) => [f.rtpTimestamp, f.gapBefore])).to.deep.equal([[3000, true]]);
  });
});
