/**
 * The SDK's logger seam. Silent by default; pass `consoleLogger('debug')` or your own.
 * Never hand it a token or secret: call sites log ids and reasons only.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The least severe level `consoleLogger` writes; `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The default logger: drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Writes `[prefix] level message {fields}` lines (warn and error to stderr) from `level` up. */
export function consoleLogger(level: LogLevel = 'info', prefix = 'rxsfu'): Logger {
  const enabled = (l: LogLevel) => order.indexOf(l) >= order.indexOf(level);
  const write = (l: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (!enabled(l)) return;
    const line = `[${prefix}] ${l} ${message}${fields ? ' ' + JSON.stringify(fields) : ''}`;
    (l === 'error' || l === 'warn' ? console.error : console.log)(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
