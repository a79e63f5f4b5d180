#!/usr/bin/env node
/**
 * The `rxsfu` command line: `rxsfu join TYPE:ID` (a real Stream call, or `--emulator`) and
 * `rxsfu emulator`. Exit codes: 0 done, 1 the call or the emulator failed, 2 a usage mistake (one
 * line, no stack trace).
 */
import { parseArgs } from 'node:util';
import { fromEvent, merge, take } from 'rxjs';
import { errorMessage, isRxsfuError } from '../errors.js';
import { VERSION } from '../version.js';
import { emulatorArgs, type EmulatorFlags } from './emulator-options.js';
import { joinArgs, type JoinFlags } from './join-options.js';
import { consoleOutput, UsageError } from './output.js';

export const HELP = `rxsfu ${VERSION}: join Stream Video calls from the command line

Usage:
  rxsfu join TYPE:ID [options]      join a real Stream call (or --emulator) and print a live timeline
  rxsfu emulator [options]          run a local Stream Video emulator with an HTTP admin endpoint
  rxsfu --help | --version

A real call (Stream's production API):
  STREAM_API_KEY=… STREAM_API_SECRET=… rxsfu join default:standup --user agent --tone 440
  credentials: --api-key / STREAM_API_KEY, and --api-secret / STREAM_API_SECRET (a user token is
  minted per join) or --token / STREAM_TOKEN (a ready user JWT). Secrets are never printed.

join options:
  --user ID              the user to join as (default: agent)
  --emulator             join an embedded local emulator instead (no account needed)
  --participants N       simulated participants in the emulator (default: 1)
  --tone HZ              publish a sine tone of HZ (e.g. 440)
  --record FILE.wav      write what is heard (every remote speaker, mixed) as 48 kHz mono WAV
  --duration SECONDS     leave after SECONDS (default: at Ctrl-C)
  --base-url URL         another coordinator (default: https://video.stream-io-api.com)
  Ctrl-C leaves cleanly (LeaveCallRequest, close 1000) and prints a summary.

emulator options:
  --participants N       simulated participants publishing audio in --call (default: 0)
  --call TYPE:ID         their call (default: default:demo)
  --sfus N               SFUs (default: 2)
  --admin-port N         HTTP admin endpoint port (default: any free port): GET /records, /sessions, /sessions/ID/published;
                         POST /faults/session/ID/FAULT, /faults/sfu/ID/FAULT, /faults/coordinator/FAULT, /faults/network/USER_ID/cut|restore
                         with {"args": [...]}, /participants, /token, /calls/TYPE:ID/end

Exit codes: 0 done, 1 the call or the emulator failed, 2 wrong usage.
`;

export async function main(argv: string[]): Promise<number> {
  const out = consoleOutput();
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      out.line(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version') {
      out.line(VERSION);
      return 0;
    }
    const stop$ = merge(fromEvent(process, 'SIGINT'), fromEvent(process, 'SIGTERM')).pipe(take(1));
    if (command === 'join') {
      const { values, positionals } = parse(rest, {
        user: { type: 'string' }, emulator: { type: 'boolean' }, participants: { type: 'string' }, tone: { type: 'string' },
        record: { type: 'string' }, duration: { type: 'string' }, 'api-key': { type: 'string' }, 'api-secret': { type: 'string' },
        token: { type: 'string' }, 'base-url': { type: 'string' },
      });
      if (values['help']) return help(out);
      const args = joinArgs(positionals, values as JoinFlags, process.env);
      // Loaded once the arguments are good: help and usage mistakes answer without loading the SDK.
      const { runJoin } = await import('./join-command.js');
      return await runJoin(args, out, stop$);
    }
    if (command === 'emulator') {
      const { values, positionals } = parse(rest, {
        participants: { type: 'string' }, sfus: { type: 'string' }, 'admin-port': { type: 'string' }, call: { type: 'string' },
      });
      if (values['help']) return help(out);
      const args = emulatorArgs(positionals, values as EmulatorFlags);
      const { runEmulator } = await import('./emulator-command.js');
      return await runEmulator(args, out, stop$);
    }
    throw new UsageError(`unknown command "${command}" (try rxsfu --help)`);
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(err.message);
      return 2;
    }
    // Failures of the call are reported by code and message; a stack only helps us, not the user.
    out.error(isRxsfuError(err) ? `${err.code}: ${err.message}` : errorMessage(err));
    return 1;
  }
}

function help(out: ReturnType<typeof consoleOutput>): number {
  out.line(HELP);
  return 0;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${errorMessage(err)} (try rxsfu --help)`);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`rxsfu: ${errorMessage(err)}\n`);
  process.exitCode = 1;
});
