/**
 * What the rtc adapters need of the SDK's logger (lib/logger.ts): optional `debug` and `warn`, so
 * `console` and most loggers (pino, winston) fit as they are. Never given secrets: SDPs and
 * candidates are logged by size and kind only.
 */
import type { Logger } from '../logger.js';

export type RtcLogger = Partial<Pick<Logger, 'debug' | 'warn'>>;
