/** What the CLI prints: timeline lines stamped with the seconds since start, and plain lines. */
import { asyncScheduler } from 'rxjs';

export interface Output {
  /** `  12.34s  what happened` */
  event(text: string): void;
  line(text: string): void;
  error(text: string): void;
}

export function consoleOutput(write: (text: string) => void = (t) => void process.stdout.write(t), writeError: (text: string) => void = (t) => void process.stderr.write(t)): Output {
  const started = asyncScheduler.now();
  return {
    event: (text) => write(`${((asyncScheduler.now() - started) / 1000).toFixed(2).padStart(7)}s  ${text}\n`),
    line: (text) => write(`${text}\n`),
    error: (text) => writeError(`rxsfu: ${text}\n`),
  };
}

/** A mistake in how the CLI was called: reported in one line with exit code 2, never a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
