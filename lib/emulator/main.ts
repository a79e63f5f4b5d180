/**
 * `npm run emulator`: starts a local emulator and prints how to reach it, until Ctrl-C.
 * The API secret printed here is the emulator's own throwaway local secret — printing it is the
 * point (agents under test need it to mint user tokens); it is not a Stream secret.
 * Environment: EMULATOR_SFUS (default 2), EMULATOR_LOG (debug|info|warn, default info).
 */
import { errorMessage } from '../errors.js';
import { consoleLogger, type LogLevel } from '../logger.js';
import { startEmulator } from './emulator.js';

async function main(): Promise<void> {
  const sfuCount = Number(process.env['EMULATOR_SFUS'] ?? 2);
  const logger = consoleLogger((process.env['EMULATOR_LOG'] as LogLevel | undefined) ?? 'info', 'emulator');
  const emu = await startEmulator({ host: '127.0.0.1', sfuCount, logger });
  const token = await emu.createUserToken('agent', 24 * 3600);
  const lines = [
    'rxsfu emulator running (local only; the secret below is this emulator\'s throwaway secret, printed on purpose)',
    `  coordinator URL : ${emu.coordinatorUrl}`,
    `  api key         : ${emu.apiKey}`,
    `  api secret      : ${emu.apiSecret}`,
    `  user token      : ${token}   (user_id "agent", valid 24 h)`,
    ...emu.sfus.map((s) => `  ${s.id.padEnd(16)}: ${s.wsEndpoint}  ${s.url}`),
    'Ctrl-C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    void emu.close().then(() => process.stdout.write('emulator stopped\n'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed to start: ${errorMessage(err)}\n`);
  process.exitCode = 1;
});
