import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { take } from 'rxjs';
import { Vp8RtpPayload } from 'werift';
import { vp8FramePayloads, vp8RtpPackets$, vp8SyntheticKeyframe } from '../../lib/media/vp8.js';
import { parseVp8PayloadDescriptor, writeVp8PayloadDescriptor } from '../../lib/media/vp8-descriptor.js';
import { isRxsfuError } from '../../lib/errors.js';
import { resourceBaseline, resourceCounts, resourceGrowth } from '../support/resources.js';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';

describe('media/vp8', () => {
  it('parses the descriptor it writes, and werift reads it the same way', () => {
    const payload = new Uint8Array([...writeVp8PayloadDescriptor({ start: true, pictureId: 0x1234 }), ...vp8SyntheticKeyframe({ frameBytes: 40 })]);
    const ours = parseVp8PayloadDescriptor(payload);
    expect(ours).to.include({ start: true, partitionId: 0, pictureId: 0x1234, length: 4, keyframe: true, nonReference: false });
    const theirs = Vp8RtpPayload.deSerialize(Buffer.from(payload));
    expect(theirs.sBit).to.equal(1);
    expect(theirs.pictureId).to.equal(0x1234);
    expect(theirs.isKeyframe).to.equal(true);
  });

  it('parses descriptors from other senders: 7-bit PictureID, TL0PICIDX, TID/KEYIDX, no extension', () => {
    // X=1 N=1 S=1 PID=2; I L T K; M=0 PictureID 0x55; TL0PICIDX 9; TID=2 Y=0 KEYIDX=5; payload byte
    const full = parseVp8PayloadDescriptor(Uint8Array.of(0xb2, 0xf0, 0x55, 0x09, 0x85, 0x00));
    expect(full).to.include({ start: true, nonReference: true, partitionId: 2, pictureId: 0x55, tl0PicIdx: 9, temporalId: 2, keyIndex: 5, length: 5, keyframe: false });
    const bare = parseVp8PayloadDescriptor(Uint8Array.of(0x10, 0x01));
    expect(bare).to.include({ start: true, length: 1, keyframe: false });
    expect(bare.pictureId).to.equal(undefined);
  });

  it('rejects truncated descriptors with RXSFU_ERR_MALFORMED_FRAME', () => {
    for (const bad of [Uint8Array.of(), Uint8Array.of(0x80), Uint8Array.of(0x90, 0x80), Uint8Array.of(0x90, 0x80, 0x81)]) {
      expect(() => parseVp8PayloadDescriptor(bad)).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_MALFORMED_FRAME'));
    }
  });

  it('writes a VP8 keyframe header: keyframe tag, start code, dimensions, partition size', () => {
    const frame = vp8SyntheticKeyframe({ width: 640, height: 360, frameBytes: 100 });
    expect(frame[0] & 1).to.equal(0); // key frame
    expect((frame[0] >> 4) & 1).to.equal(1); // show_frame
    const firstPartSize = (frame[0] | (frame[1] << 8) | (frame[2] << 16)) >> 5;
    expect(firstPartSize).to.equal(90);
    expect([...frame.subarray(3, 6)]).to.deep.equal([0x9d, 0x01, 0x2a]);
    expect(frame[6] | (frame[7] << 8)).to.equal(640);
    expect(frame[8] | (frame[9] << 8)).to.equal(360);
    expect(() => vp8SyntheticKeyframe({ frameBytes: 5 })).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
  });

  it('splits a frame into ≤ maxPayloadBytes payloads, S only on the first, same PictureID', () => {
    const frame = vp8SyntheticKeyframe({ frameBytes: 2500 });
    const payloads = vp8FramePayloads(frame, 77, 1000);
    expect(payloads).to.have.length(3);
    expect(payloads.every((p) => p.length <= 1000)).to.equal(true);
    const descriptors = payloads.map(parseVp8PayloadDescriptor);
    expect(descriptors.map((d) => d.start)).to.deep.equal([true, false, false]);
    expect(descriptors.map((d) => d.pictureId)).to.deep.equal([77, 77, 77]);
    const rebuilt = Buffer.concat(payloads.map((p) => p.subarray(4)));
    expect(rebuilt.equals(Buffer.from(frame))).to.equal(true);
  });

  it('vp8RtpPackets$: 30 fps, timestamps +3000, marker on each frame\'s last packet, PictureID +1', () => {
    const scheduler = new TestScheduler(() => undefined);
    const packets: { t: number; p: RtpPacket }[] = [];
    scheduler.run(({ flush }) => {
      vp8RtpPackets$({ scheduler, frameBytes: 2500, ssrc: 5 }).pipe(take(9)).subscribe((p) => packets.push({ t: scheduler.now(), p }));
      flush();
    });
    expect(packets.map((x) => x.t)).to.deep.equal([33, 33, 33, 66, 66, 66, 99, 99, 99]);
    const ts0 = packets[0].p.header.timestamp;
    expect(packets.map((x) => (x.p.header.timestamp - ts0) >>> 0)).to.deep.equal([0, 0, 0, 3000, 3000, 3000, 6000, 6000, 6000]);
    expect(packets.map((x) => x.p.header.marker)).to.deep.equal([false, false, true, false, false, true, false, false, true]);
    const ids = packets.filter((_, i) => i % 3 === 0).map((x) => parseVp8PayloadDescriptor(x.p.payload).pictureId!);
    expect([(ids[1] - ids[0]) & 0x7fff, (ids[2] - ids[1]) & 0x7fff]).to.deep.equal([1, 1]);
    expect(packets.every((x) => x.p.header.payloadType === 96 && x.p.header.ssrc === 5)).to.equal(true);
  });

  it('rejects an impossible frame rate with RXSFU_ERR_INVALID_ARGUMENT, as an error notification', () => {
    const errors: unknown[] = [];
    vp8RtpPackets$({ fps: 0 }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).to.have.length(1);
    expect(isRxsfuError(errors[0], 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });

  it('leaves no timer behind once unsubscribed (real scheduler)', async () => {
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const before = await resourceBaseline(['Timeout']);
    const received: RtpPacket[] = [];
    let frameDone!: () => void;
    const firstFrame = new Promise<void>((resolve) => (frameDone = resolve));
    const subscription = vp8RtpPackets$().subscribe((p) => {
      received.push(p);
      if (p.header.marker) frameDone();
    });
    await firstFrame;
    expect(resourceCounts(['Timeout']).Timeout).to.be.greaterThan(before.Timeout!); // the source's frame clock
    await nextTurn(); // out of the timer callback: Node lists a timer cleared inside its own callback until it returns
    subscription.unsubscribe();
    await nextTurn();
    expect(received.length).to.be.greaterThan(0);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });
});

