/**
 * The frame of every emulator benchmark: machine line, emulator child up, the body, emulator down,
 * machine line again (load may have changed), then exit: 0, or 1 with the reason when the body
 * threw (a broken recovery, an agent that never joined).
 */
import { startRemoteEmulator, type RemoteEmulator } from './remote-emulator.js';
import { machineLine } from './report.js';

export function runBench(name: string, sfuCount: number, body: (emulator: RemoteEmulator) => Promise<void>): void {
  const main = async (): Promise<void> => {
    console.log(machineLine());
    const emulator = await startRemoteEmulator(sfuCount);
    try {
      await body(emulator);
    } finally {
      await emulator.close();
    }
    console.log(machineLine());
  };
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`${name} failed:`, err.stack ?? err.message);
      process.exit(1);
    },
  );
}
