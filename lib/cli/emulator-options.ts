/**
 * `rxsfu emulator` arguments → how many SFUs and simulated participants, which call, which admin
 * port. Kept apart from emulator-command.ts so that a usage mistake is reported without loading the
 * emulator.
 */
import { UsageError } from './output.js';

export interface EmulatorArgs {
  participants: number;
  sfus: number;
  adminPort: number;
  callType: string;
  callId: string;
}

export interface EmulatorFlags {
  participants?: string;
  sfus?: string;
  'admin-port'?: string;
  call?: string;
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number in [${min}, ${max}], got "${value}"`);
  return n;
}

export function emulatorArgs(positionals: string[], flags: EmulatorFlags): EmulatorArgs {
  if (positionals.length > 0) throw new UsageError(`emulator takes no arguments, got "${positionals.join(' ')}"`);
  const [callType, callId, ...rest] = (flags.call ?? 'default:demo').split(':');
  if (!callType || !callId || rest.length > 0) throw new UsageError(`--call must be TYPE:ID, got "${flags.call}"`);
  return {
    participants: integer('participants', flags.participants, 0, 0, 50),
    sfus: integer('sfus', flags.sfus, 2, 1, 16),
    adminPort: integer('admin-port', flags['admin-port'], 0, 0, 65535),
    callType,
    callId,
  };
}
