/**
 * The official JavaScript client's pieces the emulator specs drive directly (its `StreamSfuClient`
 * and `Dispatcher`), to pin the emulator against what that client expects.
 */
import { StreamSfuClient, StreamVideoClient } from '@stream-io/video-client';
import { WebSocket } from 'ws';
import type { EmulatorOptions } from '../../../lib/emulator/index.js';
import { useTestEmulator, type TestEmulatorContext } from './fixture.js';

export type OfficialDispatcher = ConstructorParameters<typeof StreamSfuClient>[0]['dispatcher'];

/** The official client's Dispatcher class, taken from a Call it builds (not exported by name). */
export function officialDispatcher(video: StreamVideoClient): OfficialDispatcher {
  const call = video.call('default', 'demo') as unknown as { dispatcher: { constructor: new () => never } };
  return new call.dispatcher.constructor();
}

/**
 * `useTestEmulator(options)` for the specs that drive the official client: its WHATWG WebSocket
 * global (which Node 20 lacks; `ws` provides one) set for each test and restored after it, and a
 * `StreamVideoClient` for the test's emulator. `keepOfficial` closes a signaling client after the test.
 */
export function useOfficialClient(options: EmulatorOptions): () => TestEmulatorContext & { video: StreamVideoClient } {
  const globals = globalThis as { WebSocket?: unknown };
  const savedWebSocket = globals.WebSocket;
  let video: StreamVideoClient | undefined;
  beforeEach(() => {
    globals.WebSocket = WebSocket;
  });
  const t = useTestEmulator(options);
  beforeEach(() => {
    video = new StreamVideoClient({ apiKey: t().emu.apiKey });
  });
  afterEach(() => {
    globals.WebSocket = savedWebSocket;
  });
  return () => ({ ...t(), video: video! });
}

/** Registers an official signaling client to be closed (normal closure) once the test is over. */
export function keepOfficial(t: TestEmulatorContext, client: InstanceType<typeof StreamSfuClient>): void {
  t.keep({ close: () => client.close(StreamSfuClient.NORMAL_CLOSURE, 'spec done') });
}
