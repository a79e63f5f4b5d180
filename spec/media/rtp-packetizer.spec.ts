import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map, take, toArray, lastValueFrom, of } from 'rxjs';
import { packetize, createRtpSequencer } from '../../lib/media/rtp-packetizer.js';
import { opusRtpPackets$ } from '../../lib/media/opus-rtp.js';
import { isRxsfuError } from '../../lib/errors.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('media/rtp-packetizer', () => {
  const scheduler = () => new TestScheduler((actual, expected) => { expect(actual).to.deep.equal(expected); });

  it('emits one packet per frame at the frame time, seq +1 and timestamp +step (marbles)', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const frames = cold('-a--b--c--|', { a: [bytes(1)], b: [bytes(2)], c: [bytes(3)] });
      const packets = frames.pipe(
        packetize({ payloadType: 111, timestampStep: 960, ssrc: 42, initialSequenceNumber: 65534, initialTimestamp: 2 ** 32 - 960 }),
        map((p) => ({ seq: p.header.sequenceNumber, ts: p.header.timestamp, m: p.header.marker, pt: p.header.payloadType, ssrc: p.header.ssrc, data: p.payload[0] })),
      );
      expectObservable(packets).toBe('-a--b--c--|', {
        a: { seq: 65534, ts: 2 ** 32 - 960, m: true, pt: 111, ssrc: 42, data: 1 },
        b: { seq: 65535, ts: 0, m: false, pt: 111, ssrc: 42, data: 2 },
        c: { seq: 0, ts: 960, m: false, pt: 111, ssrc: 42, data: 3 },
      });
      expectSubscriptions(frames.subscriptions).toBe('^---------!');
    });
  });

  it('marks the last packet of each frame for video and keeps one timestamp per frame', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const frames = cold('-a----b|', { a: [bytes(1), bytes(2), bytes(3)], b: [bytes(4)] });
      const packets = frames.pipe(
        packetize({ payloadType: 96, timestampStep: 3000, marker: 'frame-end', ssrc: 7, initialSequenceNumber: 10, initialTimestamp: 0 }),
        map((p) => `${p.header.sequenceNumber}/${p.header.timestamp}/${p.header.marker ? 'M' : '-'}`),
      );
      expectObservable(packets).toBe('-(xyz)w|', { x: '10/0/-', y: '11/0/-', z: '12/0/M', w: '13/3000/M' });
    });
  });

  it('passes errors through and unsubscribes the source early', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const frames = cold('-a--#', { a: [bytes(1)] });
      const packets = frames.pipe(packetize({ payloadType: 96, timestampStep: 1, ssrc: 1, initialSequenceNumber: 0, initialTimestamp: 0 }), map((p) => p.header.sequenceNumber));
      expectObservable(packets).toBe('-a--#', { a: 0 });
      const never = cold('-a-b-c', { a: [bytes(1)], b: [bytes(2)], c: [bytes(3)] });
      expectObservable(never.pipe(packetize({ payloadType: 96, timestampStep: 1, ssrc: 1, initialSequenceNumber: 0, initialTimestamp: 0 }), map((p) => p.header.sequenceNumber)), '^----!').toBe('-a-b-', { a: 0, b: 1 });
      expectSubscriptions(never.subscriptions).toBe('^----!');
    });
  });

  it('gives each subscription its own random SSRC and starting points', async () => {
    const frames$ = of([bytes(1)], [bytes(2)]);
    const a = await lastValueFrom(frames$.pipe(packetize({ payloadType: 96, timestampStep: 1 }), toArray()));
    const b = await lastValueFrom(frames$.pipe(packetize({ payloadType: 96, timestampStep: 1 }), toArray()));
    expect(a[0].header.ssrc).to.equal(a[1].header.ssrc);
    expect(a[0].header.ssrc).to.not.equal(b[0].header.ssrc);
    expect(a[1].header.sequenceNumber).to.equal((a[0].header.sequenceNumber + 1) & 0xffff);
  });

  it('rejects bad options with RXSFU_ERR_INVALID_ARGUMENT', async () => {
    expect(() => createRtpSequencer({ payloadType: 200, timestampStep: 960 })).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
    const failed = await lastValueFrom(of([bytes(1)]).pipe(packetize({ payloadType: 96, timestampStep: 0 }), toArray())).catch((e: unknown) => e);
    expect(isRxsfuError(failed, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });

  it('opusRtpPackets$ paces one Opus packet per 20 ms with timestamps +960 (virtual time)', () => {
    const ts = new TestScheduler(() => undefined);
    ts.run(({ flush }) => {
      const seen: { t: number; ts: number; seq: number; size: number; pt: number }[] = [];
      let first: { ts: number; seq: number } | undefined;
      opusRtpPackets$({ scheduler: ts, ssrc: 9 }).pipe(take(5)).subscribe((p) => {
        first ??= { ts: p.header.timestamp, seq: p.header.sequenceNumber };
        seen.push({ t: ts.now(), ts: (p.header.timestamp - first.ts) >>> 0, seq: (p.header.sequenceNumber - first.seq) & 0xffff, size: p.payload.length, pt: p.header.payloadType });
      });
      flush();
      expect(seen.map((s) => s.t)).to.deep.equal([20, 40, 60, 80, 100]);
      expect(seen.map((s) => s.ts)).to.deep.equal([0, 960, 1920, 2880, 3840]);
      expect(seen.map((s) => s.seq)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(seen.every((s) => s.pt === 111 && s.size > 10 && s.size < 400)).to.equal(true);
    });
  });
});
