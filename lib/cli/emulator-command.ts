/**
 * `rxsfu emulator`: a local Stream Video emulator with simulated participants, and an HTTP admin
 * endpoint (`admin-server.ts`) to inject faults and read records from another process, until
 * Ctrl-C. The API secret it prints is the emulator's own throwaway local secret: agents under test
 * need it to mint user tokens; it is not a Stream secret.
 */
import { firstValueFrom, type Observable } from 'rxjs';
import { startEmulator } from '../emulator/index.js';
import { errorMessage } from '../errors.js';
import { startAdminServer } from './admin-server.js';
import { UsageError, type Output } from './output.js';

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

export async function runEmulator(args: EmulatorArgs, out: Output, stop$: Observable<unknown>): Promise<number> {
  const emu = await startEmulator({ sfuCount: args.sfus });
  const admin = await startAdminServer(emu, args.adminPort).catch(async (err: unknown) => {
    await emu.close();
    throw new UsageError(`the admin port ${args.adminPort} cannot be used: ${errorMessage(err)}`);
  });
  try {
    for (let i = 0; i < args.participants; i++) {
      await emu.addParticipant({ callType: args.callType, callId: args.callId, userId: `human-${i + 1}`, audio: true, video: i === 0 });
    }
    out.line('rxsfu emulator (local only; the secret below is this emulator\'s throwaway secret, printed on purpose)');
    out.line(`  coordinator URL : ${emu.coordinatorUrl}`);
    out.line(`  api key         : ${emu.apiKey}`);
    out.line(`  api secret      : ${emu.apiSecret}`);
    out.line(`  admin           : ${admin.url}   (GET /records, /sessions; POST /faults/…, /participants, /token)`);
    for (const sfu of emu.sfus) out.line(`  ${sfu.id.padEnd(16)}: ${sfu.wsEndpoint}`);
    if (args.participants > 0) out.line(`  call            : ${args.callType}:${args.callId} with ${args.participants} simulated participant(s)`);
    out.line('Ctrl-C to stop.');
    await firstValueFrom(stop$);
    out.line('stopping');
    return 0;
  } finally {
    await admin.close();
    await emu.close();
  }
}
