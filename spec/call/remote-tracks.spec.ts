import { expect } from 'chai';
import { Subject, toArray, lastValueFrom } from 'rxjs';
import { RtpHeader, RtpPacket } from 'werift';
import { events, TrackType } from '../../lib/protocol/index.js';
import { reduceParticipants, type ParticipantMap } from '../../lib/call/participants.js';
import { RemoteTrackRegistry, type CallRemoteTrack, type IncomingTrack } from '../../lib/call/remote-tracks.js';

const participants = (list: { sessionId: string; trackLookupPrefix: string; publishedTracks: number[] }[]): ParticipantMap =>
  reduceParticipants(new Map(), events.SfuEvent.fromObject({ joinResponse: { callState: { participants: list.map((p) => ({ ...p, userId: p.sessionId })) } } }), 'me');
const incoming = (prefix: string, trackType = TrackType.TRACK_TYPE_AUDIO): IncomingTrack & { feed: Subject<RtpPacket> } => {
  const feed = new Subject<RtpPacket>();
  return { trackLookupPrefix: prefix, trackType, kind: 'audio', rtp$: feed.asObservable(), feed };
};
const packet = (seq: number) => new RtpPacket(new RtpHeader({ sequenceNumber: seq }), Buffer.from([seq]));

describe('RemoteTrackRegistry (remote tracks stable across reconnects)', () => {
  const alice = { sessionId: 's-alice', trackLookupPrefix: 'pa', publishedTracks: [1] };

  it('binds an incoming track to its participant by lookup prefix and announces it once', async () => {
    const registry = new RemoteTrackRegistry();
    const added: CallRemoteTrack[] = [];
    registry.added$.subscribe((t) => added.push(t));
    const map = participants([alice]);
    const sink = registry.attach(incoming('pa'), map, 1);
    expect(sink).to.not.equal(undefined);
    expect(registry.attach(incoming('pa'), map, 1), 'the same connection generation: same sink').to.equal(sink);
    expect(added.map((t) => [t.id, t.participant.sessionId, t.trackType])).to.deep.equal([['s-alice:1', 's-alice', 1]]);
    expect(registry.attach(incoming('nobody'), map, 1), 'a late track of someone unknown').to.equal(undefined);
  });

  it('a new connection generation (REJOIN, MIGRATE) feeds the same rtp$ and says so on replaced$', async () => {
    const registry = new RemoteTrackRegistry();
    const map = participants([alice]);
    let track: CallRemoteTrack | undefined;
    registry.added$.subscribe((t) => (track = t));
    const first = registry.attach(incoming('pa'), map, 1)!;
    const received = lastValueFrom(track!.rtp$.pipe(toArray()));
    const replaced = lastValueFrom(track!.replaced$.pipe(toArray()));
    first.next(packet(1));
    const second = registry.attach(incoming('pa'), map, 2)!;
    expect(second).to.equal(first);
    second.next(packet(2));
    registry.close();
    expect((await received).map((p) => p.header.sequenceNumber)).to.deep.equal([1, 2]);
    expect((await replaced)).to.have.length(1);
  });

  it('prune ends tracks whose participant left or unpublished them; close ends the rest and completes added$', async () => {
    const registry = new RemoteTrackRegistry();
    const bob = { sessionId: 's-bob', trackLookupPrefix: 'pb', publishedTracks: [1, 2] };
    const map = participants([alice, bob]);
    const tracks: CallRemoteTrack[] = [];
    const addedDone = lastValueFrom(registry.added$.pipe(toArray()));
    registry.added$.subscribe((t) => tracks.push(t));
    registry.attach(incoming('pa'), map, 1);
    registry.attach(incoming('pb', TrackType.TRACK_TYPE_AUDIO), map, 1);
    registry.attach(incoming('pb', TrackType.TRACK_TYPE_VIDEO), map, 1);
    const ended = tracks.map((t) => lastValueFrom(t.rtp$.pipe(toArray())).then(() => t.id));
    registry.prune(participants([{ ...bob, publishedTracks: [2] }]));
    expect(registry.current().map((t) => t.id)).to.deep.equal(['s-bob:2']);
    registry.close();
    expect(await Promise.all(ended)).to.deep.equal(['s-alice:1', 's-bob:1', 's-bob:2']);
    expect(await addedDone).to.have.length(3);
  });

  it('prune with the wanted ids ends an unsubscribed track; subscribing again announces a new one', async () => {
    const registry = new RemoteTrackRegistry();
    const map = participants([{ sessionId: 's-alice', trackLookupPrefix: 'pa', publishedTracks: [1, 2] }]);
    const tracks: CallRemoteTrack[] = [];
    registry.added$.subscribe((t) => tracks.push(t));
    registry.attach(incoming('pa', TrackType.TRACK_TYPE_AUDIO), map, 1);
    registry.attach(incoming('pa', TrackType.TRACK_TYPE_VIDEO), map, 1);
    const videoEnded = lastValueFrom(tracks[1]!.rtp$.pipe(toArray()));
    registry.prune(map, new Set(['s-alice:1']));
    await videoEnded;
    expect(registry.current().map((t) => t.id)).to.deep.equal(['s-alice:1']);
    registry.attach(incoming('pa', TrackType.TRACK_TYPE_VIDEO), map, 1);
    expect(tracks.map((t) => t.id)).to.deep.equal(['s-alice:1', 's-alice:2', 's-alice:2']);
    expect(tracks[2]).to.not.equal(tracks[1]);
    registry.close();
  });

  it('participant is the owner as the call knows it now, on the same track object', () => {
    const registry = new RemoteTrackRegistry();
    let track: CallRemoteTrack | undefined;
    registry.added$.subscribe((t) => (track = t));
    const alice = { sessionId: 's-alice', trackLookupPrefix: 'pa', publishedTracks: [1] };
    registry.attach(incoming('pa'), participants([alice]), 1);
    expect(track!.participant.name).to.equal('');
    const renamed = reduceParticipants(new Map(), events.SfuEvent.fromObject({ joinResponse: { callState: { participants: [{ ...alice, userId: 's-alice', name: 'Alice' }] } } }), 'me');
    registry.prune(renamed);
    expect(track!.participant.name).to.equal('Alice');
    registry.close();
  });
});
