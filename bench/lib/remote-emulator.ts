/**
 * The emulator in a child process (`emulator-child.ts`), seen from the benchmark: its URLs and
 * the few operations the benchmarks need (simulated participants, session faults), each an
 * IPC request answered once.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PlainDescription } from './werift-media-pair.js';

export type SessionFault = 'destroyTcp' | 'goSilent' | 'rejoin' | 'goAway' | 'resume';

export type EmulatorCommand =
  | { id: number; method: 'addParticipant'; callId: string; userId: string }
  | { id: number; method: 'fault'; sessionIds: string[]; fault: SessionFault }
  | { id: number; method: 'network'; userId: string; cut: boolean }
  | { id: number; method: 'delay'; sessionId: string; ms: number }
  | { id: number; method: 'receivedPackets'; callId: string; userId: string; fromSessionId?: string }
  | { id: number; method: 'mediaPeer'; offer: PlainDescription }
  | { id: number; method: 'closeMediaPeers' }
  | { id: number; method: 'close' };

export type EmulatorReply = { id: number; result?: unknown; error?: string };

type Request = EmulatorCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

export interface RemoteEmulator {
  readonly coordinatorUrl: string;
  readonly apiKey: string;
  /** Local emulator secret, handed to agents so they mint their own tokens. Never printed. */
  readonly apiSecret: string;
  readonly sfus: readonly string[];
  /** Adds a simulated participant publishing an Opus tone. */
  addParticipant(callId: string, userId: string): Promise<{ sessionId: string; sfuId: string }>;
  /** Applies `fault` to every session of the list in one turn of the child's event loop (a storm). */
  fault(sessionIds: readonly string[], fault: SessionFault): Promise<void>;
  /** Cuts (`true`) or restores (`false`) one user's whole network (`faults.network(userId)`). */
  network(userId: string, cut: boolean): Promise<void>;
  /** Holds every frame to the session `ms` from now on (`delayFrames`; 0 ends it). */
  delay(sessionId: string, ms: number): Promise<void>;
  /**
   * RTP packets the simulated participant `userId` has received so far (all tracks; all senders, or
   * only the session `fromSessionId`): what the SFU delivered to it.
   */
  receivedPackets(callId: string, userId: string, fromSessionId?: string): Promise<number>;
  /** A raw werift peer in the child (the floor's far end, `werift-media-pair.ts`) answering `offer`. */
  answerMediaOffer(offer: PlainDescription): Promise<PlainDescription>;
  /** Closes every raw peer `answerMediaOffer` made. */
  closeMediaPeers(): Promise<void>;
  /** Closes the emulator and waits for the child to exit. */
  close(): Promise<void>;
}

export async function startRemoteEmulator(sfuCount: number): Promise<RemoteEmulator> {
  const script = fileURLToPath(new URL('./emulator-child.ts', import.meta.url));
  const child = fork(script, [String(sfuCount)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (reply: EmulatorReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(`emulator: ${reply.error}`));
    else waiter?.resolve(reply.result);
  });
  void exited.then(() => pending.forEach((w) => w.reject(new Error('emulator child exited'))));
  let nextId = 1;
  const request = <T>(command: Request): Promise<T> => new Promise<T>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    child.send({ ...command, id });
  });
  const ready = await new Promise<{ coordinatorUrl: string; apiKey: string; apiSecret: string; sfus: string[] }>((resolve, reject) => {
    pending.set(0, { resolve: resolve as (v: unknown) => void, reject });
  });
  return {
    ...ready,
    addParticipant: (callId, userId) => request({ method: 'addParticipant', callId, userId }),
    fault: (sessionIds, fault) => request({ method: 'fault', sessionIds: [...sessionIds], fault }),
    network: (userId, cut) => request({ method: 'network', userId, cut }),
    delay: (sessionId, ms) => request({ method: 'delay', sessionId, ms }),
    receivedPackets: (callId, userId, fromSessionId) => request({ method: 'receivedPackets', callId, userId, fromSessionId }),
    answerMediaOffer: (offer) => request({ method: 'mediaPeer', offer }),
    closeMediaPeers: () => request({ method: 'closeMediaPeers' }),
    close: async () => {
      if (child.connected) await request({ method: 'close' });
      await exited;
    },
  };
}
