/**
 * The options that say how the call reaches Stream's network (location, TLS), checked for
 * `resolveJoinOptions`: what is given comes back typed, what is absent stays absent.
 */
import { assertLocationOptions } from '../coordinator/index.js';
import { booleanOption } from '../validate.js';
import type { CallTarget } from './credentials.js';

export type NetworkTarget = Pick<CallTarget, 'location' | 'locationHintUrl' | 'allowInsecure'>;

/** Throws RXSFU_ERR_INVALID_ARGUMENT for an unusable `location`, `locationHintUrl` or `allowInsecure`. */
export function networkTarget(options: Record<string, unknown>): NetworkTarget {
  const { location, locationHintUrl, allowInsecure } = options;
  assertLocationOptions({ location, locationHintUrl });
  return {
    ...(location !== undefined ? { location: location as string } : {}),
    ...(locationHintUrl !== undefined ? { locationHintUrl: locationHintUrl as string } : {}),
    ...(allowInsecure !== undefined ? { allowInsecure: booleanOption('allowInsecure', allowInsecure, false) } : {}),
  };
}
