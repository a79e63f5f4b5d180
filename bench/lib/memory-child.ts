/**
 * Child-process entry: measures the memory of N agents (joined to one call, receiving audio) or of
 * N raw werift pairs (media flowing) in a fresh process, so RSS is not flattered by pages an earlier
 * phase freed. Gets its job over IPC (the emulator's secret never appears on a command line),
 * answers with the snapshots before and after, then releases everything and exits.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, timer } from 'rxjs';
import { agentOptions, timedJoin } from './agents.js';
import type { RemoteEmulator } from './remote-emulator.js';
import { gcExposed, memorySnapshot, type MemorySnapshot } from './report.js';
import { connectRawPair } from './werift-pair.js';

export interface MemoryJob {
  subject: 'agents' | 'pairs';
  count: number;
  emulator: Pick<RemoteEmulator, 'coordinatorUrl' | 'apiKey' | 'apiSecret'>;
  callId: string;
}

/** Heap and RSS at each step of two rounds of "N units up, N released". */
export interface MemoryResult {
  before: MemorySnapshot;
  /** Round 1: all N units up, in a process that never held N of them. */
  firstUp: MemorySnapshot;
  firstReleased: MemorySnapshot;
  /** Round 2: the same again, in a process already grown to that scale once. */
  secondUp: MemorySnapshot;
  secondReleased: MemorySnapshot;
  gc: boolean;
}

/** werift keeps DTLS retransmit timers for a few seconds after close (WERIFT.md); wait them out. */
const SETTLE_MS = 5000;

/** One unit of the subject, created and ready; `release` frees it. */
async function unit(job: MemoryJob, name: string): Promise<{ release(): Promise<void> }> {
  if (job.subject === 'pairs') {
    const pair = await connectRawPair();
    return { release: () => pair.close() };
  }
  const { call } = await timedJoin(agentOptions(job.emulator as RemoteEmulator, job.callId, `memory-${name}`));
  return { release: () => call.leave() };
}

/** N units up, snapshot, all released, werift's close timers run out, snapshot. */
async function round(job: MemoryJob, name: string): Promise<[MemorySnapshot, MemorySnapshot]> {
  const units = [];
  for (let i = 0; i < job.count; i += 1) units.push(await unit(job, `${name}-${i}`));
  const up = await memorySnapshot();
  await Promise.all(units.map((u) => u.release()));
  await firstValueFrom(timer(SETTLE_MS));
  return [up, await memorySnapshot()];
}

async function measure(job: MemoryJob): Promise<MemoryResult> {
  // Load every module and warm the code paths once, so the figure is per unit and not per process.
  await (await unit(job, 'warm-up')).release();
  const before = await memorySnapshot();
  const [firstUp, firstReleased] = await round(job, 'first');
  const [secondUp, secondReleased] = await round(job, 'second');
  return { before, firstUp, firstReleased, secondUp, secondReleased, gc: gcExposed() };
}

const CHILD_FLAG = '--memory-child';

if (process.argv.includes(CHILD_FLAG)) process.once('message', (job: MemoryJob) => {
  measure(job).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
  );
});

/** Runs one memory job in a fresh child process. */
export function measureInChild(job: MemoryJob): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (reply: { result?: MemoryResult; error?: string }) => (reply.result ? resolve(reply.result) : reject(new Error(`memory child: ${reply.error}`))));
    child.once('exit', (code) => reject(new Error(`memory child exited with ${code} before answering`)));
    child.send(job);
  });
}
