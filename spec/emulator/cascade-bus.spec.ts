import { expect } from 'chai';
import { RtpHeader, RtpPacket } from 'werift';
import { RtpRouter } from '../../lib/emulator/media/rtp-router.js';
import { sameCall, TrackBus } from '../../lib/emulator/media/track-bus.js';
import { TrackType } from '../../lib/protocol/index.js';

const AUDIO = TrackType.TRACK_TYPE_AUDIO;
const packet = (seq: number) => new RtpPacket(new RtpHeader({ sequenceNumber: seq, payloadType: 111 }), Buffer.from([seq]));
const mover = { sessionId: 'm', trackType: AUDIO };

/** Two SFUs' forwarding tables on one bus. */
function twoSfus() {
  const bus = new TrackBus();
  return { bus, sfu0: new RtpRouter(bus), sfu1: new RtpRouter(bus) };
}

describe('emulator/media TrackBus (cascading between SFUs)', () => {
  it('a track published on one SFU reaches a sink on another; each SFU counts its own end', () => {
    const { sfu0, sfu1 } = twoSfus();
    expect(sfu0.announce(mover)).to.equal(true);
    expect(sfu1.published()).to.deep.equal([mover]);
    const got: number[] = [];
    expect(sfu1.attach('listener', mover, (p) => got.push(p.header.sequenceNumber))).to.equal(true);
    [1, 2].forEach((n) => sfu0.publish(mover, packet(n)));
    expect(got).to.deep.equal([1, 2]);
    expect(sfu0.receivedFrom('m')).to.deep.equal([{ trackType: AUDIO, packets: 2 }]);
    expect(sfu1.receivedFrom('m')).to.deep.equal([]);
    expect(sfu1.forwardedTo('listener')).to.deep.equal([{ fromSessionId: 'm', trackType: AUDIO, packets: 2 }]);
    expect(sfu0.forwardedTo('listener')).to.deep.equal([]);
  });

  it('a moved publisher: the new SFU takes the track over, sinks stay, the old SFU can neither forward nor withdraw it', () => {
    const { sfu0, sfu1 } = twoSfus();
    sfu0.announce(mover);
    const got: string[] = [];
    sfu0.attach('listener', mover, (p) => got.push(`${p.header.sequenceNumber}`));
    expect(sfu1.announce(mover), 'not a new track for the subscribers').to.equal(false);
    sfu0.publish(mover, packet(1)); // the old publisher connection, still up until the migration completes
    sfu1.publish(mover, packet(2));
    expect(sfu0.withdraw(mover)).to.equal(false);
    sfu0.removeSession('m');
    sfu1.publish(mover, packet(3));
    expect(got).to.deep.equal(['2', '3']);
    expect(sfu1.withdraw(mover)).to.equal(true);
    expect(sfu0.published()).to.deep.equal([]);
  });

  it('the same session subscribing on two SFUs (during MIGRATE) has two sinks; removing one leaves the other', () => {
    const { sfu0, sfu1 } = twoSfus();
    const source = { sessionId: 'p', trackType: AUDIO };
    sfu0.announce(source);
    const got: string[] = [];
    sfu0.attach('s', source, () => got.push('old'));
    sfu1.attach('s', source, () => got.push('new'));
    sfu0.removeSession('s');
    sfu0.publish(source, packet(1));
    expect(got).to.deep.equal(['new']);
    expect(sfu0.isAttached('s', source)).to.equal(false);
    expect(sfu1.isAttached('s', source)).to.equal(true);
  });

  it('changed() reaches every listener until it unsubscribes; registrations belong to the latest owner', () => {
    const bus = new TrackBus();
    const calls: string[] = [];
    const stop = bus.onChange(() => calls.push('a'));
    bus.onChange(() => calls.push('b'));
    bus.changed();
    stop();
    bus.changed();
    expect(calls).to.deep.equal(['a', 'b', 'b']);
    const [old, current] = [{}, {}];
    bus.register({ sessionId: 'm', userId: 'u', trackLookupPrefix: 'p0', callCid: 'default:x' }, old);
    bus.register({ sessionId: 'm', userId: 'u', trackLookupPrefix: 'p0', callCid: 'default:x' }, current);
    bus.unregister('m', old);
    expect(bus.participant('m')?.trackLookupPrefix).to.equal('p0');
    bus.unregister('m', current);
    expect(bus.participant('m')).to.equal(undefined);
  });

  it('sameCall: same call, or a call unknown on either side', () => {
    const p = (callCid?: string) => ({ sessionId: 's', userId: 'u', trackLookupPrefix: 'x', callCid });
    expect(sameCall(p('default:a'), p('default:a'))).to.equal(true);
    expect(sameCall(p('default:a'), p('default:b'))).to.equal(false);
    expect(sameCall(p(), p('default:b'))).to.equal(true);
  });
});
