/**
 * `rxsfu join` arguments → what to join and how: a real Stream call (API key and secret, or a
 * token, from flags or STREAM_API_KEY / STREAM_API_SECRET / STREAM_TOKEN) or an embedded emulator.
 */
import { UsageError } from './output.js';

export interface JoinArgs {
  callType: string;
  callId: string;
  user: string;
  emulator: boolean;
  participants: number;
  /** Hz of a published tone; undefined: publish nothing. */
  tone?: number;
  /** WAV file for what is heard. */
  record?: string;
  /** Leave after this many seconds; undefined: at Ctrl-C. */
  durationS?: number;
  apiKey?: string;
  apiSecret?: string;
  token?: string;
  baseUrl?: string;
}

export interface JoinFlags {
  user?: string;
  emulator?: boolean;
  participants?: string;
  tone?: string;
  record?: string;
  duration?: string;
  'api-key'?: string;
  'api-secret'?: string;
  token?: string;
  'base-url'?: string;
}

function positive(name: string, value: string | undefined, integer: boolean, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a ${integer ? 'whole ' : ''}number in (0, ${max}], got "${value}"`);
  }
  return n;
}

export function joinArgs(positionals: string[], flags: JoinFlags, env: NodeJS.ProcessEnv): JoinArgs {
  if (positionals.length !== 1) throw new UsageError('join needs one call id: TYPE:ID (e.g. default:standup)');
  const [callType, callId, ...rest] = positionals[0]!.split(':');
  if (!callType || !callId || rest.length > 0) throw new UsageError(`the call must be TYPE:ID (e.g. default:standup), got "${positionals[0]}"`);
  const emulator = flags.emulator === true;
  const args: JoinArgs = {
    callType,
    callId,
    user: flags.user ?? 'agent',
    emulator,
    participants: positive('participants', flags.participants, true, 50) ?? 1,
    tone: positive('tone', flags.tone, false, 20000),
    record: flags.record,
    durationS: positive('duration', flags.duration, false, 24 * 3600),
    apiKey: flags['api-key'] ?? env['STREAM_API_KEY'],
    apiSecret: flags['api-secret'] ?? env['STREAM_API_SECRET'],
    token: flags.token ?? env['STREAM_TOKEN'],
    baseUrl: flags['base-url'],
  };
  if (!emulator && !args.apiKey) throw new UsageError('a real call needs an API key: --api-key or STREAM_API_KEY (or try --emulator)');
  if (!emulator && !args.apiSecret && !args.token) {
    throw new UsageError('a real call needs STREAM_API_SECRET (or --api-secret), or a user token (--token / STREAM_TOKEN)');
  }
  return args;
}
