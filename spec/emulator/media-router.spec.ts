import { expect } from 'chai';
import { RtpHeader, RtpPacket } from 'werift';
import { RtpRouter } from '../../lib/emulator/media/rtp-router.js';
import { OrderedQueue } from '../../lib/emulator/media/ordered-queue.js';
import { TrackType } from '../../lib/protocol/index.js';
import { isRxsfuError } from '../../lib/errors.js';

const AUDIO = TrackType.TRACK_TYPE_AUDIO;
const VIDEO = TrackType.TRACK_TYPE_VIDEO;
const packet = (seq: number) => new RtpPacket(new RtpHeader({ sequenceNumber: seq, payloadType: 111 }), Buffer.from([seq]));

describe('emulator/media RtpRouter', () => {
  it('copies each packet of a published track to every attached sink and counts both ends', () => {
    const router = new RtpRouter();
    expect(router.announce({ sessionId: 'p', trackType: AUDIO })).to.equal(true);
    expect(router.announce({ sessionId: 'p', trackType: AUDIO })).to.equal(false);
    const s1: number[] = [];
    const s2: number[] = [];
    router.attach('s1', { sessionId: 'p', trackType: AUDIO }, (p) => s1.push(p.header.sequenceNumber));
    router.attach('s2', { sessionId: 'p', trackType: AUDIO }, (p) => s2.push(p.header.sequenceNumber));
    [1, 2, 3].forEach((n) => router.publish({ sessionId: 'p', trackType: AUDIO }, packet(n)));
    router.detach('s2', { sessionId: 'p', trackType: AUDIO });
    router.publish({ sessionId: 'p', trackType: AUDIO }, packet(4));
    expect(s1).to.deep.equal([1, 2, 3, 4]);
    expect(s2).to.deep.equal([1, 2, 3]);
    expect(router.receivedFrom('p')).to.deep.equal([{ trackType: AUDIO, packets: 4 }]);
    expect(router.forwardedTo('s1')).to.deep.equal([{ fromSessionId: 'p', trackType: AUDIO, packets: 4 }]);
    expect(router.forwardedTo('s2')).to.deep.equal([{ fromSessionId: 'p', trackType: AUDIO, packets: 3 }]); // kept after detach
  });

  it('does not forward tracks that are not published; counts what arrives anyway', () => {
    const router = new RtpRouter();
    expect(router.attach('s', { sessionId: 'p', trackType: VIDEO }, () => expect.fail('forwarded'))).to.equal(false);
    router.publish({ sessionId: 'p', trackType: VIDEO }, packet(1));
    expect(router.receivedFrom('p')).to.deep.equal([{ trackType: VIDEO, packets: 1 }]);
    expect(router.forwardedTo('s')).to.deep.equal([]);
  });

  it('removeSession drops its tracks, its sinks on other tracks and its counters', () => {
    const router = new RtpRouter();
    router.announce({ sessionId: 'a', trackType: AUDIO });
    router.announce({ sessionId: 'b', trackType: AUDIO });
    const got: string[] = [];
    router.attach('a', { sessionId: 'b', trackType: AUDIO }, () => got.push('a'));
    router.attach('b', { sessionId: 'a', trackType: AUDIO }, () => got.push('b'));
    router.removeSession('a');
    router.publish({ sessionId: 'b', trackType: AUDIO }, packet(1));
    router.publish({ sessionId: 'a', trackType: AUDIO }, packet(1));
    expect(got).to.deep.equal([]);
    expect(router.published()).to.deep.equal([{ sessionId: 'b', trackType: AUDIO }]);
    expect(router.forwardedTo('a')).to.deep.equal([]);
  });
});

describe('emulator/media OrderedQueue', () => {
  it('runs steps one at a time in call order, even when earlier ones are slower', async () => {
    const queue = new OrderedQueue('test');
    const log: string[] = [];
    const step = (name: string, ticks: number) => async () => {
      log.push(`start ${name}`);
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([queue.run('a', step('a', 5)), queue.run('b', step('b', 0)), queue.run('c', step('c', 2))]);
    expect(results).to.deep.equal(['a', 'b', 'c']);
    expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failing step fails only its caller; after close() steps fail with RXSFU_ERR_WEBRTC', async () => {
    const queue = new OrderedQueue('test');
    const failed = queue.run('bad', () => Promise.reject(new Error('boom')));
    const ok = queue.run('good', () => Promise.resolve(1));
    expect(await failed.catch((e: Error) => e.message)).to.equal('boom');
    expect(await ok).to.equal(1);
    const waiting = queue.run('late', () => Promise.resolve(2));
    queue.close();
    expect(isRxsfuError(await waiting.catch((e: unknown) => e), 'RXSFU_ERR_WEBRTC')).to.equal(true);
  });
});
