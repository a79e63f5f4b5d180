import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { RtpHeader, RtpPacket } from 'werift';
import { jitterBuffer, unwrapSequence, type JitterOutput } from '../../lib/media/jitter-buffer.js';

const packet = (sequenceNumber: number, ssrc = 1) =>
  new RtpPacket(new RtpHeader({ sequenceNumber, timestamp: sequenceNumber * 960, ssrc, payloadType: 111 }), Buffer.from([sequenceNumber & 0xff]));

/** `seq`, then `-n` when n were lost before it, `R` on a restart, `Ln` when n were late so far. */
const show = (o: JitterOutput) =>
  `${o.packet.header.sequenceNumber}${o.lostBefore ? `-${o.lostBefore}` : ''}${o.restart ? 'R' : ''}${o.late ? `L${o.late}` : ''}`;

describe('media/jitter-buffer', () => {
  const newScheduler = () => new TestScheduler((actual, expected) => { expect(actual).to.deep.equal(expected); });
  const values = { a: packet(1), b: packet(2), c: packet(3), d: packet(4), e: packet(5), f: packet(6) };

  it('passes packets in order at once', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-b-c|', values);
      expectObservable(in$.pipe(jitterBuffer({ scheduler: s }), map(show))).toBe('-x-y-z|', { x: '1R', y: '2', z: '3' });
    });
  });

  it('reorders a packet that arrives within the wait', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-c-b------d|', values);
      expectObservable(in$.pipe(jitterBuffer({ maxWaitMs: 10, scheduler: s }), map(show))).toBe('-x---(yz)---w|', { x: '1R', y: '2', z: '3', w: '4' });
    });
  });

  it('declares a missing packet lost after maxWaitMs and drops it as late when it comes after', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-c-d------b-e|', values);
      // 3 and 4 wait for 2 from frame 3 until frame 9 (maxWaitMs 6); 2 then arrives late.
      expectObservable(in$.pipe(jitterBuffer({ maxWaitMs: 6, scheduler: s }), map(show))).toBe('-x-------(yz)-w|', { x: '1R', y: '3-1', z: '4', w: '5L1' });
    });
  });

  it('releases behind a gap once depth packets wait (bounded depth)', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-c-d-e-----|', values);
      expectObservable(in$.pipe(jitterBuffer({ depth: 2, maxWaitMs: 100, scheduler: s }), map(show))).toBe('-x-----(yzw)-|', { x: '1R', y: '3-1', z: '4', w: '5' });
    });
  });

  it('starts over on a new SSRC (a reconnect): restart, no loss inferred', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-b-n-m|', { a: packet(1), b: packet(2), n: packet(40000, 2), m: packet(40001, 2) });
      expectObservable(in$.pipe(jitterBuffer({ scheduler: s }), map(show))).toBe('-x-y-z-w|', { x: '1R', y: '2', z: '40000R', w: '40001' });
    });
  });

  it('a sender that restarts its numbering a little behind on the same SSRC: after three late packets in a row, a new stream', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      // 100..102, then the sender starts over at 30 (same SSRC): 30 and 31 are dropped as late, 32 restarts.
      const in$ = cold('-a-b-c-p-q-r-t|', { a: packet(100), b: packet(101), c: packet(102), p: packet(30), q: packet(31), r: packet(32), t: packet(33) });
      expectObservable(in$.pipe(jitterBuffer({ restartOnLateRun: true, scheduler: s }), map(show))).toBe('-x-y-z-----u-v|', { x: '100R', y: '101', z: '102', u: '32RL2', v: '33L2' });
      // Off (the default, video's buffer: NACK retransmissions come in runs): they all stay late.
      expectObservable(in$.pipe(jitterBuffer({ scheduler: s }), map(show))).toBe('-x-y-z--------|', { x: '100R', y: '101', z: '102' });
    });
  });

  it('late packets that are near, or not a run, stay late (retransmissions, reordering): no restart', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      // 60..62 are late but within 50 of the next expected (103); 10, 20, 30 are far behind but do not follow each other.
      const late = { a: packet(100), b: packet(101), c: packet(102), p: packet(60), q: packet(61), r: packet(62), k: packet(10), l: packet(20), m: packet(30), t: packet(103) };
      expectObservable(cold('-a-b-c-p-q-r-k-l-m-t|', late).pipe(jitterBuffer({ restartOnLateRun: true, scheduler: s }), map(show))).toBe('-x-y-z-------------w|', { x: '100R', y: '101', z: '102', w: '103L6' });
    });
  });

  it('follows the sequence number through its 16-bit wrap', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-c-b---|', { a: packet(65534), b: packet(65535), c: packet(0) });
      expectObservable(in$.pipe(jitterBuffer({ maxWaitMs: 50, scheduler: s }), map(show))).toBe('-x---(yz)|', { x: '65534R', y: '65535', z: '0' });
    });
    expect(unwrapSequence(2, 65535)).to.equal(65538);
    expect(unwrapSequence(65535, 65538)).to.equal(65535);
  });

  it('releases what it holds when the source completes, and drops duplicates as late', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('-a-a-c|', values);
      expectObservable(in$.pipe(jitterBuffer({ maxWaitMs: 50, scheduler: s }), map(show))).toBe('-x----(y|)', { x: '1R', y: '3-1L1' });
    });
  });
});
