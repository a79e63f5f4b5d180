/**
 * Validation of the options that say how the call reaches Stream's network (location, TLS, ICE),
 * run before anything opens. Small on purpose: `resolveJoinOptions` folds it in.
 */
import { assertLocationOptions } from '../coordinator/index.js';
import { rxsfuError } from '../errors.js';

export interface NetworkOptions {
  location?: unknown;
  locationHintUrl?: unknown;
  allowInsecure?: unknown;
  iceLoopbackOnly?: unknown;
}

/** Throws RXSFU_ERR_INVALID_ARGUMENT for an unusable network option. */
export function assertNetworkOptions(options: NetworkOptions): void {
  assertLocationOptions(options);
  for (const key of ['allowInsecure', 'iceLoopbackOnly'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `${key} must be a boolean`);
    }
  }
}
