import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { events, models, TrackType, type SfuEventInit, type SfuEvent } from '../../lib/protocol/index.js';
import { participantsFromEvents } from '../../lib/call/participants.js';
import {
  audioLevels$, callGrants$, dominantSpeaker$, participantJoined$, participantLeft$, trackChanges$,
} from '../../lib/call/participant-streams.js';

const ev = (init: SfuEventInit): SfuEvent => events.SfuEvent.fromObject(init as never);
const alice = { userId: 'alice', sessionId: 's-alice', trackLookupPrefix: 'pa', publishedTracks: [TrackType.TRACK_TYPE_AUDIO] };
const bob = { userId: 'bob', sessionId: 's-bob', trackLookupPrefix: 'pb', publishedTracks: [] };
const me = { userId: 'agent', sessionId: 's-me', trackLookupPrefix: 'pm', publishedTracks: [] };

describe('participant streams (derived from SFU events)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => { scheduler = new TestScheduler((a, b) => { expect(a).to.deep.equal(b); }); });

  it('participantJoined$ / participantLeft$: those already there first, never ourselves', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold('--J--j--l--|', {
        J: ev({ joinResponse: { callState: { participants: [alice, me] } } }),
        j: ev({ participantJoined: { participant: bob } }),
        l: ev({ participantLeft: { participant: { sessionId: 's-alice', userId: 'alice' } } }),
      });
      const participants$ = events$.pipe(participantsFromEvents(() => 's-me'));
      expectObservable(participantJoined$(participants$).pipe(map((p) => p.userId))).toBe('--a--b-----|', { a: 'alice', b: 'bob' });
      expectObservable(participantLeft$(participants$).pipe(map((p) => p.userId))).toBe('--------a--|', { a: 'alice' });
    });
  });

  it('trackChanges$: published, unpublished, and mute told apart by the cause', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold('-p-m-u-|', {
        p: ev({ trackPublished: { sessionId: 's-bob', userId: 'bob', type: TrackType.TRACK_TYPE_AUDIO } }),
        m: ev({ trackUnpublished: { sessionId: 's-bob', userId: 'bob', type: TrackType.TRACK_TYPE_AUDIO, cause: models.TrackUnpublishReason.TRACK_UNPUBLISH_REASON_USER_MUTED } }),
        u: ev({ trackUnpublished: { sessionId: 's-bob', userId: 'bob', type: TrackType.TRACK_TYPE_VIDEO, cause: models.TrackUnpublishReason.TRACK_UNPUBLISH_REASON_PERMISSION_REVOKED } }),
      });
      expectObservable(trackChanges$(events$).pipe(map((c) => `${c.userId}/${c.trackType}/${c.published}/${c.muted}/${c.cause ?? ''}`))).toBe('-a-b-c-|', {
        a: 'bob/1/true/false/',
        b: 'bob/1/false/true/TRACK_UNPUBLISH_REASON_USER_MUTED',
        c: 'bob/2/false/false/TRACK_UNPUBLISH_REASON_PERMISSION_REVOKED',
      });
    });
  });

  it('dominantSpeaker$, audioLevels$ and callGrants$ type their events and ignore the rest', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold('-d-x-a-g-|', {
        d: ev({ dominantSpeakerChanged: { sessionId: 's-bob', userId: 'bob' } }),
        x: ev({ healthCheckResponse: {} }),
        a: ev({ audioLevelChanged: { audioLevels: [{ sessionId: 's-bob', userId: 'bob', level: 0.5, isSpeaking: true }] } }),
        g: ev({ callGrantsUpdated: { currentGrants: { canPublishAudio: true, canPublishVideo: false, canScreenshare: false } } }),
      });
      expectObservable(dominantSpeaker$(events$)).toBe('-d-------|', { d: { sessionId: 's-bob', userId: 'bob' } });
      expectObservable(audioLevels$(events$)).toBe('-----a---|', { a: [{ sessionId: 's-bob', userId: 'bob', level: 0.5, isSpeaking: true }] });
      expectObservable(callGrants$(events$)).toBe('-------g-|', { g: { canPublishAudio: true, canPublishVideo: false, canScreenshare: false } });
    });
  });
});
