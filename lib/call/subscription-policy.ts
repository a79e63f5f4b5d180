/**
 * A `SubscriptionPolicy` from the caller, checked before it is used (`joinCall`'s `subscriptions`,
 * `call.setSubscriptions`): a wrong shape is `RXSFU_ERR_INVALID_ARGUMENT` at the call, never a
 * TypeError later inside a pipeline.
 */
import { TrackType, type TrackSubscriptionDetails } from '../protocol/index.js';
import { booleanOption, checked, integerOption, invalidArgument, recordOption, stringOption } from '../validate.js';
import type { SubscriptionPolicy } from './subscriptions.js';

/** Largest video size that may be requested (either side, in pixels). */
const MAX_DIMENSION = 16_384;
const TRACK_TYPES: readonly number[] = [
  TrackType.TRACK_TYPE_AUDIO, TrackType.TRACK_TYPE_VIDEO, TrackType.TRACK_TYPE_SCREEN_SHARE, TrackType.TRACK_TYPE_SCREEN_SHARE_AUDIO,
];

/** A checked copy of `value`; throws `RXSFU_ERR_INVALID_ARGUMENT` naming the first wrong field. */
export function validateSubscriptionPolicy(value: unknown, name = 'subscription policy'): SubscriptionPolicy {
  return checked(name, () => checkedPolicy(value, name));
}

function checkedPolicy(value: unknown, name: string): SubscriptionPolicy {
  const policy = recordOption(name, value);
  const checked: { -readonly [K in keyof SubscriptionPolicy]: SubscriptionPolicy[K] } = {};
  if (policy.audio !== undefined) checked.audio = booleanOption(`${name}.audio`, policy.audio, true);
  if (policy.screenShare !== undefined) checked.screenShare = booleanOption(`${name}.screenShare`, policy.screenShare, false);
  if (policy.video !== undefined) checked.video = checkedVideo(`${name}.video`, policy.video);
  if (policy.videoDimension !== undefined) checked.videoDimension = checkedDimension(`${name}.videoDimension`, policy.videoDimension);
  if (policy.explicit !== undefined) {
    if (!Array.isArray(policy.explicit)) throw invalidArgument(`${name}.explicit must be an array`);
    checked.explicit = policy.explicit.map((entry, i) => checkedDetails(`${name}.explicit[${i}]`, entry));
  }
  return checked;
}

function checkedVideo(name: string, value: unknown): boolean | readonly string[] {
  if (typeof value === 'boolean') return value;
  if (!Array.isArray(value)) throw invalidArgument(`${name} must be a boolean or an array of session ids`);
  return value.map((id, i) => stringOption(`${name}[${i}]`, id));
}

function checkedDimension(name: string, value: unknown): { width: number; height: number } {
  const d = recordOption(name, value);
  return {
    width: integerOption(`${name}.width`, d.width, Number.NaN, 1, MAX_DIMENSION),
    height: integerOption(`${name}.height`, d.height, Number.NaN, 1, MAX_DIMENSION),
  };
}

function checkedDetails(name: string, value: unknown): TrackSubscriptionDetails {
  const entry = recordOption(name, value);
  const trackType = entry.trackType;
  if (!TRACK_TYPES.includes(trackType as number)) throw invalidArgument(`${name}.trackType must be a TrackType (1–4)`);
  return {
    userId: entry.userId === undefined ? '' : stringOption(`${name}.userId`, entry.userId),
    sessionId: stringOption(`${name}.sessionId`, entry.sessionId),
    trackType: trackType as TrackType,
    ...(entry.dimension !== undefined ? { dimension: checkedDimension(`${name}.dimension`, entry.dimension) } : {}),
  };
}
