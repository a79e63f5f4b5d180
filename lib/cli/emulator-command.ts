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
import type { EmulatorArgs } from './emulator-options.js';
import { UsageError, type Output } from './output.js';

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
