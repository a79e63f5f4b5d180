/**
 * Typed views of what happens to the others, all derived from the call's one source of truth (the
 * SFU events, and the participant map reduced from them): who joined and left, who speaks, audio
 * levels, tracks published/unpublished (mute included), and our own grants.
 */
import { filter, map, mergeMap, pairwise, startWith, type Observable } from 'rxjs';
import { TrackType, models, type SfuEvent } from '../protocol/index.js';
import type { CallParticipant, ParticipantMap } from './participants.js';

/** Names a participant session. */
export interface ParticipantRef {
  readonly sessionId: string;
  readonly userId: string;
}

/** One participant's audio level, as the SFU measures it. */
export interface ParticipantAudioLevel extends ParticipantRef {
  /** 0..1 */
  readonly level: number;
  readonly isSpeaking: boolean;
}

/** A remote track appeared or went. */
export interface TrackChange extends ParticipantRef {
  readonly trackType: TrackType;
  readonly published: boolean;
  /** Unpublished because its owner muted it (`TRACK_UNPUBLISH_REASON_USER_MUTED`). */
  readonly muted: boolean;
  /** The SFU's reason name when unpublished (`TRACK_UNPUBLISH_REASON_…`). */
  readonly cause?: string;
}

/** What the SFU lets us publish now (`call_grants_updated`). */
export interface CallGrants {
  readonly canPublishAudio: boolean;
  readonly canPublishVideo: boolean;
  readonly canScreenshare: boolean;
}

const withoutLocal = (map: ParticipantMap) => [...map.values()].filter((p) => !p.isLocal);

/**
 * Participants present in a map and not in the one before (ourselves never, so a REJOIN's new own
 * session is no "join"). The first map counts as all-new: those already in the call come first.
 *
 * ```
 * participants$: a----ab----b-
 * joined$:       a----b-------
 * left$:         -----------a-
 * ```
 */
export function participantJoined$(participants$: Observable<ParticipantMap>): Observable<CallParticipant> {
  return participants$.pipe(
    startWith(new Map() as ParticipantMap),
    pairwise(),
    mergeMap(([before, after]) => withoutLocal(after).filter((p) => !before.has(p.sessionId))),
  );
}

/** Participants gone from the map (left, dropped, or the call ended), as last known. */
export function participantLeft$(participants$: Observable<ParticipantMap>): Observable<CallParticipant> {
  return participants$.pipe(pairwise(), mergeMap(([before, after]) => withoutLocal(before).filter((p) => !after.has(p.sessionId))));
}

/** `dominant_speaker_changed`: who the SFU says speaks now. */
export function dominantSpeaker$(events$: Observable<SfuEvent>): Observable<ParticipantRef> {
  return events$.pipe(
    filter((e) => e.eventPayload === 'dominantSpeakerChanged' && !!e.dominantSpeakerChanged),
    map((e) => ({ sessionId: e.dominantSpeakerChanged!.sessionId ?? '', userId: e.dominantSpeakerChanged!.userId ?? '' })),
  );
}

/** `audio_level_changed`: every level the SFU reported, one array per event. */
export function audioLevels$(events$: Observable<SfuEvent>): Observable<readonly ParticipantAudioLevel[]> {
  return events$.pipe(
    filter((e) => e.eventPayload === 'audioLevelChanged'),
    map((e) => (e.audioLevelChanged?.audioLevels ?? []).map((l) => ({
      sessionId: l.sessionId ?? '', userId: l.userId ?? '', level: l.level ?? 0, isSpeaking: l.isSpeaking ?? false,
    }))),
  );
}

/** `track_published` / `track_unpublished` of the others, mute included. */
export function trackChanges$(events$: Observable<SfuEvent>): Observable<TrackChange> {
  return events$.pipe(
    mergeMap((e): TrackChange[] => {
      if (e.eventPayload === 'trackPublished' && e.trackPublished) {
        const { sessionId, userId, type } = e.trackPublished;
        return [{ sessionId: sessionId ?? '', userId: userId ?? '', trackType: type ?? TrackType.TRACK_TYPE_UNSPECIFIED, published: true, muted: false }];
      }
      if (e.eventPayload === 'trackUnpublished' && e.trackUnpublished) {
        const { sessionId, userId, type, cause } = e.trackUnpublished;
        const reason = cause ?? 0;
        return [{
          sessionId: sessionId ?? '', userId: userId ?? '', trackType: type ?? TrackType.TRACK_TYPE_UNSPECIFIED, published: false,
          muted: reason === models.TrackUnpublishReason.TRACK_UNPUBLISH_REASON_USER_MUTED,
          cause: models.TrackUnpublishReason[reason] ?? String(reason),
        }];
      }
      return [];
    }),
  );
}

/** `call_grants_updated`: what we may publish now. */
export function callGrants$(events$: Observable<SfuEvent>): Observable<CallGrants> {
  return events$.pipe(
    filter((e) => e.eventPayload === 'callGrantsUpdated'),
    map((e) => {
      const g = e.callGrantsUpdated?.currentGrants;
      return { canPublishAudio: g?.canPublishAudio ?? false, canPublishVideo: g?.canPublishVideo ?? false, canScreenshare: g?.canScreenshare ?? false };
    }),
  );
}
