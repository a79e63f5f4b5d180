import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { events, TrackType, type SfuEventInit, type SfuEvent } from '../../lib/protocol/index.js';
import { participantsFromEvents, reduceParticipantEvents, reduceParticipants, type ParticipantMap } from '../../lib/call/participants.js';
import { coalesceTurn } from '../../lib/call/coalesce.js';
import { desiredSubscriptions, sameSubscriptions } from '../../lib/call/subscriptions.js';

const ev = (init: SfuEventInit): SfuEvent => events.SfuEvent.fromObject(init as never);
const alice = { userId: 'alice', sessionId: 's-alice', trackLookupPrefix: 'pa', publishedTracks: [TrackType.TRACK_TYPE_AUDIO] };
const bob = { userId: 'bob', sessionId: 's-bob', trackLookupPrefix: 'pb', publishedTracks: [] };
const me = { userId: 'agent', sessionId: 's-me', trackLookupPrefix: 'pm', publishedTracks: [] };

const summary = (m: ParticipantMap) =>
  [...m.values()].map((p) => `${p.userId}:${p.publishedTracks.join('+')}${p.isLocal ? ':local' : ''}`).sort().join(',');

describe('participants (reducer over SFU events)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => { scheduler = new TestScheduler((a, b) => { expect(a).to.deep.equal(b); }); });

  it('seeds from join_response, then follows joined / track_published / track_unpublished / left', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold('--J--j--t--u--l--|', {
        J: ev({ joinResponse: { callState: { participants: [alice, me] } } }),
        j: ev({ participantJoined: { participant: bob } }),
        t: ev({ trackPublished: { sessionId: 's-bob', userId: 'bob', type: TrackType.TRACK_TYPE_VIDEO } }),
        u: ev({ trackUnpublished: { sessionId: 's-alice', userId: 'alice', type: TrackType.TRACK_TYPE_AUDIO } }),
        l: ev({ participantLeft: { participant: { sessionId: 's-alice', userId: 'alice' } } }),
      });
      expectObservable(events$.pipe(participantsFromEvents(() => 's-me'), map(summary))).toBe(
        'a-b--c--d--e--f--|', {
          a: '',
          b: 'agent::local,alice:1',
          c: 'agent::local,alice:1,bob:',
          d: 'agent::local,alice:1,bob:2',
          e: 'agent::local,alice:,bob:2',
          f: 'agent::local,bob:2',
        });
    });
  });

  it('a later join_response (after a reconnect) replaces the whole map', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold('-J-j-K|', {
        J: ev({ joinResponse: { callState: { participants: [alice, me] } } }),
        j: ev({ participantJoined: { participant: bob } }),
        K: ev({ joinResponse: { callState: { participants: [bob, me] } } }),
      });
      expectObservable(events$.pipe(participantsFromEvents(() => 's-me'), map(summary))).toBe('ab-c-d|', {
        a: '', b: 'agent::local,alice:1', c: 'agent::local,alice:1,bob:', d: 'agent::local,bob:',
      });
    });
  });

  it('returns the same map object for events that say nothing about participants (no spurious emissions downstream)', () => {
    const state = reduceParticipants(new Map(), ev({ joinResponse: { callState: { participants: [alice] } } }), 's-me');
    expect(reduceParticipants(state, ev({ healthCheckResponse: {} }), 's-me')).to.equal(state);
    expect(reduceParticipants(state, ev({ participantLeft: { participant: { sessionId: 'unknown' } } }), 's-me')).to.equal(state);
    expect(reduceParticipants(state, ev({ trackPublished: { sessionId: 'unknown', type: 1 } }), 's-me')).to.equal(state);
  });

  it('applies audio levels, dominant speaker and connection quality to the named sessions only', () => {
    let state = reduceParticipants(new Map(), ev({ joinResponse: { callState: { participants: [alice, bob] } } }), 's-me');
    state = reduceParticipants(state, ev({ audioLevelChanged: { audioLevels: [{ sessionId: 's-alice', level: 0.5, isSpeaking: true }] } }), 's-me');
    state = reduceParticipants(state, ev({ dominantSpeakerChanged: { sessionId: 's-bob' } }), 's-me');
    state = reduceParticipants(state, ev({ connectionQualityChanged: { connectionQualityUpdates: [{ sessionId: 's-bob', connectionQuality: 3 }] } }), 's-me');
    expect(state.get('s-alice')).to.include({ audioLevel: 0.5, isSpeaking: true, isDominantSpeaker: false, connectionQuality: 0 });
    expect(state.get('s-bob')).to.include({ audioLevel: 0, isSpeaking: false, isDominantSpeaker: true, connectionQuality: 3 });
  });

  it('a track_published carrying the participant takes the fresher participant and keeps the track once', () => {
    let state = reduceParticipants(new Map(), ev({ joinResponse: { callState: { participants: [bob] } } }), 's-me');
    state = reduceParticipants(state, ev({ trackPublished: { sessionId: 's-bob', type: 2, participant: { ...bob, name: 'Bob', publishedTracks: [2] } } }), 's-me');
    expect(state.get('s-bob')).to.deep.include({ name: 'Bob', publishedTracks: [2] });
  });
});

