import { expect } from 'chai';
import { decodeKeyframe, expectCameraPicture, framesOf } from '../support/camera-picture.js';
import { cameraColour } from '../../lib/emulator/media/simulated-camera.js';
import { filter, interval, lastValueFrom, take, timeout } from 'rxjs';
import { createMediaPlane, type SfuMediaPlane } from '../../lib/emulator/media/index.js';
import { PeerType, TrackType } from '../../lib/protocol/index.js';
import { createOpusDecoder } from '../../lib/media/opus-decode.js';
import { estimateFrequencyHz, rmsLevel } from '../../lib/media/pcm-signal.js';
import { parseVp8PayloadDescriptor } from '../../lib/media/vp8-descriptor.js';
import { isRxsfuError } from '../../lib/errors.js';
import { resourceBaseline, resourceCounts, resourceGrowth } from '../support/resources.js';
import type { RTCPeerConnection } from 'werift';
import { TestClient } from './media-test-client.js';

const AUDIO = TrackType.TRACK_TYPE_AUDIO;
const VIDEO = TrackType.TRACK_TYPE_VIDEO;

/** Polls a condition every 20 ms until it holds (fails after `ms`). */
function until(condition: () => boolean, ms = 8000): Promise<unknown> {
  return lastValueFrom(interval(20).pipe(filter(condition), take(1), timeout(ms)));
}

/** werift's candidate-pair state FAILED (CandidatePairState, not exported by the package). */
const PAIR_FAILED = 4;

/** True once `pc` has candidate pairs and every one of its checks failed (werift's private check list). */
function checksFailed(pc: RTCPeerConnection): boolean {
  const pairs = pc.iceTransports.flatMap((t) => (t.connection as unknown as { checkList: { state: number }[] }).checkList);
  return pairs.length > 0 && pairs.every((pair) => pair.state === PAIR_FAILED);
}

function packetsOf(counts: { trackType: TrackType; packets: number; fromSessionId?: string }[], trackType: TrackType, from?: string): number {
  return counts.filter((c) => c.trackType === trackType && (from === undefined || c.fromSessionId === from)).reduce((n, c) => n + c.packets, 0);
}

interface Harness {
  plane: SfuMediaPlane;
  /** What the plane sent, in order: subscriber offers and SFU candidates, with their ICE ufrag. */
  sent: { sessionId: string; what: 'offer' | 'candidate'; peerType: PeerType; ufrag?: string }[];
  /** Sessions whose signaling is down: offers and candidates are recorded but not delivered. */
  offline: Set<string>;
  client(sessionId: string, prefix: string): TestClient;
  close(): Promise<void>;
}

