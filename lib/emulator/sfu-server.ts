/**
 * One emulated SFU: an HTTP server on its own port that upgrades `/ws` to the signaling socket and
 * serves Twirp under `/twirp`, a media plane, and the client sessions living on it. Joins are handled
 * in sfu-join.ts, Twirp methods in signal-service.ts; this file owns sockets, sessions and lifecycle
 * (kill, restart, close) and the events that follow from them (leave, track announcements).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SchedulerLike } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import {
  decodeSfuRequest,
  encodeSfuEvent,
  ErrorCode,
  PeerType,
  models,
  type SfuEventInit,
  type TrackInfo,
  type TrackType,
} from '../protocol/index.js';
import { toParticipant, type CallRegistry } from './call-registry.js';
import type { Logger } from '../logger.js';
import type { MediaCallbacks, SfuMediaPlane } from './media/contract.js';
import type { TrackBus } from './media/track-bus.js';
import type { EmulatorRecords, LeaveReason } from './records.js';
import { errorEvent, type JoinHost, type JoinRejectionMode, type SignalHost, type SimulatedHost } from './sfu-host.js';
import { handleJoin } from './sfu-join.js';
import { SfuSession, type DeliveryFaults } from './sfu-session.js';
import { SimulatedSession } from './simulated-session.js';
import { handleSignalRpc, SIGNAL_SERVICE_PREFIX } from './signal-service.js';
import { TwirpFailure, writeTwirpError } from './twirp.js';
import { errorMessage } from '../errors.js';
import { claimedUserId, NetworkCuts } from './network.js';

/** Builds one media plane per SFU (the real one is `createMediaPlane` from `./media/index.js`). */
export type MediaPlaneFactory = (options: { callbacks: MediaCallbacks; logger?: Logger; bus?: TrackBus; scheduler?: SchedulerLike }) => SfuMediaPlane;

export interface SfuServerOptions {
  id: string;
  host: string;
  secret: string;
  registry: CallRegistry;
  records: EmulatorRecords;
  fastReconnectDeadlineSeconds: number;
  mediaPlaneFactory: MediaPlaneFactory;
  logger: Logger;
  /** Every SFU of the emulator (this one included), for MIGRATE and REJOIN across SFUs. */
  allSfus: () => readonly SfuServer[];
  /** The track bus every SFU's media plane shares (cascading). @default none: media stays on this SFU */
  trackBus?: TrackBus;
  /** The emulator's clock: FAST deadline, delayed frames, migrated-copy grace, record stamps. */
  scheduler: SchedulerLike;
  /** The emulator's network cuts: a cut user's frames, Twirp calls and UDP wait or drop. @default none */
  network?: NetworkCuts;
}

/** Per-socket state: the session once joined. */
interface SocketContext {
  session?: SfuSession;
  joining: boolean;
  /** Whose network the socket travels on: the user its JoinRequest token claims. */
  userId?: string;
}

export class SfuServer implements JoinHost, SignalHost, SimulatedHost {
  readonly id: string;
  readonly secret: string;
  readonly registry: CallRegistry;
  readonly records: EmulatorRecords;
  readonly logger: Logger;
  readonly fastReconnectDeadlineSeconds: number;
  readonly media: SfuMediaPlane;
  readonly sessions = new Map<string, SfuSession>();
  /** SFU-wide delivery faults (silence, delay) that every session of this SFU obeys. */
  readonly deliveryFaults: DeliveryFaults;
  readonly allSfus: () => readonly SfuServer[];
  readonly scheduler: SchedulerLike;

  private readonly host: string;
  private readonly network: NetworkCuts;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  private readonly sockets = new Set<WebSocket>();
  private readonly rejections: JoinRejectionMode[] = [];
  private server: Server | undefined;
  private port = 0;

  private constructor(options: SfuServerOptions) {
    this.id = options.id;
    this.host = options.host;
    this.secret = options.secret;
    this.registry = options.registry;
    this.records = options.records;
    this.logger = options.logger;
    this.fastReconnectDeadlineSeconds = options.fastReconnectDeadlineSeconds;
    this.allSfus = options.allSfus;
    this.scheduler = options.scheduler;
    this.network = options.network ?? new NetworkCuts();
    this.deliveryFaults = { silent: false, delayMs: 0, network: this.network };
    this.media = options.mediaPlaneFactory({ callbacks: this.mediaCallbacks(), logger: options.logger, bus: options.trackBus, scheduler: options.scheduler });
  }

