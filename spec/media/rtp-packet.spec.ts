import { expect } from 'chai';
import { RtpHeader as WeriftRtpHeader, RtpPacket as WeriftRtpPacket } from 'werift';
import { isRtpPacket, type RtpPacket } from '../../lib/media/rtp-packet.js';
import { toWeriftRtp } from '../../lib/rtc/werift-rtp.js';

const plain: RtpPacket = {
  header: { payloadType: 111, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 0x01020304, marker: true, csrc: [7], extensions: [{ id: 1, payload: Uint8Array.of(0x80 | 30) }] },
  payload: Buffer.from([1, 2, 3]),
};

describe("media: rxsfu's own RtpPacket and its werift edge", () => {
  it('a plain packet goes on the wire with every header field (serialized by werift, parsed back)', () => {
    const wire = WeriftRtpPacket.deSerialize(toWeriftRtp(plain).serialize());
    const { payloadType, sequenceNumber, timestamp, ssrc, marker, csrc, extensions } = wire.header;
    expect({ payloadType, sequenceNumber, timestamp, ssrc, marker, csrc }).to.deep.equal({ payloadType: 111, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 0x01020304, marker: true, csrc: [7] });
    expect(extensions.map((e) => [e.id, [...e.payload]])).to.deep.equal([[1, [0x80 | 30]]]);
    expect([...wire.payload]).to.deep.equal([1, 2, 3]);
  });

  it("werift's own packets are rxsfu packets as they are: passed through, not copied", () => {
    const theirs = new WeriftRtpPacket(new WeriftRtpHeader({ payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3 }), Buffer.from([9]));
    const ours: RtpPacket = theirs;
    expect(isRtpPacket(ours)).to.equal(true);
    expect(toWeriftRtp(ours)).to.equal(theirs);
  });

  it('isRtpPacket refuses what would break the packetizer: out-of-range fields, a non-Buffer payload, bad extensions', () => {
    expect(isRtpPacket(plain)).to.equal(true);
    const variants: unknown[] = [
      null, 'rtp', { header: plain.header }, { header: plain.header, payload: [1, 2] },
      { ...plain, header: { ...plain.header, payloadType: 128 } },
      { ...plain, header: { ...plain.header, sequenceNumber: 65536 } },
      { ...plain, header: { ...plain.header, timestamp: -1 } },
      { ...plain, header: { ...plain.header, ssrc: 2 ** 32 } },
      { ...plain, header: { ...plain.header, marker: 1 } },
      { ...plain, header: { ...plain.header, csrc: 'x' } },
      { ...plain, header: { ...plain.header, extensions: [{ id: 1, payload: 'x' }] } },
    ];
    expect(variants.map(isRtpPacket)).to.deep.equal(variants.map(() => false));
  });
});
