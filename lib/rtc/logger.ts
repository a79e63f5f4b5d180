/**
 * The smallest logger the rtc adapters need. Structurally compatible with `console` and with most
 * loggers (pino, winston), so callers pass theirs without an adapter. Never given secrets: SDPs and
 * candidates are logged by size and kind only.
 */
export interface RtcLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** The default: say nothing. */
export const silentLogger: RtcLogger = {};
