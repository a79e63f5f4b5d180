/**
 * What the media plane logs through: the SDK's `Logger` (lib/logger.ts) without `error`, so the
 * control plane passes its own. Fields carry ids and counts only, never SDP credentials or tokens.
 */
import type { Logger } from '../../logger.js';

export type MediaLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;
