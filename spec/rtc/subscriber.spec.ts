import { expect } from 'chai';
import { filter, firstValueFrom, interval, NEVER, Subject, take, takeUntil, toArray } from 'rxjs';
import { MediaStream, MediaStreamTrack, type RTCRtpTransceiver } from 'werift';
import { createSubscriber, rtcConfiguration, type RemoteTrack, type Subscriber } from '../../lib/rtc/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { isRxsfuError, type RxsfuError } from '../../lib/errors.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { createSfuSide, numberedPacket, packetNumber, trickleTo, waitForState, type SfuSide } from './sfu-side.js';

/** The SFU side adds a sendonly track carrying the Stream stream-id convention. */
function sendTrack(sfu: SfuSide, kind: 'audio' | 'video', streamId: string): { track: MediaStreamTrack; transceiver: RTCRtpTransceiver } {
  const track = new MediaStreamTrack({ kind });
  const transceiver = sfu.pc.addTransceiver(track, { direction: 'sendonly', streams: [new MediaStream({ id: streamId, tracks: [track] })] });
  return { track, transceiver };
}

function connect(): { sfu: SfuSide; subscriber: Subscriber; errors: RxsfuError[] } {
  const sfu = createSfuSide();
  const subscriber = createSubscriber({ rtc: rtcConfiguration({ loopbackOnly: true }), sendAnswer: sfu.sendAnswer });
  subscriber.localCandidate$.subscribe((json) => sfu.addCandidate(json));
  trickleTo(sfu, subscriber.addRemoteCandidate);
  const errors: RxsfuError[] = [];
  subscriber.negotiationError$.subscribe((e) => errors.push(e));
  return { sfu, subscriber, errors };
}

/** Writes numbered packets every 5 ms until `stop`. */
function pump(track: MediaStreamTrack, stop: Subject<void>): void {
  interval(5).pipe(takeUntil(stop)).subscribe((i) => track.writeRtp(numberedPacket(i, track.kind === 'audio' ? 111 : 96)));
}

async function offer(sfu: SfuSide, subscriber: Subscriber, negotiationId: number, iceRestart = false): Promise<void> {
  subscriber.handleOffer({ sdp: await sfu.offer(), negotiationId, iceRestart });
  await firstValueFrom(interval(5).pipe(filter(() => sfu.answers.includes(negotiationId))));
}

