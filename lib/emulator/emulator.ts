/**
 * `startEmulator()`: a local Stream Video backend on 127.0.0.1 — one coordinator and N SFUs sharing
 * one call registry — with fault injection and a record of everything that happened. Every port is
 * chosen free (port 0) and `close()` frees them all, with every socket, timer and peer connection.
 */
import { randomBytes } from 'node:crypto';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { errorMessage, rxsfuError } from '../errors.js';
import { TrackType, type stream } from '../protocol/index.js';
import { silentLogger, type Logger } from '../logger.js';
import { CallRegistry, type LiveSession } from './call-registry.js';
import { Coordinator } from './coordinator.js';
import { createFaults, type EmulatorFaults } from './faults.js';
import { signUserToken } from './jwt.js';
import { createMediaPlane, TrackBus } from './media/index.js';
import type { KeyframeRequestMethod } from './media/track-bus.js';
import { AudioLevelMeter, type AudioLevelMeterOptions } from './media/audio-level-meter.js';
import { EmulatorRecords } from './records.js';
import { SfuServer, type MediaPlaneFactory } from './sfu-server.js';
import { addSimulatedParticipant, type SimulatedParticipant, type SimulatedParticipantHandle, type SimulatedParticipantOptions } from './simulated-session.js';
import { endCall } from './end-call.js';
import { NetworkCuts } from './network.js';
import { emulatorAgentOptions, type EmulatorAgentOptions } from './agent-options.js';

/** What a participant may publish (`models.CallGrants`). */
export interface EmulatorCallGrants {
  canPublishAudio: boolean;
  canPublishVideo: boolean;
  canScreenshare: boolean;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface every server listens on. @default '127.0.0.1' */
  host?: string;
  /** How many SFUs. @default 1 */
  sfuCount?: number;
  /** How long a session whose socket vanished is kept for a FAST reconnect. @default 10 */
  fastReconnectDeadlineSeconds?: number;
  /** @default 'emulator-key' */
  apiKey?: string;
  /** HS256 secret for user and SFU tokens. @default a random one per emulator */
  apiSecret?: string;
  /** @default silent */
  logger?: Logger;
  /** Builds each SFU's media plane (e.g. to wrap it with instrumentation). @default `createMediaPlane` of lib/emulator/media */
  mediaPlaneFactory?: MediaPlaneFactory;
  /**
   * The emulator's clock: the FAST window, delayed frames (`faults.delay…`), the migrated-copy grace
   * and simulated participants' media run on it, and every record's `at` is its `now()`. Pass the
   * agent's scheduler (e.g. a virtual-time one) to compare both sides' timing. @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /**
   * Who speaks: the SFUs decode every published audio track and send `audio_level_changed` and
   * `dominant_speaker_changed` each `windowMs` (see media/speaker-detection.ts); `false` turns it off.
   * @default { windowMs: 250, speakingLevel: 0.01, holdWindows: 2 }
   */
  speakers?: false | Pick<AudioLevelMeterOptions, 'windowMs' | 'speakingLevel' | 'holdWindows'>;
  /**
   * The address the coordinator hands out for an SFU, asked at every join. Tests put a TCP proxy in
   * front of an SFU this way (faults below the WebSocket). @default the SFU's own `url` and `wsEndpoint`
   */
  sfuAddress?: (sfu: EmulatedSfu) => EmulatedSfu;
  /**
   * ICE servers the coordinator hands out in `credentials.ice_servers`, as Stream's does (its SFUs
   * still answer on loopback; a test can give an unreachable TURN server). @default none
   */
  iceServers?: readonly { urls: string[]; username?: string; password?: string }[];
  /**
   * Lifetime of the SFU tokens the coordinator hands out; the SFUs refuse an expired one (a join
   * with ERROR_CODE_UNAUTHENTICATED, Twirp with 401), so a test can let one expire mid-call. @default 3600
   */
  sfuTokenValiditySeconds?: number;
}

/** An SFU as the coordinator hands it out. */
export interface EmulatedSfu {
  id: string;
  /** Twirp base URL, ends in `/twirp`. */
  url: string;
  wsEndpoint: string;
}

