import { expect } from 'chai';
import { TrackType, WebsocketReconnectStrategy as S, type Participant } from '../../lib/protocol/index.js';
import { credentialsFor, startTestEmulator, useTestEmulator, type Credentials, type TestEmulator } from './support/fixture.js';
import { until } from './support/until.js';
import { resourceBaseline, resourceGrowth, type ResourceType } from '../support/resources.js';
import { WireAgent } from './support/wire-agent.js';

const AUDIO = TrackType.TRACK_TYPE_AUDIO;

/** Coordinator credentials that land on `sfuId`: every other SFU is named in `migrating_from_list`. */
function credentialsOn(t: TestEmulator, userId: string, sfuId: string): Promise<Credentials> {
  const others = t.emu.sfus.map((s) => s.id).filter((id) => id !== sfuId);
  return credentialsFor(t.emu, userId, 'demo', { create: true, migrating_from_list: others });
}

/** How `agent` knows participant `sessionId`: from its join_response or a later participant_joined. */
function participantSeenBy(agent: WireAgent, sessionId: string): Participant {
  const seen = agent.client.events.flatMap((e) => [...(e.joinResponse?.callState?.participants ?? []), ...(e.participantJoined?.participant ? [e.participantJoined.participant] : [])]);
  const found = seen.find((p) => p.sessionId === sessionId);
  if (!found) throw new Error(`agent ${agent.sessionId} never heard of ${sessionId}`);
  return found;
}

/** Whether an SDP has a sendonly m-section carrying the stream `msid`. */
function offersStream(sdp: string, msid: string): boolean {
  return sdp.split(/\r?\nm=/).slice(1).some((section) => section.includes(`a=msid:${msid} `) && /a=sendonly/.test(section));
}

const subscribe = (agent: WireAgent, userId: string, sessionId: string) =>
  agent.rpc('UpdateSubscriptions', { tracks: [{ userId, sessionId, trackType: 'TRACK_TYPE_AUDIO' }] });

const receivedFrom = (received: { fromSessionId: string; trackType: TrackType; packets: number }[], sessionId: string) =>
  received.find((r) => r.fromSessionId === sessionId && r.trackType === AUDIO)?.packets ?? 0;

