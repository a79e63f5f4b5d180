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

/**
 * A participant map being changed: reads see the changes so far; the first write copies the base
 * map once, and later writes change that copy. So a batch of events costs one copy plus O(1) per
 * event (a burst of 4,000 joins is linear, not 4,000 copies of a growing map).
 */
class ParticipantDraft {
  private copy: Map<string, CallParticipant> | undefined;
  constructor(private readonly base: ParticipantMap) {}
  get current(): ParticipantMap { return this.copy ?? this.base; }
  get(sessionId: string): CallParticipant | undefined { return this.current.get(sessionId); }
  set(participant: CallParticipant): void { this.writable().set(participant.sessionId, participant); }
  delete(sessionId: string): void { if (this.current.has(sessionId)) this.writable().delete(sessionId); }
  replace(next: Map<string, CallParticipant>): void { this.copy = next; }
  private writable(): Map<string, CallParticipant> { return (this.copy ??= new Map(this.base)); }
}

/** Applies one SFU event to the participant map. Events that say nothing about participants return `state` unchanged. */
export function reduceParticipants(state: ParticipantMap, event: SfuEvent, localSessionId: string): ParticipantMap {
  return reduceParticipantEvents(state, [event], localSessionId);
}

/** Applies a batch of SFU events, in order, with at most one copy of the map; `state` itself when nothing changed. */
export function reduceParticipantEvents(state: ParticipantMap, events: readonly SfuEvent[], localSessionId: string): ParticipantMap {
  const draft = new ParticipantDraft(state);
  for (const event of events) applyEvent(draft, event, localSessionId);
  return draft.current;
}

function applyEvent(draft: ParticipantDraft, event: SfuEvent, localSessionId: string): void {
  switch (event.eventPayload) {
    case 'joinResponse': {
      const next = new Map<string, CallParticipant>();
      for (const p of event.joinResponse?.callState?.participants ?? []) {
        next.set(p.sessionId ?? '', toCallParticipant(p, localSessionId));
      }
      draft.replace(next);
      return;
    }
    case 'participantJoined':
    case 'participantUpdated': {
      const p = event[event.eventPayload]?.participant;
      if (p?.sessionId) draft.set(toCallParticipant(p, localSessionId));
      return;
    }
    case 'participantLeft': {
      const sessionId = event.participantLeft?.participant?.sessionId;
      if (sessionId) draft.delete(sessionId);
      return;
    }
    case 'trackPublished':
    case 'trackUnpublished':
      applyTrackChange(draft, event, localSessionId);
      return;
    case 'audioLevelChanged':
      for (const level of event.audioLevelChanged?.audioLevels ?? []) {
        const p = draft.get(level.sessionId ?? '');
        if (p) draft.set({ ...p, audioLevel: level.level ?? 0, isSpeaking: level.isSpeaking ?? false });
      }
      return;
    case 'connectionQualityChanged':
      for (const update of event.connectionQualityChanged?.connectionQualityUpdates ?? []) {
        const p = draft.get(update.sessionId ?? '');
        if (p) draft.set({ ...p, connectionQuality: update.connectionQuality ?? 0 });
      }
      return;
    case 'dominantSpeakerChanged': {
      const dominant = event.dominantSpeakerChanged?.sessionId;
      // Setting existing keys while iterating is safe: no key is added, so the walk ends.
      for (const p of draft.current.values()) {
        const isDominantSpeaker = p.sessionId === dominant;
        if (isDominantSpeaker !== p.isDominantSpeaker) draft.set({ ...p, isDominantSpeaker });
      }
      return;
    }
    default:
      return;
  }
}

function applyTrackChange(draft: ParticipantDraft, event: SfuEvent, localSessionId: string): void {
  const published = event.eventPayload === 'trackPublished';
  const change = published ? event.trackPublished : event.trackUnpublished;
  const sessionId = change?.sessionId ?? change?.participant?.sessionId;
  if (!change || !sessionId) return;
  // The SFU may attach the whole participant; it is the fresher view, so it wins.
  const base = change.participant?.sessionId ? toCallParticipant(change.participant, localSessionId) : draft.get(sessionId);
  if (!base) return;
  const type = change.type ?? 0;
  const others = base.publishedTracks.filter((t) => t !== type);
  const publishedTracks = published ? [...others, type] : others;
  draft.set({ ...base, publishedTracks });
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
