import { expect } from 'chai';
import { firstValueFrom, interval, lastValueFrom, map, NEVER, of, takeUntil, Subject, filter, tap, throwError } from 'rxjs';
import { RTCPeerConnection, type MediaStreamTrack, type RtpPacket } from 'werift';
import { createPublisher, rtcConfiguration, type Publisher } from '../../lib/rtc/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { parseCandidate } from '../../lib/rtc/ice-candidates.js';
import { isRxsfuError, rxsfuError } from '../../lib/errors.js';
import { createSfuSide, numberedPacket, packetNumber, trickleTo, waitForState, type SfuSide } from './sfu-side.js';

function connect(): { sfu: SfuSide; publisher: Publisher; offers: string[] } {
  const sfu = createSfuSide();
  const offers: string[] = [];
  const publisher = createPublisher({
    rtc: rtcConfiguration({ loopbackOnly: true }),
    setPublisher: (req) => {
      offers.push(req.sdp);
      return sfu.setPublisher(req);
    },
  });
  publisher.localCandidate$.subscribe((json) => sfu.addCandidate(json));
  trickleTo(sfu, publisher.addRemoteCandidate);
  return { sfu, publisher, offers };
}

function firstRemoteTrack(sfu: SfuSide): Promise<MediaStreamTrack> {
  return new Promise((resolve) => sfu.pc.onTrack.once((track) => resolve(track)));
}

/** Writes packets every 5 ms until `stop` fires. */
function pump(write: (p: RtpPacket) => void, stop: Subject<void>, from = 0): void {
  interval(5)
    .pipe(takeUntil(stop))
    .subscribe((i) => write(numberedPacket(from + i)));
}

