/**
 * Issue 10, "Done when": each hostile input of items 1–3 runs in a child process that has no
 * `uncaughtException` or `unhandledRejection` handler (support/hostile-input-child.ts), against a
 * real emulator. The child prints a case's outcome only if nothing escaped the SDK by then, and exits
 * 0 only if nothing escaped at all; so each test asserts a typed error and a process that lived on
 * (and left its call cleanly) after it. The call cases share one child (one start-up, not nine);
 * an error escaping late from one case ends the child there, failing that case and every later one.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { optionCases } from './support/hostile-input-child.js';
import { lastJsonLine, runTsChild, type ChildResult } from '../support/child-process.js';

const child = fileURLToPath(new URL('./support/hostile-input-child.ts', import.meta.url));

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

function exitedCleanly(result: ChildResult): ChildResult {
  expect(result.exitCode, `child exited ${result.exitCode}; stderr:\n${result.stderr}`).to.equal(0);
  return result;
}

describe('hostile input never ends the process (issue 10 items 1–3, in child processes without handlers)', function () {
  this.timeout(60_000);
  const [options, calls] = [optionCases, Object.keys(expected).filter((name) => !optionCases.includes(name))];
  // Started by the first call case that runs (so `--grep` on one case still works), shared by the rest.
  let callsChild: Promise<ChildResult> | undefined;
  const callOutcome = async (name: string): Promise<unknown> => {
    const result = await (callsChild ??= runTsChild(child, ['calls']));
    const line = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string }).find((o) => o.name === name);
    expect(line, `no outcome for ${name}: child exited ${result.exitCode}; stderr:\n${result.stderr}`).to.not.equal(undefined);
    const { name: _name, ...outcome } = line!;
    return outcome;
  };

  it(`options refused before anything opens (${options.join('; ')}) → RXSFU_ERR_INVALID_ARGUMENT each, and the process lives on`, async () => {
    const outcomes = lastJsonLine(exitedCleanly(await runTsChild(child, ['options'])));
    expect(outcomes).to.deep.equal(Object.fromEntries(options.map((name) => [name, expected[name]])));
  });

  for (const name of calls) {
    it(`${name} on a joined call → ${expected[name]!.code}, and the process lives on (its call leaves cleanly after)`, async () => {
      expect(await callOutcome(name)).to.deep.equal(expected[name]);
    });
  }

  it('the process that ran every call case exits 0 after the last one: nothing escaped late', async () => {
    const result = exitedCleanly(await (callsChild ??= runTsChild(child, ['calls'])));
    expect(result.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { name: string }).name)).to.deep.equal(calls);
  });
});
