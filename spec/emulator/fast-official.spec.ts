/**
 * What the official JavaScript client (`@stream-io/video-client`) expects of the SFU after a FAST
 * join, pinned with its own `StreamSfuClient` and `Dispatcher` against the emulator. On FAST the
 * official client keeps its subscriber peer connection and restarts only the publisher's ICE itself
 * (`Call.doJoin`: `restoreICE(sfuClient, { includeSubscriber: false })`, commented "the SFU
 * automatically issues an ICE restart on the subscriber"); its subscriber then answers whatever
 * `subscriber_offer` the new signaling client dispatches. So the SFU must send that offer, with
 * `ice_restart`, on the new socket after the join_response. The subscriber peer connection here is
 * werift answering the way the official `Subscriber.negotiate` does (remote offer, answer,
 * `sendAnswer` through the signaling client that received the offer).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { RTCPeerConnection } from 'werift';
import { StreamSfuClient, SfuEvents, SfuModels } from '@stream-io/video-client';
import { rtcConfiguration } from '../../lib/rtc/config.js';
import { credentialsFor, type Credentials } from './support/fixture.js';
import { keepOfficial, officialDispatcher, useOfficialClient, type OfficialDispatcher } from './support/official-client.js';
import { until } from './support/until.js';

type OfficialSfuClient = InstanceType<typeof StreamSfuClient>;
type Offer = { sdp: string; iceRestart: boolean; negotiationId: number };

describe('emulator FAST, checked with the official client (the SFU ICE-restarts the subscriber after the join)', function () {
  this.timeout(30000);
  const t = useOfficialClient({ sfuCount: 1 });
  let subscriber: RTCPeerConnection;
  beforeEach(() => {
    subscriber = t().keep(new RTCPeerConnection(rtcConfiguration({ loopbackOnly: true })));
  });

  /** A signaling client whose subscriber offers and trickles (dispatched by its tag) reach the werift subscriber. */
  function officialSfuClient(dispatcher: OfficialDispatcher, credentials: Credentials, sessionId: string, tag: string, offers: Offer[]): OfficialSfuClient {
    const client = new StreamSfuClient({ dispatcher, credentials: credentials as never, sessionId, cid: 'default:demo', tag, streamClient: t().video.streamClient, enableTracing: false });
    keepOfficial(t(), client);
    let chain: Promise<unknown> = Promise.resolve();
    const inOrder = (step: () => Promise<unknown>) => (chain = chain.then(step).catch(() => undefined));
    dispatcher.on('subscriberOffer', tag, (offer: Offer) => void inOrder(async () => {
      offers.push(offer);
      const wasConnected = subscriber.connectionState === 'connected';
      await subscriber.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      await subscriber.setLocalDescription(await subscriber.createAnswer());
      // WERIFT.md pitfall 4: a connected werift transport must be started again after an ICE restart.
      if (offer.iceRestart && wasConnected) subscriber.iceTransports.forEach((ice) => void ice.start().catch(() => undefined));
      await client.sendAnswer({ peerType: SfuModels.PeerType.SUBSCRIBER, sdp: subscriber.localDescription!.sdp, negotiationId: offer.negotiationId });
    }));
    dispatcher.on('iceTrickle', tag, (trickle: { peerType: number; iceCandidate: string }) => {
      if (trickle.peerType === SfuModels.PeerType.SUBSCRIBER) void inOrder(() => subscriber.addIceCandidate(JSON.parse(trickle.iceCandidate)));
    });
    return client;
  }

  it('after the FAST join the new signaling client gets a subscriber_offer with ice_restart and new credentials; answered, media flows again', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true });
    let packets = 0;
    subscriber.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => (packets += 1)));
    const dispatcher = officialDispatcher(t().video);
    const sessionId = randomUUID();
    const credentials = await credentialsFor(t().emu, 'alice');
    const before: Offer[] = [];
    const first = officialSfuClient(dispatcher, credentials, sessionId, '0', before);
    await first.join(SfuEvents.JoinRequest.create({}));
    await first.updateSubscriptions([{ userId: 'human', sessionId: human.sessionId, trackType: SfuModels.TrackType.AUDIO, dimension: undefined }]);
    await until(() => packets >= 10, 15000, 'RTP from the human before the FAST');

    // As the official Call.reconnectFast: the old socket is dropped, a new one joins the same session.
    first.close(StreamSfuClient.ERROR_CONNECTION_UNHEALTHY, 'spec: connection lost');
    await until(() => t().emu.liveSessions().find((s) => s.sessionId === sessionId)?.connected === false, 5000, 'the SFU to see the socket gone');
    const after: Offer[] = [];
    const resumed = officialSfuClient(dispatcher, credentials, sessionId, '1', after);
    await resumed.join(SfuEvents.JoinRequest.create({
      fastReconnect: true,
      reconnectDetails: { strategy: SfuModels.WebsocketReconnectStrategy.FAST, announcedTracks: [], subscriptions: [], reconnectAttempt: 1, fromSfuId: credentials.server.edge_name, previousSessionId: '', reason: 'spec' },
    }));
    expect(t().emu.records.joins.at(-1)).to.include({ sessionId, outcome: 'resumed' });
    await until(() => after.length > 0, 10000, 'a subscriber_offer on the new signaling client');
    expect(after[0]!.iceRestart, 'the SFU restarts the subscriber\'s ICE').to.equal(true);
    const ufrag = (offer: Offer) => /a=ice-ufrag:(\S+)/.exec(offer.sdp)?.[1];
    expect(ufrag(after[0]!), 'new ICE credentials').to.not.equal(ufrag(before.at(-1)!));
    const received = packets;
    await until(() => packets >= received + 10, 15000, 'RTP from the human after the FAST');
  });
});
