/**
 * Which tracks the agent subscribes to, derived from the participants and the agent's policy.
 * `UpdateSubscriptions` replaces the SFU's whole set, so this always yields the full list
 * (a partial list is how the official client lost remote video after reconnects).
 */
import { TrackType, type TrackSubscriptionDetails } from '../protocol/index.js';
import type { CallParticipant, ParticipantMap } from './participants.js';

/** What to subscribe to. */
export interface SubscriptionPolicy {
  /** Every remote participant's audio. @default true */
  audio?: boolean;
  /** Remote video: none, everyone's, or only these session ids. @default false */
  video?: boolean | readonly string[];
  /** Screen share (video) of everyone who shares. @default false */
  screenShare?: boolean;
  /** Requested video size. @default 640×480 */
  videoDimension?: { width: number; height: number };
  /** Explicit list: when given, it replaces the policy above entirely. */
  explicit?: readonly TrackSubscriptionDetails[];
}

export function desiredSubscriptions(participants: ParticipantMap, policy: SubscriptionPolicy): TrackSubscriptionDetails[] {
  if (policy.explicit) return [...policy.explicit].sort(bySessionThenType);
  const dimension = policy.videoDimension ?? { width: 640, height: 480 };
  const wanted: TrackSubscriptionDetails[] = [];
  for (const p of participants.values()) {
    if (p.isLocal) continue;
    for (const trackType of p.publishedTracks) {
      if (!wants(policy, p, trackType)) continue;
      const isVideo = trackType === TrackType.TRACK_TYPE_VIDEO || trackType === TrackType.TRACK_TYPE_SCREEN_SHARE;
      wanted.push({ userId: p.userId, sessionId: p.sessionId, trackType, ...(isVideo ? { dimension } : {}) });
    }
  }
  return wanted.sort(bySessionThenType);
}

function wants(policy: SubscriptionPolicy, p: CallParticipant, trackType: TrackType): boolean {
  switch (trackType) {
    case TrackType.TRACK_TYPE_AUDIO:
    case TrackType.TRACK_TYPE_SCREEN_SHARE_AUDIO:
      return policy.audio ?? true;
    case TrackType.TRACK_TYPE_VIDEO:
      return Array.isArray(policy.video) ? policy.video.includes(p.sessionId) : policy.video === true;
    case TrackType.TRACK_TYPE_SCREEN_SHARE:
      return policy.screenShare ?? false;
    default:
      return false;
  }
}

/** Code-unit order (not `localeCompare`: locale-independent, and an order of magnitude faster in a big call). */
function bySessionThenType(a: TrackSubscriptionDetails, b: TrackSubscriptionDetails): number {
  const x = a.sessionId ?? '', y = b.sessionId ?? '';
  return x < y ? -1 : x > y ? 1 : (a.trackType ?? 0) - (b.trackType ?? 0);
}

/** Equality of two full subscription lists (same order, as `desiredSubscriptions` sorts). */
export function sameSubscriptions(a: readonly TrackSubscriptionDetails[], b: readonly TrackSubscriptionDetails[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    return x.sessionId === y.sessionId && x.trackType === y.trackType && x.userId === y.userId &&
      x.dimension?.width === y.dimension?.width && x.dimension?.height === y.dimension?.height;
  });
}

/** The ids (`sessionId:trackType`, as `CallRemoteTrack.id`) of a subscription list (`desiredSubscriptions`). */
export function trackIds(tracks: readonly TrackSubscriptionDetails[]): string[] {
  return tracks.map((t) => `${t.sessionId}:${t.trackType}`);
}