describe('rtc/subscriber', function () {
  this.timeout(15000);
  let cleanup: (() => void)[] = [];
  afterEach(() => {
    cleanup.forEach((f) => f());
    cleanup = [];
  });

  it('answers an audio+video offer and maps stream ids to prefix and track type; rtp$ delivers', async () => {
    const { sfu, subscriber, errors } = connect();
    const stop = new Subject<void>();
    cleanup.push(() => stop.next(), () => subscriber.close(), () => void sfu.close());
    const audio = sendTrack(sfu, 'audio', 'a1b2c3:TRACK_TYPE_AUDIO');
    const video = sendTrack(sfu, 'video', 'a1b2c3:TRACK_TYPE_VIDEO');
    const tracks = firstValueFrom(subscriber.remoteTrack$.pipe(take(2), toArray()));
    await offer(sfu, subscriber, 7);
    expect(sfu.answers).to.deep.equal([7]);
    const [first, second] = await tracks;
    const byKind = new Map([first, second].map((t) => [t.kind, t]));
    expect([byKind.get('audio')?.trackLookupPrefix, byKind.get('audio')?.trackType]).to.deep.equal(['a1b2c3', TrackType.TRACK_TYPE_AUDIO]);
    expect([byKind.get('video')?.trackLookupPrefix, byKind.get('video')?.trackType]).to.deep.equal(['a1b2c3', TrackType.TRACK_TYPE_VIDEO]);
    await waitForState(subscriber.connectionState$, 'connected');
    pump(audio.track, stop);
    pump(video.track, stop);
    const [audioPackets, videoPackets] = await Promise.all(
      (['audio', 'video'] as const).map((kind) => firstValueFrom(byKind.get(kind)!.rtp$.pipe(take(20), toArray()))),
    );
    for (const packets of [audioPackets, videoPackets]) {
      const numbers = packets.map(packetNumber);
      expect(numbers).to.deep.equal(numbers.map((_, i) => numbers[0] + i));
    }
    expect(errors).to.deep.equal([]);
  });

  it('a re-offer that adds a track adds a remote track; one that stops it ends it', async () => {
    const { sfu, subscriber, errors } = connect();
    cleanup.push(() => subscriber.close(), () => void sfu.close());
    sendTrack(sfu, 'audio', 'aaa:TRACK_TYPE_AUDIO');
    const seen: RemoteTrack[] = [];
    subscriber.remoteTrack$.subscribe((t) => seen.push(t));
    await offer(sfu, subscriber, 1);
    await waitForState(subscriber.connectionState$, 'connected');
    const added = sendTrack(sfu, 'video', 'bbb:TRACK_TYPE_SCREEN_SHARE');
    await offer(sfu, subscriber, 2);
    await firstValueFrom(interval(5).pipe(filter(() => seen.length === 2)));
    expect(seen.map((t) => [t.trackLookupPrefix, t.trackType])).to.deep.equal([
      ['aaa', TrackType.TRACK_TYPE_AUDIO],
      ['bbb', TrackType.TRACK_TYPE_SCREEN_SHARE],
    ]);
    let audioEnded = false;
    seen[0].ended$.subscribe(() => (audioEnded = true));
    const screenEnded = firstValueFrom(seen[1].ended$);
    added.transceiver.stop();
    await offer(sfu, subscriber, 3);
    await screenEnded;
    expect(audioEnded).to.equal(false);
    // A late subscriber sees the live tracks only.
    const live = await firstValueFrom(subscriber.remoteTrack$.pipe(take(1)));
    expect(live.streamId).to.equal('aaa:TRACK_TYPE_AUDIO');
    expect(errors).to.deep.equal([]);
  });

  it('ICE restart: new-ufrag candidates that arrive before the restart offer wait for it', async () => {
    // werift buffers early candidates on a first connection itself, but during an ICE restart it
    // rejects candidates whose ufrag is not in the current remote description (WERIFT.md pitfall 3).
    const { sfu, subscriber, errors } = connect();
    const stop = new Subject<void>();
    cleanup.push(() => stop.next(), () => subscriber.close(), () => void sfu.close());
    const audio = sendTrack(sfu, 'audio', 'p:TRACK_TYPE_AUDIO');
    const remote = firstValueFrom(subscriber.remoteTrack$);
    await offer(sfu, subscriber, 1);
    await waitForState(subscriber.connectionState$, 'connected');
    let received = 0;
    (await remote).rtp$.subscribe(() => (received += 1));
    pump(audio.track, stop);
    await firstValueFrom(interval(10).pipe(filter(() => received >= 10)));
    // From here on the SFU side's candidates reach the client only before the restart offer.
    const early: string[] = [];
    sfu.pc.onIceCandidate.subscribe((c) => c && early.push(JSON.stringify(c.toJSON())));
    const restartSdp = (await sfu.offer({ iceRestart: true })).replace(/a=(candidate:[^\r\n]*|end-of-candidates)\r?\n/g, '');
    const newUfrag = restartSdp.match(/a=ice-ufrag:(\S+)/)?.[1];
    expect(early.length).to.be.greaterThan(0);
    expect(early.every((json) => JSON.parse(json).usernameFragment === newUfrag)).to.equal(true);
    sfu.pc.onIceCandidate.allUnsubscribe();
    early.forEach((json) => subscriber.addRemoteCandidate(json));
    subscriber.handleOffer({ sdp: restartSdp, negotiationId: 2, iceRestart: true });
    await firstValueFrom(interval(5).pipe(filter(() => sfu.answers.includes(2))));
    const afterRestart = received;
    await firstValueFrom(interval(10).pipe(filter(() => received >= afterRestart + 50)));
    expect(errors).to.deep.equal([]);
  });

  it('sends local candidates only after SendAnswer went out', async () => {
    const sfu = createSfuSide();
    const events: string[] = [];
    const subscriber = createSubscriber({
      rtc: rtcConfiguration({ loopbackOnly: true }),
      sendAnswer: (req) => {
        events.push('answer');
        return sfu.sendAnswer(req);
      },
    });
    cleanup.push(() => subscriber.close(), () => void sfu.close());
    subscriber.localCandidate$.subscribe((json) => {
      events.push('candidate');
      sfu.addCandidate(json);
    });
    trickleTo(sfu, subscriber.addRemoteCandidate);
    sendTrack(sfu, 'audio', 'p:TRACK_TYPE_AUDIO');
    await offer(sfu, subscriber, 1);
    await waitForState(subscriber.connectionState$, 'connected');
    expect(events[0]).to.equal('answer');
    expect(events.filter((e) => e === 'candidate').length).to.be.greaterThan(0);
  });

  it('reports a bad offer on negotiationError$ and still answers the next one', async () => {
    const { sfu, subscriber, errors } = connect();
    cleanup.push(() => subscriber.close(), () => void sfu.close());
    subscriber.handleOffer({ sdp: 'v=0\r\nnonsense', negotiationId: 1, iceRestart: false });
    subscriber.handleOffer({ sdp: '', negotiationId: 2, iceRestart: false });
    sendTrack(sfu, 'audio', 'p:TRACK_TYPE_AUDIO');
    await offer(sfu, subscriber, 3);
    expect(errors.map((e) => e.code).sort()).to.deep.equal(['RXSFU_ERR_INVALID_ARGUMENT', 'RXSFU_ERR_WEBRTC']);
    expect(sfu.answers).to.deep.equal([3]);
  });

  it('bounds an answer whose SendAnswer never returns: RXSFU_ERR_WEBRTC on negotiationError$, and the next offer is answered (issue 9)', async () => {
    const sfu = createSfuSide();
    let sends = 0;
    const subscriber = createSubscriber({
      rtc: rtcConfiguration(),
      negotiationTimeoutMs: 300,
      sendAnswer: (req) => (++sends === 1 ? NEVER : sfu.sendAnswer(req)),
    });
    const errors: RxsfuError[] = [];
    subscriber.negotiationError$.subscribe((e) => errors.push(e));
    cleanup.push(() => subscriber.close(), () => void sfu.close());
    sendTrack(sfu, 'audio', 'p:TRACK_TYPE_AUDIO');
    subscriber.handleOffer({ sdp: await sfu.offer(), negotiationId: 1, iceRestart: false });
    await firstValueFrom(interval(5).pipe(filter(() => errors.length > 0)));
    expect(errors[0]!.code).to.equal('RXSFU_ERR_WEBRTC');
    expect(errors[0]!.message).to.match(/subscriber answer timed out after 300 ms/);
    await offer(sfu, subscriber, 2);
    expect(sfu.answers).to.include(2);
  });

  it('refuses an offer whose BUNDLE group leaves out a media section (max-bundle), answers the next one, and leaves no UDP socket after close (issue 9)', async () => {
    const before = await resourceBaseline(['UDPWrap']);
    const { sfu, subscriber, errors } = connect();
    sendTrack(sfu, 'audio', 'p:TRACK_TYPE_AUDIO');
    sendTrack(sfu, 'video', 'p:TRACK_TYPE_VIDEO');
    const full = await sfu.offer();
    const group = /a=group:BUNDLE ([^\r\n]+)/.exec(full)!;
    const unbundled = full.replace(group[0], `a=group:BUNDLE ${group[1]!.split(' ')[0]}`);
    subscriber.handleOffer({ sdp: unbundled, negotiationId: 1, iceRestart: false });
    await offer(sfu, subscriber, 2);
    expect(errors.map((e) => [e.code, /BUNDLE/.test(e.message)])).to.deep.equal([['RXSFU_ERR_WEBRTC', true]]);
    expect(sfu.answers).to.deep.equal([2]);
    await waitForState(subscriber.connectionState$, 'connected');
    subscriber.close();
    await firstValueFrom(subscriber.closed$);
    await sfu.close();
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('ignores an offer after close: no throw, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanup.push(() => process.off('unhandledRejection', onUnhandled));
    const { sfu, subscriber } = connect();
    cleanup.push(() => void sfu.close());
    sendTrack(sfu, 'audio', 'p:TRACK_TYPE_AUDIO');
    const sdp = await sfu.offer();
    // One offer in flight while closing, one after.
    subscriber.handleOffer({ sdp, negotiationId: 1, iceRestart: false });
    subscriber.close();
    expect(() => subscriber.handleOffer({ sdp, negotiationId: 2, iceRestart: false })).to.not.throw();
    expect(() => subscriber.addRemoteCandidate('{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}')).to.not.throw();
    await firstValueFrom(subscriber.closed$);
    // Give any stray promise a turn of the event loop to reject.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).to.deep.equal([]);
    expect(sfu.answers).to.not.include(2);
  });

  it('parses stream ids that break the convention without losing the track', async () => {
    const { parseStreamId } = await import('../../lib/rtc/index.js');
    expect(parseStreamId('x:y:TRACK_TYPE_VIDEO')).to.deep.equal({ trackLookupPrefix: 'x:y', trackType: TrackType.TRACK_TYPE_VIDEO });
    expect(parseStreamId('plain')).to.deep.equal({ trackLookupPrefix: '', trackType: TrackType.TRACK_TYPE_UNSPECIFIED });
    expect(parseStreamId('p:TRACK_TYPE_BOGUS')).to.deep.equal({ trackLookupPrefix: 'p', trackType: TrackType.TRACK_TYPE_UNSPECIFIED });
    expect(isRxsfuError(new Error('x'))).to.equal(false);
  });
});
