/**
 * What the media plane logs through. Structurally the emulator's logger, so the control plane can
 * pass its own. Fields carry ids and counts only, never SDP credentials or tokens.
 */
export interface MediaLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const silentMediaLogger: MediaLogger = { debug() {}, info() {}, warn() {} };
