/**
 * The call's participants, derived from SFU events by a pure reducer:
 *
 * ```
 * events$:        --J-----j-----t------l--|      J join_response, j participant_joined,
 * participants$:  --a-----b-----c------d--|      t track_published, l participant_left
 * ```
 *
 * Keyed by session id. The agent's own session is in the map too, marked `isLocal`.
 */
import { scan, startWith, type Observable, type OperatorFunction } from 'rxjs';
import type { Participant, SfuEvent, TrackType } from '../protocol/index.js';

/** One participant as the call sees it, from SFU events; a new object each time it changes. */
export interface CallParticipant {
  readonly sessionId: string;
  readonly userId: string;
  readonly name: string;
  readonly image: string;
  readonly roles: readonly string[];
  /** Prefix of the media stream ids of this participant's tracks (`prefix:TRACK_TYPE_AUDIO`). */
  readonly trackLookupPrefix: string;
  readonly publishedTracks: readonly TrackType[];
  readonly isSpeaking: boolean;
  readonly isDominantSpeaker: boolean;
  readonly audioLevel: number;
  readonly connectionQuality: number;
  readonly joinedAt?: Date;
  /** True for the agent's own session. */
  readonly isLocal: boolean;
}

/** The participants keyed by session id; a new map at every change. */
export type ParticipantMap = ReadonlyMap<string, CallParticipant>;

export function toCallParticipant(p: Participant, localSessionId: string): CallParticipant {
  const seconds = p.joinedAt?.seconds;
  return {
    sessionId: p.sessionId ?? '',
    userId: p.userId ?? '',
    name: p.name ?? '',
    image: p.image ?? '',
    roles: [...(p.roles ?? [])],
    trackLookupPrefix: p.trackLookupPrefix ?? '',
    publishedTracks: [...(p.publishedTracks ?? [])],
    isSpeaking: p.isSpeaking ?? false,
    isDominantSpeaker: p.isDominantSpeaker ?? false,
    audioLevel: p.audioLevel ?? 0,
    connectionQuality: p.connectionQuality ?? 0,
    joinedAt: seconds ? new Date(Number(seconds) * 1000 + Math.floor((p.joinedAt?.nanos ?? 0) / 1e6)) : undefined,
    isLocal: p.sessionId === localSessionId,
  };
}

/** Applies one SFU event to the participant map. Events that say nothing about participants return `state` unchanged. */
export function reduceParticipants(state: ParticipantMap, event: SfuEvent, localSessionId: string): ParticipantMap {
  switch (event.eventPayload) {
    case 'joinResponse': {
      const next = new Map<string, CallParticipant>();
      for (const p of event.joinResponse?.callState?.participants ?? []) {
        next.set(p.sessionId ?? '', toCallParticipant(p, localSessionId));
      }
      return next;
    }
    case 'participantJoined':
    case 'participantUpdated': {
      const p = event[event.eventPayload]?.participant;
      return p?.sessionId ? withParticipant(state, toCallParticipant(p, localSessionId)) : state;
    }
    case 'participantLeft': {
      const sessionId = event.participantLeft?.participant?.sessionId;
      if (!sessionId || !state.has(sessionId)) return state;
      const next = new Map(state);
      next.delete(sessionId);
      return next;
    }
    case 'trackPublished':
    case 'trackUnpublished':
      return reduceTrackChange(state, event, localSessionId);
    case 'audioLevelChanged':
      return updateEach(state, event.audioLevelChanged?.audioLevels ?? [], (p, level) => ({
        ...p, audioLevel: level.level ?? 0, isSpeaking: level.isSpeaking ?? false,
      }));
    case 'connectionQualityChanged':
      return updateEach(state, event.connectionQualityChanged?.connectionQualityUpdates ?? [], (p, update) => ({
        ...p, connectionQuality: update.connectionQuality ?? 0,
      }));
    case 'dominantSpeakerChanged': {
      const dominant = event.dominantSpeakerChanged?.sessionId;
      let changed = false;
      const next = new Map<string, CallParticipant>();
      for (const [id, p] of state) {
        const isDominantSpeaker = id === dominant;
        changed ||= isDominantSpeaker !== p.isDominantSpeaker;
        next.set(id, isDominantSpeaker === p.isDominantSpeaker ? p : { ...p, isDominantSpeaker });
      }
      return changed ? next : state;
    }
    default:
      return state;
  }
}

function reduceTrackChange(state: ParticipantMap, event: SfuEvent, localSessionId: string): ParticipantMap {
  const published = event.eventPayload === 'trackPublished';
  const change = published ? event.trackPublished : event.trackUnpublished;
  const sessionId = change?.sessionId ?? change?.participant?.sessionId;
  if (!change || !sessionId) return state;
  // The SFU may attach the whole participant; it is the fresher view, so it wins.
  const base = change.participant?.sessionId ? toCallParticipant(change.participant, localSessionId) : state.get(sessionId);
  if (!base) return state;
  const type = change.type ?? 0;
  const others = base.publishedTracks.filter((t) => t !== type);
  const publishedTracks = published ? [...others, type] : others;
  return withParticipant(state, { ...base, publishedTracks });
}

function withParticipant(state: ParticipantMap, participant: CallParticipant): ParticipantMap {
  const next = new Map(state);
  next.set(participant.sessionId, participant);
  return next;
}

function updateEach<U extends { sessionId?: string | null }>(
  state: ParticipantMap, updates: readonly U[], apply: (p: CallParticipant, update: U) => CallParticipant,
): ParticipantMap {
  let next: Map<string, CallParticipant> | undefined;
  for (const update of updates) {
    const current = (next ?? state).get(update.sessionId ?? '');
    if (!current) continue;
    next ??= new Map(state);
    next.set(current.sessionId, apply(current, update));
  }
  return next ?? state;
}

/** Operator: SFU events → participant maps, starting from `initial`. */
export function participantsFromEvents(
  localSessionId: () => string,
  initial: ParticipantMap = new Map(),
): OperatorFunction<SfuEvent, ParticipantMap> {
  return (events$: Observable<SfuEvent>) =>
    events$.pipe(
      scan((state, event) => reduceParticipants(state, event, localSessionId()), initial),
      startWith(initial),
    );
}

/**
 * Our own entry lists the tracks we publish, whether or not the SFU echoes them back to us.
 * Returns `state` itself when nothing changes.
 */
export function withLocalTracks(state: ParticipantMap, localSessionId: string, published: readonly TrackType[]): ParticipantMap {
  const local = state.get(localSessionId);
  if (!local) return state;
  const publishedTracks = [...new Set([...local.publishedTracks, ...published])];
  if (publishedTracks.length === local.publishedTracks.length) return state;
  const next = new Map(state);
  next.set(localSessionId, { ...local, publishedTracks });
  return next;
}

/** Our own entry without `trackType`, unless another local track still has that type (`remaining`). */
export function withoutLocalTrack(state: ParticipantMap, localSessionId: string, trackType: TrackType, remaining: readonly TrackType[]): ParticipantMap {
  const local = state.get(localSessionId);
  if (!local || remaining.includes(trackType) || !local.publishedTracks.includes(trackType)) return state;
  const next = new Map(state);
  next.set(localSessionId, { ...local, publishedTracks: local.publishedTracks.filter((t) => t !== trackType) });
  return next;
}