  static async start(options: SfuServerOptions): Promise<SfuServer> {
    const sfu = new SfuServer(options);
    await sfu.listen(0);
    return sfu;
  }

  /** Twirp base URL, as the coordinator hands it out (ends in `/twirp`). */
  get url(): string {
    return `http://${this.host}:${this.port}/twirp`;
  }

  get wsEndpoint(): string {
    return `ws://${this.host}:${this.port}/ws`;
  }

  /** False after `kill()` until `restart()`. */
  get alive(): boolean {
    return this.server !== undefined;
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** The live session `sessionId` of `userId` on this SFU, or a Twirp `not_found`. */
  ownedSession(sessionId: string, userId: string): SfuSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.userId !== userId || session.migratedAway) {
      throw new TwirpFailure('not_found', `no session ${sessionId || '(empty)'} for this user on ${this.id}`);
    }
    return session;
  }

  addSession(session: SfuSession): void {
    this.sessions.set(session.sessionId, session);
    this.registry.add(session);
    const { sessionId, userId, trackLookupPrefix, callCid } = session;
    this.media.addSession({ sessionId, userId, trackLookupPrefix, callCid });
  }

  /** Removes a session as left: participant_left to the others, media torn down, recorded. */
  leave(session: SfuSession, reason: LeaveReason, clientReason?: string): void {
    session.dispose();
    if (this.sessions.get(session.sessionId) === session) this.sessions.delete(session.sessionId);
    this.removeMedia(session);
    if (!this.registry.remove(session)) return;
    const participantLeft = { callCid: session.callCid, participant: toParticipant(session) };
    this.registry.broadcast(session.callCid, { participantLeft }, session.sessionId);
    const { sessionId, userId, callCid } = session;
    this.records.leaves.push({ at: this.scheduler.now(), sfuId: this.id, sessionId, userId, callCid, reason, ...(clientReason !== undefined ? { clientReason } : {}) });
    this.logger.info('participant left', { sfuId: this.id, sessionId, userId, reason });
  }

  /**
   * The migration of `session` to another SFU completed: keep its old copy (and its media) until
   * the client closes the old socket, at most `MIGRATED_COPY_GRACE_MS`; then forget it here without
   * telling anyone.
   */
  retireMigrated(session: SfuSession): void {
    if (!session.connected()) {
      this.dropMigrated(session);
      return;
    }
    session.onRetiredSocketClosed = () => this.dropMigrated(session);
    session.startDeadline(MIGRATED_COPY_GRACE_MS, () => this.dropMigrated(session));
  }

  /** The session moved to another SFU: forget it here without telling anyone. */
  dropMigrated(session: SfuSession): void {
    session.onRetiredSocketClosed = undefined;
    session.migratedAway = true;
    session.dispose();
    if (this.sessions.get(session.sessionId) === session) this.sessions.delete(session.sessionId);
    this.removeMedia(session);
  }

  /**
   * The migrated `session` is set up here: the SFU it left sends `participant_migration_complete`
   * once, on the old socket (the official client listens there, not on the new one), then
   * retires its copy.
   */
  completeMigration(session: SfuSession): void {
    const from = session.migratingFrom;
    if (!from) return;
    session.migratingFrom = undefined;
    from.session.deliver({ participantMigrationComplete: {} });
    from.sfu.retireMigrated(from.session);
  }

  /**
   * Applies the tracks a SetPublisher announced: track_published / track_unpublished to the others,
   * then one participant_updated with the new published set when anything changed.
   */
  announceTracks(session: SfuSession, tracks: TrackInfo[]): void {
    session.announcedTracks = tracks;
    const announced = new Set(tracks.filter((t) => !t.muted).map((t) => t.trackType ?? 0));
    let changed = false;
    for (const type of [...session.publishedTracks]) if (!announced.has(type)) changed = this.setPublished(session, type, false) || changed;
    for (const type of announced) changed = this.setPublished(session, type, true) || changed;
    if (changed) this.broadcastUpdated(session);
  }

  /** UpdateMuteStates: muting unpublishes (cause USER_MUTED), unmuting publishes again; then participant_updated. */
  applyMuteStates(session: SfuSession, states: { trackType?: TrackType | null; muted?: boolean | null }[]): void {
    let changed = false;
    const cause = models.TrackUnpublishReason.TRACK_UNPUBLISH_REASON_USER_MUTED;
    for (const state of states) changed = this.setPublished(session, state.trackType ?? 0, !state.muted, cause) || changed;
    if (changed) this.broadcastUpdated(session);
  }

  private setPublished(session: SfuSession, type: TrackType, published: boolean, cause = 0): boolean {
    if (session.publishedTracks.has(type) === published) return false;
    if (published) session.publishedTracks.add(type);
    else session.publishedTracks.delete(type);
    const base = { userId: session.userId, sessionId: session.sessionId, type, participant: toParticipant(session) };
    const event: SfuEventInit = published ? { trackPublished: base } : { trackUnpublished: { ...base, cause } };
    this.registry.broadcast(session.callCid, event, session.sessionId);
    return true;
  }

  private broadcastUpdated(session: SfuSession): void {
    const participantUpdated = { callCid: session.callCid, participant: toParticipant(session) };
    this.registry.broadcast(session.callCid, { participantUpdated }, session.sessionId);
  }

  private removeMedia(session: SfuSession): void {
    if (session.mediaRemoved) return;
    session.mediaRemoved = true;
    this.dropMedia(session.sessionId);
  }

  private dropMedia(sessionId: string): void {
    this.media.removeSession(sessionId).catch((err: unknown) => this.logger.warn('media removeSession failed', { sessionId, error: errorMessage(err) }));
  }

  private mediaCallbacks(): MediaCallbacks {
    return {
      subscriberOffer: (sessionId, offer) => {
        const sent = this.sessions.get(sessionId)?.deliver({ subscriberOffer: offer }) ?? false;
        const { negotiationId, iceRestart } = offer;
        this.records.subscriberOffers.push({ at: this.scheduler.now(), sfuId: this.id, sessionId, negotiationId, iceRestart, sent });
        return sent;
      },
      iceCandidate: (sessionId, peerType, iceCandidate) => {
        const session = this.sessions.get(sessionId);
        if (session?.publisherIceBlocked && peerType !== PeerType.PEER_TYPE_SUBSCRIBER) return;
        session?.deliver({ iceTrickle: { peerType, iceCandidate } });
      },
    };
  }

  // ---- faults ---------------------------------------------------------------------------------

  rejectJoins(count: number, mode: JoinRejectionMode): void {
    for (let i = 0; i < count; i++) this.rejections.push(mode);
  }

  takeJoinRejection(): JoinRejectionMode | undefined {
    return this.rejections.shift();
  }

  /** Network cut of `userId`: its sessions' peer connections drop UDP both ways until restored. */
  cutUdpOf(userId: string): void {
    for (const session of this.sessions.values()) {
      if (session.userId === userId) this.media.gateUdp?.(session.sessionId, () => this.network.isCut(userId));
    }
  }

  /** Destroys every socket of this SFU without a close frame (the client sees 1006). */
  destroyAllSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Sends an event straight to a socket that has no session yet; obeys SFU-wide silence. */
  sendToSocket(ws: WebSocket, event: SfuEventInit): void {
    if (this.deliveryFaults.silent || ws.readyState !== WebSocket.OPEN) return;
    ws.send(encodeSfuEvent(event));
  }

  /**
   * Crash: every socket destroyed, port freed, media of its sessions gone. Its sessions can no longer
   * be resumed by FAST (even after `restart()`), but MIGRATE and REJOIN still find them; unless one
   * does, they are dropped as left when the FAST deadline passes. Its simulated participants
   * reconnect to another alive SFU (their media moves there), or fall silent when there is none.
   */
  kill(): Promise<void> {
    return this.stop(true);
  }

  private async stop(relocateSimulated: boolean): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const session of this.sessions.values()) {
      session.resumable = false;
      this.removeMedia(session);
    }
    if (relocateSimulated) this.relocateSimulated();
    this.destroyAllSockets();
    await closeServer(server);
  }

  /** This SFU stops contributing media: its simulated participants move to another alive SFU. */
  private relocateSimulated(): void {
    const target = this.allSfus().find((s) => s !== this && s.alive);
    for (const { sessionId } of this.registry.liveSessions().filter((s) => s.simulated && s.sfuId === this.id)) {
      const session = this.registry.find(sessionId);
      if (!(session instanceof SimulatedSession)) continue;
      try {
        session.relocate(this, target).catch((err: unknown) => this.logger.warn('media removeSession failed', { sessionId, error: errorMessage(err) }));
      } catch (err) {
        this.logger.warn('simulated participant could not move', { sessionId, error: errorMessage(err) });
        this.dropMedia(sessionId);
      }
    }
  }

  /** Brings a killed SFU back on the same port, with none of its old sessions resumable. */
  async restart(): Promise<void> {
    if (this.server) return;
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop(false);
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.wss.close();
    await this.media.close();
  }

  // ---- I/O ------------------------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const userId = claimedUserId(req.headers.authorization);
    if (this.network.isCut(userId)) {
      void this.network.passable(userId).then(() => this.onRequest(req, res));
      return;
    }
    if ((req.url ?? '').startsWith(SIGNAL_SERVICE_PREFIX)) {
      void handleSignalRpc(this, req, res);
      return;
    }
    writeTwirpError(res, 'bad_route', `no route ${req.method} ${(req.url ?? '').split('?')[0]}`);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    const context: SocketContext = { joining: false };
    let queue = Promise.resolve();
    ws.on('message', (data: Buffer) => {
      const userId = (context.userId ??= context.session?.userId ?? joinUserOf(data));
      const passable = this.network.isCut(userId) ? this.network.passable(userId) : undefined;
      queue = queue
        .then(() => passable)
        // A frame held by a cut, for a socket the client closed meanwhile, is never read.
        .then(() => (passable && ws.readyState !== WebSocket.OPEN ? undefined : this.onFrame(ws, context, data)))
        .catch((err: unknown) => this.logger.warn('frame handling failed', { sfuId: this.id, error: errorMessage(err) }));
    });
    ws.on('close', (code, reason) => {
      this.sockets.delete(ws);
      this.records.sockets.push({ at: this.scheduler.now(), sfuId: this.id, sessionId: context.session?.sessionId, code, reason: reason.toString() });
      this.onSocketClosed(ws, context.session, code);
    });
    ws.on('error', (err) => this.logger.debug('socket error', { sfuId: this.id, error: err.message }));
  }

  private async onFrame(ws: WebSocket, context: SocketContext, data: Buffer): Promise<void> {
    let request;
    try {
      request = decodeSfuRequest(data);
    } catch (err) {
      this.sendToSocket(ws, errorEvent(ErrorCode.ERROR_CODE_REQUEST_VALIDATION_FAILED, errorMessage(err)));
      return;
    }
    if (request.joinRequest) {
      if (context.session || context.joining) {
        this.sendToSocket(ws, errorEvent(ErrorCode.ERROR_CODE_REQUEST_VALIDATION_FAILED, 'already joined on this socket'));
        return;
      }
      context.joining = true;
      context.session = await handleJoin(this, ws, request.joinRequest);
      context.joining = false;
      // The socket may have gone while the token was being checked: its close found no session yet.
      if (ws.readyState !== WebSocket.OPEN) this.onSocketClosed(ws, context.session, 1006);
      return;
    }
    const session = context.session;
    if (!session || session.socket !== ws) return;
    if (request.healthCheckRequest) {
      const answered = !session.faults.silent && !this.deliveryFaults.silent;
      this.records.healthChecks.push({ at: this.scheduler.now(), sfuId: this.id, sessionId: session.sessionId, answered });
      session.deliver({ healthCheckResponse: { participantCount: this.registry.participantCount(session.callCid) } });
    } else if (request.leaveCallRequest) {
      this.leave(session, 'leave-request', request.leaveCallRequest.reason ?? '');
    }
  }

  /** 1000 is a leave; any other loss keeps the session for the FAST deadline. */
  private onSocketClosed(ws: WebSocket, session: SfuSession | undefined, code: number): void {
    if (!session || session.socket !== ws) return;
    session.detach();
    if (session.migratedAway) {
      session.onRetiredSocketClosed?.();
      return;
    }
    if (this.sessions.get(session.sessionId) !== session) return;
    if (code === 1000) {
      this.leave(session, 'socket-closed-normally');
      return;
    }
    session.startDeadline(this.fastReconnectDeadlineSeconds * 1000, () => this.leave(session, 'fast-deadline'));
  }
}

/** How long an SFU keeps a migrated session's old copy whose client never closes the old socket. */
export const MIGRATED_COPY_GRACE_MS = 10_000;

/** The user a JoinRequest frame's token claims (unchecked: the join handler verifies it). */
function joinUserOf(data: Buffer): string | undefined {
  try {
    return claimedUserId(decodeSfuRequest(data).joinRequest?.token ?? undefined);
  } catch {
    return undefined;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