describe('desiredSubscriptions (full list for UpdateSubscriptions)', () => {
  const state = reduceParticipants(new Map(), ev({ joinResponse: { callState: { participants: [
    { ...alice, publishedTracks: [1, 2] }, { ...bob, publishedTracks: [2, 1, 3] }, { ...me, publishedTracks: [1] },
  ] } } }), 's-me');

  it('by default: every remote participant’s audio, never our own tracks', () => {
    expect(desiredSubscriptions(state, {}).map((t) => `${t.sessionId}:${t.trackType}`)).to.deep.equal(['s-alice:1', 's-bob:1']);
  });

  it('video on request, for everyone or named sessions, with a dimension', () => {
    const all = desiredSubscriptions(state, { video: true });
    expect(all.map((t) => `${t.sessionId}:${t.trackType}`)).to.deep.equal(['s-alice:1', 's-alice:2', 's-bob:1', 's-bob:2']);
    expect(all[1].dimension).to.deep.equal({ width: 640, height: 480 });
    const some = desiredSubscriptions(state, { audio: false, video: ['s-bob'], screenShare: true });
    expect(some.map((t) => `${t.sessionId}:${t.trackType}`)).to.deep.equal(['s-bob:2', 's-bob:3']);
  });

  it('sameSubscriptions compares whole lists', () => {
    const a = desiredSubscriptions(state, { video: true });
    expect(sameSubscriptions(a, desiredSubscriptions(state, { video: true }))).to.equal(true);
    expect(sameSubscriptions(a, desiredSubscriptions(state, {}))).to.equal(false);
  });
});

describe('withLocalTracks (our own entry lists what we publish)', () => {
  it('adds our published track types to our entry once, and changes nothing otherwise', async () => {
    const { withLocalTracks } = await import('../../lib/call/participants.js');
    const state = reduceParticipants(new Map(), ev({ joinResponse: { callState: { participants: [alice, me] } } }), 's-me');
    const next = withLocalTracks(state, 's-me', [TrackType.TRACK_TYPE_AUDIO]);
    expect(next.get('s-me')!.publishedTracks).to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);
    expect(next.get('s-alice')).to.equal(state.get('s-alice'));
    expect(withLocalTracks(next, 's-me', [TrackType.TRACK_TYPE_AUDIO]), 'already listed: same map').to.equal(next);
    expect(withLocalTracks(state, 's-unknown', [TrackType.TRACK_TYPE_AUDIO])).to.equal(state);
  });

  it('a batch of events gives the map applying them one by one gives; the input map is never changed; no change keeps the same map', () => {
    const seed = reduceParticipants(new Map(), ev({ joinResponse: { callState: { participants: [alice, me] } } }), 's-me');
    const batch = [
      ev({ participantJoined: { participant: bob } }),
      ev({ trackPublished: { sessionId: 's-bob', userId: 'bob', type: TrackType.TRACK_TYPE_VIDEO } }),
      ev({ dominantSpeakerChanged: { sessionId: 's-bob' } }),
      ev({ participantLeft: { participant: { sessionId: 's-alice', userId: 'alice' } } }),
      ev({ audioLevelChanged: { audioLevels: [{ sessionId: 's-bob', level: 0.5, isSpeaking: true }] } }),
    ];
    const before = summary(seed);
    const oneByOne = batch.reduce((state, event) => reduceParticipants(state, event, 's-me'), seed);
    const together = reduceParticipantEvents(seed, batch, 's-me');
    expect([...together.entries()]).to.deep.equal([...oneByOne.entries()]);
    expect(summary(seed), 'the input map is untouched').to.equal(before);
    expect(reduceParticipantEvents(seed, [ev({ healthCheckResponse: {} }), ev({ participantLeft: { participant: { sessionId: 's-nobody' } } })], 's-me')).to.equal(seed);
  });

  it('coalesceTurn: events of one scheduler turn come as one batch (at the end of that turn: the same virtual frame); completion flushes what is pending', () => {
    const scheduler = new TestScheduler((a, b) => { expect(a).to.deep.equal(b); });
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('(abc)-d--(e|)').pipe(coalesceTurn(scheduler))).toBe('x-----y--(z|)', { x: ['a', 'b', 'c'], y: ['d'], z: ['e'] });
    });
  });
});