function harness(): Harness {
  const clients = new Map<string, TestClient>();
  const sent: Harness['sent'] = [];
  const offline = new Set<string>();
  const plane = createMediaPlane({
    callbacks: {
      subscriberOffer: (sessionId, offer) => {
        sent.push({ sessionId, what: 'offer', peerType: PeerType.PEER_TYPE_SUBSCRIBER, ufrag: /a=ice-ufrag:(\S+)/.exec(offer.sdp)?.[1] });
        if (offline.has(sessionId)) return false;
        void clients.get(sessionId)?.onOffer(offer).catch(() => undefined);
        return true;
      },
      iceCandidate: (sessionId, peerType, json) => {
        sent.push({ sessionId, what: 'candidate', peerType, ufrag: (JSON.parse(json) as { usernameFragment?: string }).usernameFragment });
        if (offline.has(sessionId)) return;
        void clients.get(sessionId)?.onCandidate(peerType, json);
      },
    },
  });
  return {
    plane,
    sent,
    offline,
    client(sessionId, prefix) {
      plane.addSession({ sessionId, userId: `user-${sessionId}`, trackLookupPrefix: prefix });
      const client = new TestClient(plane, sessionId);
      clients.set(sessionId, client);
      return client;
    },
    async close() {
      await plane.close();
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}

/** Decodes Opus payloads in order and returns the loud frames' PCM joined. */
function loudPcm(payloads: Buffer[]): Int16Array {
  const decoder = createOpusDecoder();
  const frames = payloads.map((p) => decoder.decode(p)).filter((pcm) => rmsLevel(pcm) > 2000);
  const all = new Int16Array(frames.length * 960);
  frames.forEach((f, i) => all.set(f, i * 960));
  return all;
}

const RTCP_RECEIVER_REPORT = 201;

describe('emulator/media plane (real werift on loopback)', function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('counts a client\'s published audio and forwards it to a simulated participant', async () => {
    const client = h.client('c1', 'pfx1');
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, {});
    await client.publishAudio();
    expect(h.plane.publishedTracks('c1')).to.deep.equal([AUDIO]);
    await until(() => packetsOf(h.plane.publishedPackets('c1'), AUDIO) >= 20);
    await until(() => packetsOf(h.plane.receivedPackets('sim'), AUDIO, 'c1') >= 20);
    expect(packetsOf(h.plane.publishedPackets('c1'), VIDEO)).to.equal(0);
    expect(h.plane.publishedTracks('sim')).to.deep.equal([]);
  });

  it('sends RTCP receiver reports to a publisher that sends no RTP, like a real SFU (the agent\'s liveness, issue 13)', async () => {
    const client = h.client('c1', 'pfx1');
    await client.publish([{ kind: 'audio', trackType: TrackType.TRACK_TYPE_AUDIO }], { send: false });
    await until(() => client.publisherRtcp.filter((type) => type === RTCP_RECEIVER_REPORT).length >= 2);
    expect(packetsOf(h.plane.publishedPackets('c1'), AUDIO), 'the publisher sent nothing').to.equal(0);
  });

  it('delivers a simulated participant\'s audio and video over the subscriber connection, with prefix:TRACK_TYPE stream ids', async () => {
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true, video: true });
    expect(h.plane.publishedTracks('sim').sort()).to.deep.equal([AUDIO, VIDEO]);
    const client = h.client('c1', 'pfx1');
    h.plane.setSubscriptions('c1', [
      { userId: 'bot', sessionId: 'sim', trackType: AUDIO },
      { userId: 'bot', sessionId: 'sim', trackType: VIDEO },
    ]);
    await Promise.all([client.nextPackets('simp:TRACK_TYPE_AUDIO', 60), client.nextPackets('simp:TRACK_TYPE_VIDEO', 30)]);
    expect(client.offers.map((o) => o.negotiationId)).to.deep.equal([1]);
    expect([...client.received.keys()].sort()).to.deep.equal(['simp:TRACK_TYPE_AUDIO', 'simp:TRACK_TYPE_VIDEO']);
    // the audio is real: decoded, it is the 440 Hz tone
    const pcm = loudPcm(client.received.get('simp:TRACK_TYPE_AUDIO')!.map((p) => p.payload));
    expect(pcm.length).to.be.greaterThan(960 * 10);
    expect(estimateFrequencyHz(pcm)).to.be.within(420, 460);
    // the video is real VP8: frame starts with PictureIDs counting up, each frame a keyframe that
    // decodes to the camera's picture of its owner
    const videoPackets = client.received.get('simp:TRACK_TYPE_VIDEO')!;
    const starts = videoPackets.map((p) => parseVp8PayloadDescriptor(p.payload)).filter((d) => d.start);
    expect(starts.length).to.be.greaterThan(5);
    expect(starts.every((d) => d.pictureId !== undefined)).to.equal(true);
    expect(starts.slice(1).every((d, i) => d.pictureId === ((starts[i]!.pictureId! + 1) & 0x7fff))).to.equal(true);
    const frames = await framesOf(videoPackets);
    expect(frames.length).to.be.greaterThan(5);
    expect(frames.every((f) => f.keyframe && f.width === 320 && f.height === 240)).to.equal(true);
    expectCameraPicture(await decodeKeyframe(frames[frames.length - 1]!.data), cameraColour('bot'));
    expect(packetsOf(h.plane.receivedPackets('c1'), VIDEO, 'sim')).to.be.greaterThan(0);
    // payload types are the negotiated ones, whatever the source wrote (Opus 111, VP8 96)
    const negotiated = (codec: string) => Number(new RegExp(`a=rtpmap:(\\d+) ${codec}/`, 'i').exec(client.offers[0].sdp)?.[1]);
    expect(new Set(client.received.get('simp:TRACK_TYPE_AUDIO')!.map((p) => p.header.payloadType))).to.deep.equal(new Set([negotiated('opus')]));
    expect(new Set(client.received.get('simp:TRACK_TYPE_VIDEO')!.map((p) => p.header.payloadType))).to.deep.equal(new Set([negotiated('vp8')]));
  });

  it('renegotiates when subscriptions change: a removed track stops, an added one gets a new offer', async () => {
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true, video: true });
    const client = h.client('c1', 'pfx1');
    const both = [{ sessionId: 'sim', trackType: AUDIO }, { sessionId: 'sim', trackType: VIDEO }];
    h.plane.setSubscriptions('c1', both);
    await client.nextPackets('simp:TRACK_TYPE_VIDEO', 10);

    h.plane.setSubscriptions('c1', [both[0]]);
    await until(() => client.offers.length === 2);
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 5); // answer applied, media still flowing
    const videoAfterRemoval = client.count('simp:TRACK_TYPE_VIDEO');
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 25); // 0.5 s more
    expect(client.count('simp:TRACK_TYPE_VIDEO')).to.equal(videoAfterRemoval);
    expect(client.offers[1].negotiationId).to.equal(2);

    h.plane.setSubscriptions('c1', both);
    await client.nextPackets('simp:TRACK_TYPE_VIDEO', 10);
    expect(client.offers.map((o) => o.negotiationId)).to.deep.equal([1, 2, 3]);
    expect(client.offers.every((o) => !o.iceRestart)).to.equal(true);

    h.plane.setSubscriptions('c1', both); // same set: no new offer
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 5);
    expect(client.offers).to.have.length(3);
  });

  it('forwards two clients\' audio to each other', async () => {
    const a = h.client('a', 'aaaa');
    const b = h.client('b', 'bbbb');
    await Promise.all([a.publishAudio(), b.publishAudio()]);
    h.plane.setSubscriptions('a', [{ sessionId: 'b', trackType: AUDIO }]);
    h.plane.setSubscriptions('b', [{ sessionId: 'a', trackType: AUDIO }, { sessionId: 'b', trackType: AUDIO }]);
    await Promise.all([a.nextPackets('bbbb:TRACK_TYPE_AUDIO', 40), b.nextPackets('aaaa:TRACK_TYPE_AUDIO', 40)]);
    expect([...a.received.keys()]).to.deep.equal(['bbbb:TRACK_TYPE_AUDIO']);
    expect([...b.received.keys()]).to.deep.equal(['aaaa:TRACK_TYPE_AUDIO']); // never its own track
    expect(estimateFrequencyHz(loudPcm(b.received.get('aaaa:TRACK_TYPE_AUDIO')!.map((p) => p.payload)))).to.be.within(430, 450);
    expect(packetsOf(h.plane.publishedPackets('a'), AUDIO)).to.be.greaterThan(0);
    expect(packetsOf(h.plane.receivedPackets('b'), AUDIO, 'a')).to.be.greaterThan(0);
  });

  it('maps publisher m-sections to track types by mid (TrackInfo), not by kind, and renegotiates when a client adds a track', async () => {
    const a = h.client('a', 'aaaa');
    const b = h.client('b', 'bbbb');
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, {});
    h.plane.setSubscriptions('b', [{ sessionId: 'a', trackType: AUDIO }, { sessionId: 'a', trackType: TrackType.TRACK_TYPE_SCREEN_SHARE }]);
    await a.publishAudio();
    await b.nextPackets('aaaa:TRACK_TYPE_AUDIO', 10);
    await a.publish([{ kind: 'video', trackType: TrackType.TRACK_TYPE_SCREEN_SHARE }]); // a second SetPublisher, same connection
    expect(h.plane.publishedTracks('a').sort()).to.deep.equal([AUDIO, TrackType.TRACK_TYPE_SCREEN_SHARE]);
    await b.nextPackets('aaaa:TRACK_TYPE_SCREEN_SHARE', 30);
    expect(b.offers.map((o) => o.negotiationId)).to.deep.equal([1, 2]);
    const descriptor = parseVp8PayloadDescriptor(b.received.get('aaaa:TRACK_TYPE_SCREEN_SHARE')![0].payload);
    expect(descriptor.pictureId).to.be.a('number');
    await until(() => packetsOf(h.plane.receivedPackets('sim'), TrackType.TRACK_TYPE_SCREEN_SHARE, 'a') > 0);
    expect(packetsOf(h.plane.publishedPackets('a'), VIDEO)).to.equal(0);
  });

  it('adds a track to existing subscribers when its publisher starts after the subscription', async () => {
    const a = h.client('a', 'aaaa');
    const b = h.client('b', 'bbbb');
    h.plane.setSubscriptions('b', [{ sessionId: 'a', trackType: AUDIO }]);
    expect(b.offers).to.have.length(0); // nothing published yet: nothing to offer
    await a.publishAudio();
    await b.nextPackets('aaaa:TRACK_TYPE_AUDIO', 20);
    await h.plane.removeSession('a');
    await until(() => b.offers.length === 2); // the track goes away with its publisher
    expect(h.plane.publishedTracks('a')).to.deep.equal([]);
  });

  it('keeps media flowing through an SFU-driven ICE restart of the subscriber', async () => {
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true });
    const client = h.client('c1', 'pfx1');
    h.plane.setSubscriptions('c1', [{ sessionId: 'sim', trackType: AUDIO }]);
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 10);
    const ufragBefore = /a=ice-ufrag:(\S+)/.exec(client.offers[0].sdp)?.[1];
    await h.plane.restartIce('c1', PeerType.PEER_TYPE_SUBSCRIBER);
    await until(() => client.offers.length === 2);
    expect(client.offers[1]).to.include({ iceRestart: true, negotiationId: 2 });
    expect(/a=ice-ufrag:(\S+)/.exec(client.offers[1].sdp)?.[1]).to.not.equal(ufragBefore);
    const before = client.count('simp:TRACK_TYPE_AUDIO');
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 50);
    expect(client.count('simp:TRACK_TYPE_AUDIO')).to.be.greaterThan(before + 49);
    // pitfall 3: no SFU candidate reaches the client before the offer carrying its ICE credentials
    const subscriberEvents = h.sent.filter((e) => e.sessionId === 'c1' && e.peerType === PeerType.PEER_TYPE_SUBSCRIBER);
    const candidates = subscriberEvents.filter((e) => e.what === 'candidate');
    expect(candidates.length).to.be.greaterThan(0);
    for (const candidate of candidates) {
      const offerIndex = subscriberEvents.findIndex((e) => e.what === 'offer' && e.ufrag === candidate.ufrag);
      expect(offerIndex, `offer for ufrag ${candidate.ufrag}`).to.be.within(0, subscriberEvents.indexOf(candidate));
    }
  });

  it('an ICE restart re-offers even when the previous offer was never answered (lost with the socket)', async () => {
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true, video: true });
    const client = h.client('c1', 'pfx1');
    h.plane.setSubscriptions('c1', [{ sessionId: 'sim', trackType: AUDIO }]);
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 10);
    h.offline.add('c1'); // the signaling socket drops: the next offer is lost
    h.plane.setSubscriptions('c1', [{ sessionId: 'sim', trackType: AUDIO }, { sessionId: 'sim', trackType: VIDEO }]);
    await until(() => h.sent.filter((e) => e.sessionId === 'c1' && e.what === 'offer').length === 2);
    h.offline.delete('c1'); // FAST reconnect: the client asks for an ICE restart
    await h.plane.restartIce('c1', PeerType.PEER_TYPE_SUBSCRIBER);
    await Promise.all([client.nextPackets('simp:TRACK_TYPE_AUDIO', 20), client.nextPackets('simp:TRACK_TYPE_VIDEO', 20)]);
    expect(client.offers.map((o) => [o.negotiationId, o.iceRestart])).to.deep.equal([[1, false], [3, true]]);
    const stale = await h.plane.handleSubscriberAnswer('c1', client.subscriber.localDescription!.sdp, 2).then(() => undefined, (e: unknown) => e);
    expect(isRxsfuError(stale, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });

  it('an ICE restart of a connection whose only offer never reached the client re-sends it as a plain offer (nothing of the client\'s ICE to restart)', async () => {
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true });
    const client = h.client('c1', 'pfx1');
    h.offline.add('c1');
    h.plane.setSubscriptions('c1', [{ sessionId: 'sim', trackType: AUDIO }]);
    await until(() => h.sent.some((e) => e.sessionId === 'c1' && e.what === 'offer'));
    h.offline.delete('c1');
    await h.plane.restartIce('c1', PeerType.PEER_TYPE_SUBSCRIBER);
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 20);
    expect(client.offers.map((o) => [o.negotiationId, o.iceRestart])).to.deep.equal([[2, false]]);
  });

  it('an ICE restart of a connection whose first answer was lost in a cut (the client answered, its checks died, the SFU never heard the answer): the offer again, then new ICE credentials, and media flows', async () => {
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true });
    const client = h.client('c1', 'pfx1');
    let cut = true;
    h.plane.gateUdp!('c1', () => cut);
    client.loseAnswers = true;
    h.plane.setSubscriptions('c1', [{ sessionId: 'sim', trackType: AUDIO }]);
    // werift then waits on the failed checks for good: only new ICE credentials start them again.
    await until(() => checksFailed(client.subscriber), 15_000);
    cut = false;
    client.loseAnswers = false;
    await h.plane.restartIce('c1', PeerType.PEER_TYPE_SUBSCRIBER);
    await until(() => client.offers.length === 3);
    await client.nextPackets('simp:TRACK_TYPE_AUDIO', 20);
    expect(client.offers.map((o) => [o.negotiationId, o.iceRestart])).to.deep.equal([[1, false], [2, false], [3, true]]);
    const [first, again, restart] = client.offers.map((o) => /a=ice-ufrag:(\S+)/.exec(o.sdp)?.[1]);
    expect(again).to.equal(first);
    expect(restart, 'new ICE credentials').to.not.equal(first);
  });

  it('accepts a client ICE-restart offer on the publisher and keeps counting its packets', async () => {
    const client = h.client('c1', 'pfx1');
    await client.publishAudio();
    await until(() => packetsOf(h.plane.publishedPackets('c1'), AUDIO) >= 10);
    await client.restartPublisherIce();
    const before = packetsOf(h.plane.publishedPackets('c1'), AUDIO);
    await until(() => packetsOf(h.plane.publishedPackets('c1'), AUDIO) >= before + 50);
  });

  it('rejects bad input with typed errors and keeps working', async () => {
    const client = h.client('c1', 'pfx1');
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    expect(isRxsfuError(await failure(h.plane.handlePublisherOffer('nobody', 'v=0', [])), 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(isRxsfuError(await failure(h.plane.addIceCandidate('c1', PeerType.PEER_TYPE_SUBSCRIBER, '{oops')), 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(isRxsfuError(await failure(h.plane.addIceCandidate('c1', PeerType.PEER_TYPE_SUBSCRIBER, '{"sdpMid":"0"}')), 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(isRxsfuError(await failure(h.plane.handleSubscriberAnswer('c1', 'v=0', 7)), 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(isRxsfuError(await failure(h.plane.handlePublisherOffer('c1', 'garbage', [])), 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(() => h.plane.addSimulatedParticipant({ sessionId: 'c1', userId: 'x', trackLookupPrefix: 'x' }, {})).to.throw().that.satisfies((e: unknown) => isRxsfuError(e, 'RXSFU_ERR_INVALID_ARGUMENT'));
    await client.publishAudio(); // still works after the bad calls
    await until(() => packetsOf(h.plane.publishedPackets('c1'), AUDIO) >= 10);
    await h.plane.close();
    expect(isRxsfuError(await failure(h.plane.handleSubscriberAnswer('c1', 'v=0', 1)), 'RXSFU_ERR_LEFT')).to.equal(true);
  });
});

describe('emulator/media plane resources', function () {
  this.timeout(20000);

  it('leaves no UDP socket or timer behind after removeSession and close()', async () => {
    const udp = () => resourceCounts(['UDPWrap']).UDPWrap!;
    const baseline = await resourceBaseline(['UDPWrap', 'Timeout']);
    const h = harness();
    h.plane.addSimulatedParticipant({ sessionId: 'sim', userId: 'bot', trackLookupPrefix: 'simp' }, { audio: true, video: true });
    const a = h.client('a', 'aaaa');
    const b = h.client('b', 'bbbb');
    await a.publishAudio();
    h.plane.setSubscriptions('a', [{ sessionId: 'sim', trackType: AUDIO }, { sessionId: 'sim', trackType: VIDEO }]);
    h.plane.setSubscriptions('b', [{ sessionId: 'a', trackType: AUDIO }]);
    await Promise.all([a.nextPackets('simp:TRACK_TYPE_VIDEO', 10), b.nextPackets('aaaa:TRACK_TYPE_AUDIO', 10)]);
    const udpInCall = udp();
    expect(udpInCall).to.be.greaterThan(baseline.UDPWrap!);
    await h.plane.removeSession('a'); // the SFU side of a's two connections closes now
    await until(() => udp() < udpInCall); // sockets close a tick after pc.close()
    expect(h.plane.publishedTracks('a')).to.deep.equal([]);
    await a.close();
    await h.close();
    // werift finishes some timers shortly after close(): the check waits (bounded) for them
    expect(await resourceGrowth(baseline, 8000)).to.deep.equal({});
  });
});