describe('rtc/publisher', function () {
  this.timeout(15000);
  let cleanup: (() => void)[] = [];
  afterEach(() => {
    cleanup.forEach((f) => f());
    cleanup = [];
  });

  it('negotiates with SetPublisher and delivers written RTP intact to the SFU side', async () => {
    const { sfu, publisher } = connect();
    cleanup.push(() => publisher.close(), () => void sfu.close());
    const audio = publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    expect(audio.mid).to.equal(null);
    const remote = firstRemoteTrack(sfu);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    expect(audio.mid).to.be.a('string').and.not.equal('');
    await waitForState(publisher.connectionState$, 'connected');
    const track = await remote;
    const received: number[] = [];
    const stop = new Subject<void>();
    track.onReceiveRtp.subscribe((packet) => received.push(packetNumber(packet)));
    pump((p) => audio.writeRtp(p), stop);
    await firstValueFrom(interval(10).pipe(filter(() => received.length >= 50)));
    stop.next();
    // Every packet arrived whole and in order (werift rewrites the header, not the payload).
    expect(received.slice(0, 50)).to.deep.equal(received.slice(0, 50).map((_, i) => received[0] + i));
    expect(received[0]).to.be.greaterThanOrEqual(0);
  });

  it('announces tracks in publish order with their negotiated mids', async () => {
    const { sfu, publisher, offers } = connect();
    cleanup.push(() => publisher.close(), () => void sfu.close());
    const audio = publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    const video = publisher.addTrack('video', TrackType.TRACK_TYPE_VIDEO);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    const tracks = publisher.announcedTracks();
    expect(tracks.map((t) => [t.trackId, t.trackType, t.mid])).to.deep.equal([
      [audio.trackId, TrackType.TRACK_TYPE_AUDIO, audio.mid],
      [video.trackId, TrackType.TRACK_TYPE_VIDEO, video.mid],
    ]);
    expect(audio.mid).to.not.equal(video.mid);
    expect(offers[0]).to.include(`a=mid:${audio.mid}`).and.include(`a=mid:${video.mid}`);
    expect(offers[0]).to.match(/a=sendonly/);
  });

  it('sends local candidates only after the offer was answered, never the end-of-candidates', async () => {
    const sfu = createSfuSide();
    cleanup.push(() => void sfu.close());
    const events: string[] = [];
    const publisher = createPublisher({
      rtc: rtcConfiguration({ loopbackOnly: true }),
      setPublisher: (req) => {
        events.push('offer');
        return sfu.setPublisher(req).pipe(tap(() => events.push('answer')));
      },
    });
    cleanup.push(() => publisher.close());
    // werift fires candidates while setLocalDescription runs, before the offer goes out.
    publisher.localCandidate$.subscribe((json) => {
      events.push('candidate');
      expect(JSON.parse(json)).to.include.keys('candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment');
      expect(JSON.parse(json).candidate).to.be.a('string').and.not.equal('');
      sfu.addCandidate(json);
    });
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    await waitForState(publisher.connectionState$, 'connected');
    expect(events.slice(0, 2)).to.deep.equal(['offer', 'answer']);
    expect(events.slice(2).every((e) => e === 'candidate')).to.equal(true);
    expect(events.length).to.be.greaterThan(2);
  });

  it('fails negotiate$ with the SetPublisher error as it is, and a later negotiation still works', async () => {
    const sfu = createSfuSide();
    cleanup.push(() => void sfu.close());
    let attempt = 0;
    const publisher = createPublisher({
      rtc: rtcConfiguration({ loopbackOnly: true }),
      setPublisher: (req) => {
        attempt += 1;
        return attempt === 1 ? throwError(() => rxsfuError('RXSFU_ERR_RPC', 'SetPublisher: 503')) : sfu.setPublisher(req);
      },
    });
    publisher.localCandidate$.subscribe((json) => sfu.addCandidate(json));
    trickleTo(sfu, publisher.addRemoteCandidate);
    cleanup.push(() => publisher.close());
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    const err = await lastValueFrom(publisher.negotiate$()).catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_RPC')).to.equal(true);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    await waitForState(publisher.connectionState$, 'connected');
  });

  it('bounds a negotiation whose SetPublisher never answers: RXSFU_ERR_WEBRTC, and the queue is free for the next one (issue 9)', async () => {
    const sfu = createSfuSide();
    cleanup.push(() => void sfu.close());
    let attempt = 0;
    const publisher = createPublisher({
      rtc: rtcConfiguration(),
      negotiationTimeoutMs: 300,
      setPublisher: (req) => (++attempt === 1 ? NEVER : sfu.setPublisher(req)),
    });
    publisher.localCandidate$.subscribe((json) => sfu.addCandidate(json));
    trickleTo(sfu, publisher.addRemoteCandidate);
    cleanup.push(() => publisher.close());
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    const err = await lastValueFrom(publisher.negotiate$()).catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_WEBRTC'), String(err)).to.equal(true);
    expect((err as Error).message).to.match(/publisher negotiation timed out after 300 ms/);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    await waitForState(publisher.connectionState$, 'connected');
  });

  it('bounds each werift step: a setLocalDescription that never settles fails with RXSFU_ERR_WEBRTC naming it (issue 9)', async () => {
    const publisher = createPublisher({ rtc: rtcConfiguration(), stepTimeoutMs: 200, setPublisher: () => NEVER });
    cleanup.push(() => publisher.close());
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    // werift's own promise, made to hang: the only way to get a step that never settles on demand.
    const original = RTCPeerConnection.prototype.setLocalDescription;
    RTCPeerConnection.prototype.setLocalDescription = (() => new Promise(() => undefined)) as typeof original;
    try {
      const err = await lastValueFrom(publisher.negotiate$()).catch((e: unknown) => e);
      expect(isRxsfuError(err, 'RXSFU_ERR_WEBRTC'), String(err)).to.equal(true);
      expect((err as Error).message).to.match(/setLocalDescription\(offer\) timed out after 200 ms/);
    } finally {
      RTCPeerConnection.prototype.setLocalDescription = original;
    }
  });

  it('fails negotiate$ with RXSFU_ERR_WEBRTC when the answer is not SDP', async () => {
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: () => of({ sdp: 'v=garbage' }) });
    cleanup.push(() => publisher.close());
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    const err = await lastValueFrom(publisher.negotiate$()).catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_WEBRTC')).to.equal(true);
  });

  it('drops a remote candidate that does not parse (empty, not JSON, no "candidate"): no throw, a short warning, later candidates still connect', async () => {
    const sfu = createSfuSide();
    cleanup.push(() => void sfu.close());
    const warnings: { message: string; fields: unknown }[] = [];
    const publisher = createPublisher({
      rtc: rtcConfiguration({ loopbackOnly: true }),
      logger: { warn: (message: string, fields?: unknown) => warnings.push({ message, fields }) },
      // The answer carries no candidates: the connection depends on the trickled ones alone.
      setPublisher: (req) => sfu.setPublisher(req).pipe(map((answer) => ({ sdp: answer.sdp.replace(/a=(candidate:|end-of-candidates).*\r\n/g, '') }))),
    });
    cleanup.push(() => publisher.close());
    publisher.localCandidate$.subscribe((json) => sfu.addCandidate(json));
    const bad = ['', '{not json', '{"sdpMid":"0"}', 'null', '"candidate"', '{"candidate":42}'];
    // As lib/call delivers ice_trickle: from inside a subscribe callback, where a throw would be uncaught.
    const trickle = new Subject<string>();
    trickle.subscribe((json) => publisher.addRemoteCandidate(json));
    expect(() => bad.forEach((json) => trickle.next(json))).to.not.throw();
    sfu.pc.onIceCandidate.subscribe((candidate) => candidate && trickle.next(JSON.stringify(candidate.toJSON())));
    publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
    await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
    expect(() => bad.forEach((json) => trickle.next(json))).to.not.throw();
    await waitForState(publisher.connectionState$, 'connected');
    const dropped = warnings.filter((w) => /unusable remote candidate dropped/.test(w.message));
    expect(dropped).to.have.length(bad.length * 2);
    // Short, and never the input echoed back.
    for (const { fields } of dropped) {
      expect(JSON.stringify(fields)).to.not.include('not json');
      expect(JSON.stringify(fields)).to.have.length.lessThan(200);
    }
  });

  it('parseCandidate itself still rejects bad input with RXSFU_ERR_INVALID_ARGUMENT (for callers that want the error)', () => {
    expect(() => parseCandidate('')).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
    expect(() => parseCandidate('{"sdpMid":"0"}')).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
    expect(parseCandidate('{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0"}').sdpMid).to.equal('0');
  });
});
