import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createPublisher, createSubscriber, rtcConfiguration } from '../../lib/rtc/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { resourceBaseline, resourceCounts, resourceGrowth } from '../support/resources.js';
import { createSfuSide, trickleTo, waitForState } from './sfu-side.js';
import { trackTimers } from './resources.js';

describe('rtc/lifecycle: close', function () {
  this.timeout(15000);

  it('close() twice does not hang or throw; closed$ fires; streams complete', async () => {
    const sfu = createSfuSide();
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: sfu.setPublisher });
    publisher.localCandidate$.subscribe((json) => sfu.addCandidate(json));
    trickleTo(sfu, publisher.addRemoteCandidate);
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    await waitForState(publisher.connectionState$, 'connected');
    await sfu.settled();
    const states = lastValueFrom(publisher.connectionState$.pipe(toArray()));
    const iceStates = lastValueFrom(publisher.iceConnectionState$.pipe(toArray()));
    const candidates = lastValueFrom(publisher.localCandidate$.pipe(toArray()));
    publisher.close();
    publisher.close();
    await firstValueFrom(publisher.closed$);
    publisher.close();
    expect((await states).at(-1)).to.equal('closed');
    // ICE state (the ICE-restart trigger) starts from where ICE is now and completes at close.
    expect((await iceStates)[0]).to.be.oneOf(['connected', 'completed']);
    expect((await candidates).length).to.be.greaterThan(0);
    await sfu.close();
  });

  it('after close: negotiate$ fails with RXSFU_ERR_WEBRTC, addTrack throws it, candidates are ignored', async () => {
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: () => { throw new Error('not reached'); } });
    publisher.close();
    const err = await lastValueFrom(publisher.negotiate$()).catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_WEBRTC')).to.equal(true);
    expect(() => publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO)).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_WEBRTC'));
    expect(() => publisher.addRemoteCandidate('{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}')).to.not.throw();
    await firstValueFrom(publisher.closed$);
  });

  it('close() during a negotiation fails that negotiation instead of leaving it pending', async () => {
    const sfu = createSfuSide();
    // SetPublisher that never answers: the negotiation is stuck until close.
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: () => new Promise<never>(() => undefined) as never });
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    const result = lastValueFrom(publisher.negotiate$()).catch((e: unknown) => e);
    publisher.close();
    expect(isRxsfuError(await result, 'RXSFU_ERR_WEBRTC')).to.equal(true);
    await sfu.close();
  });

  it('leaves no UDP socket and no timer behind once publisher and subscriber are closed', async () => {
    const before = await resourceBaseline(['UDPWrap']);
    const timers = trackTimers();
    const sfuPub = createSfuSide();
    const sfuSub = createSfuSide();
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: sfuPub.setPublisher });
    publisher.localCandidate$.subscribe((json) => sfuPub.addCandidate(json));
    trickleTo(sfuPub, publisher.addRemoteCandidate);
    const subscriber = createSubscriber({ rtc: rtcConfiguration({ loopbackOnly: true }), sendAnswer: sfuSub.sendAnswer });
    subscriber.localCandidate$.subscribe((json) => sfuSub.addCandidate(json));
    trickleTo(sfuSub, subscriber.addRemoteCandidate);
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    sfuSub.pc.addTransceiver('audio', { direction: 'sendonly' });
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    subscriber.handleOffer({ sdp: await sfuSub.offer(), negotiationId: 1, iceRestart: false });
    await Promise.all([waitForState(publisher.connectionState$, 'connected'), waitForState(subscriber.connectionState$, 'connected')]);
    expect(resourceCounts(['UDPWrap']).UDPWrap).to.be.greaterThan(before.UDPWrap!);
    publisher.close();
    subscriber.close();
    await Promise.all([firstValueFrom(publisher.closed$), firstValueFrom(subscriber.closed$), sfuPub.close(), sfuSub.close()]);
    // werift closes its sockets asynchronously after its close() resolves: the check waits for them to go.
    expect(await resourceGrowth(before, 8000)).to.deep.equal({});
    timers.stop();
    expect(timers.ours()).to.deep.equal([]);
  });
});
