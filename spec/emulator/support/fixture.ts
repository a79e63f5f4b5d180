/** Shared set-up for emulator specs: an emulator with recorded media planes, coordinator joins, SFU joins. */
import { randomUUID } from 'node:crypto';
import { EMULATOR_LOCATION, startEmulator, type Emulator, type EmulatorOptions } from '../../../lib/emulator/index.js';
import type { JoinRequest, SfuEvent } from '../../../lib/protocol/index.js';
import { useEmulator, type EmulatorContext } from '../../support/emulator-fixture.js';
import { recordingMediaFactory, type RecordedMedia } from './recording-media.js';
import { httpPost, type HttpAnswer } from './http.js';
import { RawSfuClient } from './sfu-client.js';

export interface TestEmulator {
  emu: Emulator;
  /** The real media planes, one per SFU, with every call recorded. */
  media: RecordedMedia[];
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const media: RecordedMedia[] = [];
  const emu = await startEmulator({ sfuCount: 2, mediaPlaneFactory: recordingMediaFactory(media), ...options });
  return { emu, media };
}

/**
 * `startTestEmulator` as a mocha fixture (spec/support/emulator-fixture.ts): a fresh emulator with
 * recorded media planes per test; `keep(client)` terminates a raw client after the test, and the
 * emulator closes even when the test failed.
 */
export type TestEmulatorContext = TestEmulator & EmulatorContext;

export function useTestEmulator(options: EmulatorOptions = {}): () => TestEmulatorContext {
  let media: RecordedMedia[] = [];
  const context = useEmulator(() => {
    media = [];
    return { sfuCount: 2, mediaPlaneFactory: recordingMediaFactory(media), ...options };
  });
  return () => ({ ...context(), media });
}

export interface Credentials {
  server: { edge_name: string; url: string; ws_endpoint: string };
  token: string;
  ice_servers: unknown[];
}

export async function coordinatorJoin(
  emu: Emulator,
  options: { userId?: string; callId?: string; token?: string; apiKey?: string; body?: Record<string, unknown> | string },
): Promise<HttpAnswer> {
  const token = options.token ?? (await emu.createUserToken(options.userId ?? 'alice'));
  const url = `${emu.coordinatorUrl}/video/call/default/${options.callId ?? 'demo'}/join?api_key=${options.apiKey ?? emu.apiKey}`;
  // The API requires `location`; a body that names the key (even as undefined) is sent as it is.
  const object = options.body ?? { create: true };
  const body = typeof object === 'string' ? object : JSON.stringify('location' in object ? object : { location: EMULATOR_LOCATION, ...object });
  return httpPost(url, body, { 'content-type': 'application/json', authorization: token, 'stream-auth-type': 'jwt' });
}

export async function credentialsFor(emu: Emulator, userId: string, callId = 'demo', body: Record<string, unknown> = { create: true }): Promise<Credentials> {
  const answer = await coordinatorJoin(emu, { userId, callId, body });
  if (answer.status !== 200) throw new Error(`coordinator join failed: ${answer.status} ${answer.body.toString()}`);
  return answer.json().credentials as Credentials;
}

export interface JoinedAgent {
  client: RawSfuClient;
  credentials: Credentials;
  sessionId: string;
  response: SfuEvent;
}

/** Coordinator join + socket + JoinRequest; `extra` goes into the JoinRequest. */
export async function joinAgent(emu: Emulator, userId: string, callId = 'demo', extra: Partial<JoinRequest> = {}, credentials?: Credentials): Promise<JoinedAgent> {
  const creds = credentials ?? (await credentialsFor(emu, userId, callId));
  const client = await RawSfuClient.connect(creds.server.ws_endpoint);
  const sessionId = extra.sessionId ?? randomUUID();
  const response = await client.join({ token: creds.token, sessionId, ...extra });
  return { client, credentials: creds, sessionId, response };
}

/** Joins each of `userIds` to the call "demo" in turn (raw clients, terminated after the test). */
export async function joinKept<const U extends readonly string[]>(t: TestEmulatorContext, ...userIds: U): Promise<{ [K in keyof U]: JoinedAgent }> {
  const agents: JoinedAgent[] = [];
  for (const userId of userIds) {
    const agent = await joinAgent(t.emu, userId);
    t.keep(agent.client);
    agents.push(agent);
  }
  return agents as { [K in keyof U]: JoinedAgent };
}