describe('emulator cascading: media between SFUs of one call (real werift)', function () {
  this.timeout(30000);
  const t = useTestEmulator({ sfuCount: 2 });
  const keep = (agent: WireAgent) => t().keep(agent);

  /** A client publishing audio on `speakerSfu`, heard by one subscribed to it on `listenerSfu`. */
  async function speakerAndListener(speakerSfu: string, listenerSfu: string): Promise<{ speaker: WireAgent; listener: WireAgent; prefix: string }> {
    const speaker = keep(await WireAgent.join(t().emu, 'speaker', 'demo', { credentials: await credentialsOn(t(), 'speaker', speakerSfu) }));
    const listener = keep(await WireAgent.join(t().emu, 'listener', 'demo', { credentials: await credentialsOn(t(), 'listener', listenerSfu) }));
    await speaker.publishAudio();
    await subscribe(listener, 'speaker', speaker.sessionId);
    const prefix = participantSeenBy(listener, speaker.sessionId).trackLookupPrefix!;
    await until(() => listener.packetsFrom(prefix) >= 5, 15000, 'RTP from the speaker');
    return { speaker, listener, prefix };
  }

  it('a client on sfu-1 hears a simulated participant on sfu-0, and the participant hears the client', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, sfuId: 'sfu-0' });
    const agent = keep(await WireAgent.join(t().emu, 'agent', 'demo', { credentials: await credentialsOn(t(), 'agent', 'sfu-1') }));
    expect(agent.joined.credentials.server.edge_name).to.equal('sfu-1');
    await agent.publishAudio();
    await subscribe(agent, 'human', human.sessionId);

    const prefix = participantSeenBy(agent, human.sessionId).trackLookupPrefix!;
    await until(() => agent.packetsFrom(prefix) >= 10, 15000, 'RTP from sfu-0 at the client on sfu-1');
    await until(() => receivedFrom(human.received(), agent.sessionId) >= 10, 15000, 'RTP from sfu-1 at the participant on sfu-0');
    expect(t().media[1]!.plane.publishedPackets(agent.sessionId).find((p) => p.trackType === AUDIO)!.packets, 'counted where it was published')
      .to.be.greaterThan(0);
    expect(t().media[0]!.plane.publishedPackets(agent.sessionId), 'not published on sfu-0').to.deep.equal([]);
  });

  it('a simulated participant takes the tracks of its own call only, wherever they are published', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, sfuId: 'sfu-0' });
    const stranger = await t().emu.addParticipant({ callId: 'other', userId: 'stranger', audio: true, sfuId: 'sfu-0' });
    const agent = keep(await WireAgent.join(t().emu, 'agent', 'demo', { credentials: await credentialsOn(t(), 'agent', 'sfu-1') }));
    await agent.publishAudio();
    await until(() => receivedFrom(human.received(), agent.sessionId) >= 5, 15000, 'RTP from the agent at the participant of its call');
    expect(stranger.received().map((r) => r.fromSessionId), 'nothing of call demo').to.not.include(agent.sessionId);
    expect(human.received().map((r) => r.fromSessionId), 'nothing of call other').to.not.include(stranger.sessionId);
  });

  it('two clients on different SFUs hear each other', async () => {
    const alice = keep(await WireAgent.join(t().emu, 'alice', 'demo', { credentials: await credentialsOn(t(), 'alice', 'sfu-0') }));
    const bob = keep(await WireAgent.join(t().emu, 'bob', 'demo', { credentials: await credentialsOn(t(), 'bob', 'sfu-1') }));
    expect([alice.joined.credentials.server.edge_name, bob.joined.credentials.server.edge_name]).to.deep.equal(['sfu-0', 'sfu-1']);
    await Promise.all([alice.publishAudio(), bob.publishAudio()]);
    await Promise.all([subscribe(alice, 'bob', bob.sessionId), subscribe(bob, 'alice', alice.sessionId)]);

    const [alicePrefix, bobPrefix] = [participantSeenBy(bob, alice.sessionId).trackLookupPrefix!, participantSeenBy(alice, bob.sessionId).trackLookupPrefix!];
    await until(() => alice.packetsFrom(bobPrefix) >= 10 && bob.packetsFrom(alicePrefix) >= 10, 15000, 'RTP both ways across SFUs');
    expect(receivedFrom(t().media[0]!.plane.receivedPackets(alice.sessionId), bob.sessionId), 'forwarded by sfu-0 to alice').to.be.greaterThan(0);
    expect(receivedFrom(t().media[1]!.plane.receivedPackets(bob.sessionId), alice.sessionId), 'forwarded by sfu-1 to bob').to.be.greaterThan(0);
  });

  it('a publisher migrating from sfu-0 to sfu-1 keeps being heard on sfu-0, without a new subscriber offer', async () => {
    const { speaker: mover, listener, prefix } = await speakerAndListener('sfu-0', 'sfu-0');

    const moved = keep(await WireAgent.join(t().emu, 'speaker', 'demo', {
      credentials: await credentialsOn(t(), 'speaker', 'sfu-1'),
      extra: {
        sessionId: mover.sessionId,
        reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE, fromSfuId: 'sfu-0', announcedTracks: [{ trackType: AUDIO, mid: '0' }] },
      },
    }));
    expect(moved.joined.response.joinResponse, 'MIGRATE accepted').to.not.equal(undefined);
    const offersBefore = listener.client.events.filter((e) => e.subscriberOffer).length;
    await moved.publishAudio();
    await mover.client.waitFor('participantMigrationComplete'); // said by sfu-0, on the socket being left
    await mover.close(); // the old publisher connection is gone: whatever reaches the listener now came through sfu-1
    await until(() => !t().media[0]!.sessions.has(mover.sessionId), 5000, 'sfu-0 to drop its copy of the mover once its socket closed');

    const afterMove = listener.packetsFrom(prefix);
    await until(() => listener.packetsFrom(prefix) >= afterMove + 10, 15000, 'RTP from the mover after the move');
    expect(t().emu.liveSessions().find((s) => s.sessionId === mover.sessionId)!.sfuId).to.equal('sfu-1');
    expect(t().media[1]!.plane.publishedPackets(mover.sessionId).find((p) => p.trackType === AUDIO)!.packets).to.be.greaterThan(0);
    expect(listener.client.events.filter((e) => e.subscriberOffer).length, 'the listener did not renegotiate').to.equal(offersBefore);
  });

  it('after a leave on sfu-0 the track disappears on sfu-1: a new offer without it, gone from the bus', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, sfuId: 'sfu-0' });
    const agent = keep(await WireAgent.join(t().emu, 'agent', 'demo', { credentials: await credentialsOn(t(), 'agent', 'sfu-1') }));
    await subscribe(agent, 'human', human.sessionId);
    const msid = `${participantSeenBy(agent, human.sessionId).trackLookupPrefix!}:TRACK_TYPE_AUDIO`;
    const lastOffer = () => agent.client.events.filter((e) => e.subscriberOffer).at(-1)?.subscriberOffer;
    await until(() => agent.packetsFrom(msid.split(':')[0]!) >= 5, 15000, 'RTP from the participant');
    expect(offersStream(lastOffer()!.sdp!, msid)).to.equal(true);
    const offered = lastOffer()!.negotiationId!;

    await human.leave();
    await until(() => (lastOffer()?.negotiationId ?? 0) > offered, 10000, 'a new subscriber offer on sfu-1');
    expect(offersStream(lastOffer()!.sdp!, msid), 'the track is no longer offered').to.equal(false);
    expect(t().media.map((m) => m.plane.publishedTracks(human.sessionId)), 'gone from the bus, seen from both SFUs').to.deep.equal([[], []]);
  });

  it('a killed SFU stops contributing media: a client publishing there loses its track on the other SFU', async () => {
    const { speaker, listener, prefix } = await speakerAndListener('sfu-0', 'sfu-1');
    const offered = listener.client.events.filter((e) => e.subscriberOffer).length;

    await t().emu.faults.sfu('sfu-0').kill();
    await until(() => listener.client.events.filter((e) => e.subscriberOffer).length > offered, 10000, 'a new subscriber offer on sfu-1');
    expect(offersStream(listener.client.events.filter((e) => e.subscriberOffer).at(-1)!.subscriberOffer!.sdp!, `${prefix}:TRACK_TYPE_AUDIO`)).to.equal(false);
    expect(t().media[1]!.plane.publishedTracks(speaker.sessionId)).to.deep.equal([]);
  });

  it('a simulated participant whose SFU is killed reconnects to another: still heard and hearing, no renegotiation', async () => {
    const human = await t().emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, sfuId: 'sfu-0' });
    const agent = keep(await WireAgent.join(t().emu, 'agent', 'demo', { credentials: await credentialsOn(t(), 'agent', 'sfu-1') }));
    await agent.publishAudio();
    await subscribe(agent, 'human', human.sessionId);
    const prefix = participantSeenBy(agent, human.sessionId).trackLookupPrefix!;
    await until(() => agent.packetsFrom(prefix) >= 5 && receivedFrom(human.received(), agent.sessionId) >= 5, 15000, 'RTP both ways');
    const offered = agent.client.events.filter((e) => e.subscriberOffer).length;

    await t().emu.faults.sfu('sfu-0').kill();
    expect(human.sfuId).to.equal('sfu-1');
    expect(t().emu.liveSessions().find((s) => s.sessionId === human.sessionId)!.sfuId).to.equal('sfu-1');
    const [heard, hearing] = [agent.packetsFrom(prefix), receivedFrom(human.received(), agent.sessionId)];
    await until(() => agent.packetsFrom(prefix) >= heard + 10 && receivedFrom(human.received(), agent.sessionId) >= hearing + 10, 15000, 'RTP both ways after the kill');
    expect(receivedFrom(t().media[1]!.plane.receivedPackets(human.sessionId), agent.sessionId), 'now counted on sfu-1').to.be.greaterThan(0);
    expect(agent.client.events.filter((e) => e.subscriberOffer).length, 'the agent did not renegotiate').to.equal(offered);
    expect(t().emu.records.leaves.map((l) => l.sessionId)).to.not.include(human.sessionId);
  });
});

const WATCHED: ResourceType[] = ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'Timeout', 'Immediate'];

describe('emulator cascading: close', function () {
  this.timeout(30000);

  it('emu.close() after media crossed SFUs leaves no socket, UDP port or timer behind', async () => {
    const baseline = await resourceBaseline(WATCHED);
    const t = await startTestEmulator({ sfuCount: 2 });
    const human = await t.emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, sfuId: 'sfu-0' });
    const agent = await WireAgent.join(t.emu, 'agent', 'demo', { credentials: await credentialsOn(t, 'agent', 'sfu-1') });
    await agent.publishAudio();
    await subscribe(agent, 'human', human.sessionId);
    await until(() => receivedFrom(human.received(), agent.sessionId) >= 5, 15000, 'RTP across SFUs');
    await until(() => agent.packetsFrom(participantSeenBy(agent, human.sessionId).trackLookupPrefix!) >= 5, 15000, 'RTP across SFUs');
    await agent.close();
    await t.emu.close();
    expect(t.media.every((m) => m.closed), 'every media plane closed').to.equal(true);
    expect(await resourceGrowth(baseline, 10000)).to.deep.equal({});
  });
});
