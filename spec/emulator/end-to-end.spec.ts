import { expect } from 'chai';
import { TrackType } from '../../lib/protocol/index.js';
import { useTestEmulator } from './support/fixture.js';
import { until } from './support/until.js';
import { WireAgent } from './support/wire-agent.js';

describe('emulator end to end (coordinator → socket → Twirp → real werift media)', function () {
  this.timeout(30000);
  const t = useTestEmulator({ sfuCount: 2 });

  it('an agent and a simulated participant exchange real RTP through the control plane', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true });
    const agent = await WireAgent.join(t().emu, 'agent');
    t().keep(agent);
    expect(agent.joined.credentials.server.edge_name, 'the coordinator picks the SFU hosting the call').to.equal(human.sfuId);
    const humanInfo = agent.joined.response.joinResponse!.callState!.participants!.find((p) => p.userId === 'human')!;
    expect(humanInfo.publishedTracks).to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);

    await agent.publishAudio();
    await agent.rpc('UpdateSubscriptions', { tracks: [{ userId: 'human', sessionId: human.sessionId, trackType: 'TRACK_TYPE_AUDIO' }] });

    await until(() => agent.packetsFrom(humanInfo.trackLookupPrefix ?? '') >= 10, 15000, 'RTP from the simulated participant');
    const fromAgent = () => human.received().find((r) => r.fromSessionId === agent.sessionId && r.trackType === TrackType.TRACK_TYPE_AUDIO)?.packets ?? 0;
    await until(() => fromAgent() >= 10, 15000, 'RTP from the agent at the simulated participant');
    expect(t().emu.records.rpcs.filter((r) => r.method === 'SendAnswer' && r.status === 200).length).to.be.greaterThan(0);
    expect(t().emu.records.rpcs.some((r) => r.method === 'IceTrickle')).to.equal(true);
  });

  it('FAST keeps the media session: RTP keeps flowing both ways across the socket change; the SFU ICE-restarts the subscriber after the join, as Stream\'s does', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true });
    const agent = await WireAgent.join(t().emu, 'agent');
    t().keep(agent);
    const prefix = agent.joined.response.joinResponse!.callState!.participants!.find((p) => p.userId === 'human')!.trackLookupPrefix ?? '';
    await agent.publishAudio();
    await agent.rpc('UpdateSubscriptions', { tracks: [{ userId: 'human', sessionId: human.sessionId, trackType: 'TRACK_TYPE_AUDIO' }] });
    await until(() => agent.packetsFrom(prefix) >= 5, 15000, 'RTP from the simulated participant');
    const fromAgent = () => human.received().find((r) => r.fromSessionId === agent.sessionId)?.packets ?? 0;
    await until(() => fromAgent() >= 5, 15000, 'RTP from the agent');

    const firstUfrag = agent.subscriber.remoteDescription?.sdp.match(/a=ice-ufrag:(\S+)/)?.[1];
    const response = await agent.reconnectFast();
    expect(response.joinResponse!.reconnected).to.equal(true);
    const restart = (await agent.client.waitFor('subscriberOffer')).subscriberOffer!;
    expect(restart.iceRestart, 'an ICE-restart offer follows the FAST join_response').to.equal(true);
    expect(restart.sdp!.match(/a=ice-ufrag:(\S+)/)?.[1], 'with new ICE credentials').to.not.equal(firstUfrag);
    const [receivedBefore, sentBefore] = [agent.packetsFrom(prefix), fromAgent()];
    await until(() => agent.packetsFrom(prefix) > receivedBefore + 5 && fromAgent() > sentBefore + 5, 15000, 'RTP after FAST');
    const plane = t().media.find((m) => m.sessions.has(agent.sessionId))!;
    expect(plane.calls.filter((c) => c.sessionId === agent.sessionId && (c.method === 'addSession' || c.method === 'removeSession')).map((c) => c.method)).to.deep.equal(['addSession']);
  });
});
