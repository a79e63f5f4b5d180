import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { PictureLossIndication, RtcpPayloadSpecificFeedback, type RtcpPacket } from 'werift';
import { firSequenceNumbers, newFullIntraRequests } from '../../lib/rtc/keyframe-requests.js';
import { fullIntraRequest } from '../../lib/emulator/media/keyframe-feedback.js';

const SSRC = 0x1234abcd;
/** A FIR as it arrives: serialized by the emulator's builder, parsed back by werift. */
const fir = (sequenceNumber: number, ssrc = SSRC): RtcpPacket => {
  const wire = fullIntraRequest(1, ssrc, sequenceNumber).serialize();
  return RtcpPayloadSpecificFeedback.deSerialize(wire.subarray(4), { count: 4 } as never) as RtcpPacket;
};
const pli = (): RtcpPacket => new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: SSRC }) }) as RtcpPacket;

describe('rtc/keyframe-requests: FIR as well as PLI (RFC 5104)', () => {
  it('reads the FIR entries for our SSRC only, and nothing from a PLI', () => {
    expect(firSequenceNumbers(fir(7), SSRC)).to.deep.equal([7]);
    expect(firSequenceNumbers(fir(7, 99), SSRC)).to.deep.equal([]);
    expect(firSequenceNumbers(pli(), SSRC)).to.deep.equal([]);
  });

  it('counts each FIR sequence number once: a repeat is a retransmission of the same request', () => {
    new TestScheduler((a, b) => {
      expect(a).to.deep.equal(b);
    }).run(({ cold, expectObservable }) => {
      const rtcp$ = cold<RtcpPacket>('-a-a-b-p-c|', { a: fir(1), b: fir(2), p: pli(), c: fir(1) });
      expectObservable(newFullIntraRequests(rtcp$, () => SSRC)).toBe('-x---x---x|', { x: undefined });
    });
  });
});