/** A running emulator: its URLs and credentials, faults, records, simulated participants, and `close()`. */
export interface Emulator {
  readonly coordinatorUrl: string;
  readonly apiKey: string;
  /** The emulator's own secret (local only): tests and the demo sign user tokens with it. */
  readonly apiSecret: string;
  readonly sfus: readonly EmulatedSfu[];
  readonly faults: EmulatorFaults;
  readonly records: EmulatorRecords;
  /**
   * `joinCall` options for an agent of this emulator (coordinator, key, secret, user, call, and the
   * settings only a local setup may use); spread them and add your own. @default callType 'default'
   */
  agentOptions(userId: string, callId: string, callType?: string): EmulatorAgentOptions;
  /** A user JWT (HS256, emulator secret). @default validitySeconds 3600 */
  createUserToken(userId: string, validitySeconds?: number): Promise<string>;
  addParticipant(options: SimulatedParticipantOptions): Promise<SimulatedParticipant>;
  /** `call_ended` to everyone in the call (`type:id`), then all removed as left. @default reason CALL_ENDED_REASON_ENDED */
  endCall(callCid: string, reason?: stream.video.sfu.models.CallEndedReason): Promise<void>;
  /**
   * The SFU asks the publisher of `sessionId`'s track for a keyframe, by PLI or FIR (a client's
   * publisher gets the RTCP message; a simulated camera sends one at once). Recorded in
   * `records.keyframeRequests`. Throws RXSFU_ERR_INVALID_ARGUMENT when no such track is published.
   * @default method 'pli', trackType TRACK_TYPE_VIDEO
   */
  requestKeyframe(sessionId: string, options?: { method?: KeyframeRequestMethod; trackType?: TrackType }): void;
  /**
   * `call_grants_updated` to one session (client or simulated): what it may publish now, with an
   * optional message, as Stream's SFU sends when a moderator changes permissions. The emulator does
   * not enforce grants. Throws RXSFU_ERR_INVALID_ARGUMENT for an unknown session.
   */
  updateGrants(sessionId: string, grants: EmulatorCallGrants, message?: string): void;
  /** Current participants (client and simulated), optionally of one call (`type:id`). */
  liveSessions(callCid?: string): LiveSession[];
  /** RTP packets the SFUs received from a client session so far, per track type it sent (both SFUs' during a MIGRATE). */
  publishedPackets(sessionId: string): { trackType: TrackType; packets: number }[];
  /** Frees every port, socket, timer and peer connection. Idempotent. */
  close(): Promise<void>;
}

