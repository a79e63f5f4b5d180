import { expect } from 'chai';
import { decodeMessage, encodeMessage, models, PeerType, signal, TrackType } from '../../lib/protocol/index.js';
import { joinKept, useTestEmulator, type JoinedAgent } from './support/fixture.js';
import { httpPost, type HttpAnswer } from './support/http.js';
import { realPublisherOffer } from './support/real-offer.js';

describe('emulator Twirp SignalServer', () => {
  const t = useTestEmulator({ sfuCount: 1 });
  let alice: JoinedAgent;
  let bob: JoinedAgent;
  beforeEach(async () => {
    [alice, bob] = await joinKept(t(), 'alice', 'bob');
  });

  const url = (method: string) => `${alice.credentials.server.url}/stream.video.sfu.signal.SignalServer/${method}`;
  const json = (method: string, body: unknown, token: string = alice.credentials.token): Promise<HttpAnswer> =>
    httpPost(url(method), typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });
  const proto = (method: string, body: Uint8Array, token = alice.credentials.token): Promise<HttpAnswer> =>
    httpPost(url(method), body, { 'content-type': 'application/protobuf', authorization: `Bearer ${token}` });
  const mediaCalls = (method: string) => t().media[0]!.calls.filter((c) => c.method === method && c.sessionId === alice.sessionId);

  it('SetPublisher in JSON: answers JSON with the media plane answer and announces the tracks to others', async () => {
    const offer = await realPublisherOffer({ video: true });
    const answer = await json('SetPublisher', {
      sdp: offer,
      sessionId: alice.sessionId,
      tracks: [{ trackId: 't1', trackType: 'TRACK_TYPE_AUDIO', mid: '0' }, { track_id: 't2', track_type: 'TRACK_TYPE_VIDEO', mid: '1' }],
    });
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal('application/json');
    expect(answer.json()).to.have.keys('sdp', 'sessionId');
    expect(answer.json().sessionId).to.equal(alice.sessionId);
    expect(answer.json().sdp).to.match(/^v=0/).and.include('a=ice-lite');
    const published = await bob.client.waitFor('trackPublished', (e) => e.trackPublished!.type === TrackType.TRACK_TYPE_VIDEO);
    expect(published.trackPublished).to.include({ userId: 'alice', sessionId: alice.sessionId });
    expect(published.trackPublished!.participant!.publishedTracks).to.have.members([TrackType.TRACK_TYPE_AUDIO, TrackType.TRACK_TYPE_VIDEO]);
    expect((mediaCalls('handlePublisherOffer')[0]!.args[1] as unknown[]).length).to.equal(2);
    const updated = await bob.client.waitFor('participantUpdated');
    expect(updated.participantUpdated!.participant!.publishedTracks).to.have.members([TrackType.TRACK_TYPE_AUDIO, TrackType.TRACK_TYPE_VIDEO]);
    expect(bob.client.count('participantUpdated'), 'one update per SetPublisher').to.equal(1);
    expect(t().emu.records.rpcs.at(-1)).to.include({ method: 'SetPublisher', encoding: 'json', status: 200, sessionId: alice.sessionId });
  });

  it('SetPublisher in protobuf: answers protobuf', async () => {
    const offer = await realPublisherOffer();
    const tracks = [{ trackId: 'a', trackType: TrackType.TRACK_TYPE_AUDIO, mid: '0' }];
    const answer = await proto('SetPublisher', encodeMessage(signal.SetPublisherRequest, { sdp: offer, sessionId: alice.sessionId, tracks }));
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal('application/protobuf');
    const response = decodeMessage(signal.SetPublisherResponse, 'SetPublisherResponse', answer.body);
    expect(response.sdp).to.match(/^v=0/);
    expect(response.error ?? null).to.equal(null);
    expect(t().emu.records.rpcs.at(-1)!.encoding).to.equal('protobuf');
  });

  it('a media plane failure is a models.Error in the response, not an HTTP error', async () => {
    const answer = await json('SetPublisher', { sdp: 'not sdp', sessionId: alice.sessionId, tracks: [{ trackId: 'a', trackType: 'TRACK_TYPE_AUDIO', mid: '0' }] });
    expect(answer.status).to.equal(200);
    expect(answer.json().error.code).to.equal('ERROR_CODE_INTERNAL_SERVER_ERROR');
    expect(answer.json().error.message).to.be.a('string').and.not.equal('');
    expect(bob.client.count('trackPublished'), 'a failed SetPublisher announces nothing').to.equal(0);
  });

  it('SendAnswer, IceTrickle, IceRestart reach the media plane with their arguments', async () => {
    expect((await json('SendAnswer', { peerType: 'PEER_TYPE_SUBSCRIBER', sdp: 'answer', sessionId: alice.sessionId, negotiationId: 3 })).status).to.equal(200);
    const trickle = encodeMessage(models.ICETrickle, { peerType: PeerType.PEER_TYPE_SUBSCRIBER, iceCandidate: '{"candidate":"c"}', sessionId: alice.sessionId });
    expect((await proto('IceTrickle', trickle)).status).to.equal(200);
    expect((await json('IceRestart', { sessionId: alice.sessionId })).status).to.equal(200);
    expect(mediaCalls('handleSubscriberAnswer')[0]!.args).to.deep.equal(['answer', 3]);
    expect(mediaCalls('addIceCandidate')[0]!.args).to.deep.equal([PeerType.PEER_TYPE_SUBSCRIBER, '{"candidate":"c"}']);
    expect(mediaCalls('restartIce')[0]!.args).to.deep.equal([PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED]);
  });

  it('SendAnswer for the publisher peer is invalid_argument', async () => {
    const answer = await json('SendAnswer', { sdp: 'x', sessionId: alice.sessionId }); // peerType omitted: the publisher (0)
    expect(answer.status).to.equal(400);
    expect(answer.json().code).to.equal('invalid_argument');
  });

  it('UpdateSubscriptions replaces the whole set and is recorded each time', async () => {
    const first = [{ userId: 'bob', sessionId: bob.sessionId, trackType: 'TRACK_TYPE_AUDIO' }];
    await json('UpdateSubscriptions', { sessionId: alice.sessionId, tracks: first });
    await json('UpdateSubscriptions', { sessionId: alice.sessionId, tracks: [] });
    const recorded = t().emu.records.subscriptions.filter((s) => s.sessionId === alice.sessionId).map((s) => s.tracks.length);
    expect(recorded).to.deep.equal([1, 0]);
    expect(mediaCalls('setSubscriptions').map((c) => (c.args[0] as unknown[]).length)).to.deep.equal([1, 0]);
  });

  it('UpdateMuteStates: muting unpublishes (USER_MUTED), unmuting publishes again', async () => {
    const published = await json('SetPublisher', { sdp: await realPublisherOffer(), sessionId: alice.sessionId, tracks: [{ trackId: 'a', trackType: 'TRACK_TYPE_AUDIO', mid: '0' }] });
    expect(published.json().error).to.equal(undefined);
    await json('UpdateMuteStates', { sessionId: alice.sessionId, muteStates: [{ trackType: 'TRACK_TYPE_AUDIO', muted: true }] });
    const unpublished = await bob.client.waitFor('trackUnpublished');
    expect(unpublished.trackUnpublished!.cause).to.equal(models.TrackUnpublishReason.TRACK_UNPUBLISH_REASON_USER_MUTED);
    await bob.client.waitFor('participantUpdated', (e) => e.participantUpdated!.participant!.publishedTracks!.length === 0);
    await json('UpdateMuteStates', { sessionId: alice.sessionId, muteStates: [{ trackType: 'TRACK_TYPE_AUDIO', muted: false }] });
    await bob.client.waitFor('trackPublished', (e) => bob.client.events.indexOf(e) > bob.client.events.indexOf(unpublished));
  });

  it('SendStats and SendMetrics are recorded', async () => {
    await json('SendStats', { sessionId: alice.sessionId, sdk: 'rxsfu', telemetry: { connectionTimeSeconds: 0.5 } });
    await proto('SendMetrics', encodeMessage(signal.SendMetricsRequest, { sessionId: alice.sessionId }));
    expect(t().emu.records.stats.map((s) => s.method)).to.deep.equal(['SendStats', 'SendMetrics']);
    expect(t().emu.records.stats[0]!.body).to.deep.include({ sdk: 'rxsfu', telemetry: { connectionTimeSeconds: 0.5 } });
  });

  it('no or bad bearer token: 401 unauthenticated', async () => {
    const none = await json('UpdateSubscriptions', { sessionId: alice.sessionId }, '');
    expect(none.status).to.equal(401);
    expect(none.json()).to.include({ code: 'unauthenticated' });
    const bad = await json('UpdateSubscriptions', { sessionId: alice.sessionId }, alice.credentials.token + 'x');
    expect(bad.status).to.equal(401);
  });

  it('a session of another user is not_found', async () => {
    const answer = await json('UpdateSubscriptions', { sessionId: bob.sessionId }, alice.credentials.token);
    expect(answer.status).to.equal(404);
    expect(answer.json().code).to.equal('not_found');
  });

  it('malformed bodies in both encodings: 400 malformed, and nothing reaches the media plane', async () => {
    const badJson = await json('SetPublisher', '{not json');
    expect(badJson.status).to.equal(400);
    expect(badJson.json().code).to.equal('malformed');
    const badProto = await proto('SetPublisher', Uint8Array.from([0x0a, 0xff, 0xff]));
    expect(badProto.status).to.equal(400);
    expect(badProto.json().code).to.equal('malformed');
    expect(mediaCalls('handlePublisherOffer')).to.deep.equal([]);
    expect(t().emu.records.rpcs.slice(-2).map((r) => r.twirpCode)).to.deep.equal(['malformed', 'malformed']);
  });

  it('unknown method or content type: 404 bad_route', async () => {
    const unknown = await json('Nope', {});
    expect(unknown.status).to.equal(404);
    expect(unknown.json().code).to.equal('bad_route');
    const text = await httpPost(url('SetPublisher'), 'x', { 'content-type': 'text/plain', authorization: `Bearer ${alice.credentials.token}` });
    expect(text.json().code).to.equal('bad_route');
  });

  it('media callbacks become subscriber_offer and ice_trickle on the session socket', async () => {
    const plane = t().media[0]!;
    plane.callbacks.subscriberOffer(alice.sessionId, { sdp: 'sub-offer', negotiationId: 2, iceRestart: true });
    plane.callbacks.iceCandidate(alice.sessionId, PeerType.PEER_TYPE_SUBSCRIBER, '{"candidate":"x"}');
    const offer = await alice.client.waitFor('subscriberOffer');
    expect(offer.subscriberOffer).to.include({ sdp: 'sub-offer', negotiationId: 2, iceRestart: true });
    const trickle = await alice.client.waitFor('iceTrickle');
    expect(trickle.iceTrickle).to.include({ peerType: PeerType.PEER_TYPE_SUBSCRIBER, iceCandidate: '{"candidate":"x"}' });
    expect(bob.client.count('subscriberOffer')).to.equal(0);
  });
});
