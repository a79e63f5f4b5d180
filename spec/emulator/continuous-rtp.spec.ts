import { expect } from 'chai';
import { continuousRtp } from '../../lib/emulator/media/continuous-rtp.js';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';

const packet = (sequenceNumber: number, timestamp: number): RtpPacket => ({
  header: { payloadType: 111, sequenceNumber, timestamp, ssrc: 42, marker: false },
  payload: Buffer.from([sequenceNumber & 0xff]),
});
const numbers = (p: RtpPacket) => [p.header.sequenceNumber, p.header.timestamp];

describe('continuousRtp (one RTP stream per simulated track across speak())', () => {
  it('leaves the first source as it is', () => {
    const stream = continuousRtp();
    expect([packet(100, 1000), packet(101, 1960)].map(stream).map(numbers)).to.deep.equal([[100, 1000], [101, 1960]]);
  });

  it('a new source runs on from the last packet: next sequence number, one frame later', () => {
    const stream = continuousRtp();
    [packet(100, 1000), packet(101, 1960)].forEach(stream);
    stream.newSource(960);
    expect([packet(5, 777), packet(6, 1737)].map(stream).map(numbers)).to.deep.equal([[102, 2920], [103, 3880]]);
  });

  it('a new source numbered just behind the old one (what a listener dropped as late) still runs on', () => {
    const stream = continuousRtp();
    [packet(100, 1000), packet(101, 1960)].forEach(stream);
    stream.newSource(960);
    expect(numbers(stream(packet(60, 500)))).to.deep.equal([102, 2920]);
  });

  it('wraps sequence numbers and timestamps, and keeps payload and the other header fields', () => {
    const stream = continuousRtp();
    stream(packet(0xffff, 0xffffffff));
    stream.newSource(960);
    const next = stream(packet(7, 5));
    expect(numbers(next)).to.deep.equal([0, 959]);
    expect(next.header).to.include({ payloadType: 111, ssrc: 42, marker: false });
    expect([...next.payload]).to.deep.equal([7]);
  });
});