/** Starts the SFUs, then the coordinator, each on a free port; on a failure, closes what started and rejects. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const sfuCount = options.sfuCount ?? 1;
  if (!Number.isInteger(sfuCount) || sfuCount < 1) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `sfuCount must be a positive integer, got ${sfuCount}`);
  const apiKey = options.apiKey ?? 'emulator-key';
  const apiSecret = options.apiSecret ?? randomBytes(24).toString('hex');
  const logger = options.logger ?? silentLogger;
  const mediaPlaneFactory = options.mediaPlaneFactory ?? createMediaPlane;
  const scheduler = options.scheduler ?? asyncScheduler;
  const registry = new CallRegistry(scheduler);
  const network = new NetworkCuts();
  const records = new EmulatorRecords();
  const trackBus = new TrackBus({ onKeyframeRequest: (request) => records.keyframeRequests.push({ at: scheduler.now(), ...request }) });
  const servers: SfuServer[] = [];
  const shared = {
    host, secret: apiSecret, registry, records, logger, mediaPlaneFactory, scheduler, network,
    // one bus for every SFU's media plane: a call's tracks reach its subscribers on every SFU
    trackBus,
    fastReconnectDeadlineSeconds: options.fastReconnectDeadlineSeconds ?? 10,
    allSfus: () => servers,
  };
  const coordinator = await startAll(servers, sfuCount, shared, () =>
    Coordinator.start({ host, apiKey, apiSecret, registry, records, sfus: () => servers, logger, scheduler, sfuAddress: options.sfuAddress, iceServers: options.iceServers, sfuTokenValiditySeconds: options.sfuTokenValiditySeconds, network }),
  );
  const speakers = options.speakers === false ? undefined
    : new AudioLevelMeter(trackBus, { ...options.speakers, scheduler, send: (callCid, event) => registry.broadcast(callCid, event) });
  logger.info('emulator started', { coordinatorUrl: coordinator.url, sfus: servers.map((s) => s.id) });
  const simulated = new Map<string, SimulatedParticipantHandle>();
  let closed: Promise<void> | undefined;
  const address = { coordinatorUrl: coordinator.url, apiKey, apiSecret };
  return {
    ...address,
    agentOptions: (userId, callId, callType) => emulatorAgentOptions(address, userId, callId, callType),
    sfus: servers.map((s) => ({ id: s.id, url: s.url, wsEndpoint: s.wsEndpoint })),
    faults: createFaults(() => servers, () => coordinator, network, (callCid, reason) =>
      endCall(registry, servers, simulated, callCid, reason).catch((err: unknown) => logger.warn('ending the call failed', { callCid, error: errorMessage(err) }))),
    records,
    createUserToken: (userId, validitySeconds) => signUserToken(apiSecret, userId, validitySeconds),
    addParticipant: async (participant) => {
      const handle = addSimulatedParticipant(hostFor(servers, registry, participant), records, participant);
      simulated.set(handle.sessionId, handle);
      return publicHandle(handle);
    },
    requestKeyframe: (sessionId, { method = 'pli', trackType = TrackType.TRACK_TYPE_VIDEO } = {}) => {
      if (!trackBus.requestKeyframe({ sessionId, trackType, method })) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `requestKeyframe: ${sessionId} publishes no ${TrackType[trackType]}`);
    },
    endCall: (callCid, reason) => endCall(registry, servers, simulated, callCid, reason),
    liveSessions: (callCid) => registry.liveSessions(callCid),
    publishedPackets: (sessionId) => sumByTrackType(servers.flatMap((s) => s.media.publishedPackets(sessionId))),
    updateGrants: (sessionId, grants, message) => {
      const session = registry.find(sessionId);
      if (!session) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `updateGrants: no session ${sessionId}`);
      session.deliver({ callGrantsUpdated: { currentGrants: { ...grants }, ...(message !== undefined ? { message } : {}) } });
    },
    close: () => (closed ??= (speakers?.stop(), closeAll(coordinator, servers, registry))),
  };
}

type SharedSfuOptions = Omit<Parameters<typeof SfuServer.start>[0], 'id'>;

/** Starts the SFUs then the coordinator; on a failure, closes what already started. */
async function startAll(servers: SfuServer[], count: number, shared: SharedSfuOptions, startCoordinator: () => Promise<Coordinator>): Promise<Coordinator> {
  try {
    for (let i = 0; i < count; i++) servers.push(await SfuServer.start({ ...shared, id: `sfu-${i}` }));
    return await startCoordinator();
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.close()));
    throw err;
  }
}

async function closeAll(coordinator: Coordinator, servers: SfuServer[], registry: CallRegistry): Promise<void> {
  await coordinator.close();
  await Promise.allSettled(servers.map((s) => s.close()));
  registry.clear();
}

function sumByTrackType(counts: readonly { trackType: TrackType; packets: number }[]): { trackType: TrackType; packets: number }[] {
  const sums = new Map<TrackType, number>();
  for (const { trackType, packets } of counts) sums.set(trackType, (sums.get(trackType) ?? 0) + packets);
  return [...sums].map(([trackType, packets]) => ({ trackType, packets }));
}

/** What callers get: the handle without the emulator-internal `remove` (`sfuId` stays live). */
function publicHandle(handle: SimulatedParticipantHandle): SimulatedParticipant {
  const { sessionId, userId, callCid } = handle;
  return {
    sessionId, userId, callCid,
    get sfuId() {
      return handle.sfuId;
    },
    received: () => handle.received(),
    receivedAudio: () => handle.receivedAudio(),
    speak: (pcm$) => handle.speak(pcm$),
    leave: () => handle.leave(),
  };
}

function hostFor(servers: SfuServer[], registry: CallRegistry, options: SimulatedParticipantOptions): SfuServer {
  if (options.sfuId !== undefined) {
    const chosen = servers.find((s) => s.id === options.sfuId);
    if (!chosen) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `no SFU ${options.sfuId} in this emulator`);
    return chosen;
  }
  const callCid = `${options.callType ?? 'default'}:${options.callId}`;
  const hosting = registry.sessions(callCid)[0]?.sfuId;
  return servers.find((s) => s.id === hosting && s.alive) ?? servers.find((s) => s.alive) ?? servers[0]!;
}
