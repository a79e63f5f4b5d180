/**
 * Issue 10, "Done when": each hostile input of items 1–3 runs in a child process that has no
 * `uncaughtException` or `unhandledRejection` handler (support/hostile-input-child.ts), against a
 * real emulator. The child only exits 0 and prints its outcome if nothing escaped the SDK; so each
 * test asserts a typed error and a process that lived on (and left its call cleanly) after it.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { optionCases } from './support/hostile-input-child.js';
import { lastJsonLine, runTsChild, type ChildResult } from '../support/child-process.js';

const child = fileURLToPath(new URL('./support/hostile-input-child.ts', import.meta.url));
const runCase = (name: string) => runTsChild(child, [name]);

const expected: Record<string, { code: string; detail?: unknown }> = {
  'joinCall(undefined)': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'joinCall(null)': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'credentials: {}': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'logger: {}': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'subscriptions: null': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'unhealthyAfterMs: Infinity': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'joinTimeoutMs: 2**31': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'openTimeoutMs: -1': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'coordinatorTimeoutMs: NaN': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'reconnect.attemptTimeoutMs: Infinity': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'setSubscriptions(null)': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'setSubscriptions({ explicit: [{ sessionId: 1 }] })': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  // PCM and VP8 frames are refused by their encoder stage (its own code); RTP elements by the guard.
  'publishAudio(of({}))': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'publishAudio(of(Buffer.alloc(3)))': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'publishAudioRtp(of({}))': { code: 'RXSFU_ERR_TRACK_SOURCE' },
  'publishAudioRtp(of(Buffer.alloc(3)))': { code: 'RXSFU_ERR_TRACK_SOURCE' },
  'publishAudio(undefined)': { code: 'RXSFU_ERR_INVALID_ARGUMENT', detail: { publishedTracks: [] } },
  'publishVideo(of(null))': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
  'leave(42)': { code: 'no error', detail: { state: 'left' } },
  'a logger that throws': { code: 'RXSFU_ERR_INVALID_ARGUMENT' },
};

function lastLine(result: ChildResult): unknown {
  expect(result.exitCode, `child exited ${result.exitCode}; stderr:\n${result.stderr}`).to.equal(0);
  return lastJsonLine(result);
}

describe('hostile input never ends the process (issue 10 items 1–3, in child processes without handlers)', function () {
  this.timeout(60_000);
  const [options, calls] = [optionCases, Object.keys(expected).filter((name) => !optionCases.includes(name))];

  it(`options refused before anything opens (${options.join('; ')}) → RXSFU_ERR_INVALID_ARGUMENT each, and the process lives on`, async () => {
    const outcomes = lastLine(await runCase('options'));
    expect(outcomes).to.deep.equal(Object.fromEntries(options.map((name) => [name, expected[name]])));
  });

  for (const name of calls) {
    it(`${name} on a joined call → ${expected[name]!.code}, and the process lives on (its call leaves cleanly after)`, async () => {
      expect(lastLine(await runCase(name))).to.deep.equal(expected[name]);
    });
  }
});
