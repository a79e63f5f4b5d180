/**
 * What the handlers of one SFU (the JoinRequest in sfu-join.ts, Twirp methods in signal-service.ts,
 * simulated participants in simulated-session.ts) may use of the SFU hosting them: narrow views of
 * `SfuServer`, so each handler says what it touches and none of them imports the server back.
 */
import type { SchedulerLike } from 'rxjs';
import type { WebSocket } from 'ws';
import { WebsocketReconnectStrategy, type ErrorCode, type SfuEventInit, type TrackInfo, type TrackType } from '../protocol/index.js';
import type { Logger } from '../logger.js';
import type { CallRegistry } from './call-registry.js';
import type { SfuMediaPlane } from './media/contract.js';
import type { EmulatorRecords, LeaveReason } from './records.js';
import type { DeliveryFaults, SfuSession } from './sfu-session.js';

/** How an SFU refuses a join (fault injection). */
export type JoinRejectionMode = 'sfu-full' | 'never-answer' | 'close-before-join-response' | 'disconnect';

/** What every handler reads: the SFU's name, the shared registry and journal, its media plane, the clock. */
export interface SfuBasics {
  readonly id: string;
  readonly registry: CallRegistry;
  readonly records: EmulatorRecords;
  readonly logger: Logger;
  readonly media: SfuMediaPlane;
  /** The emulator's clock: record stamps, session deadlines, delayed frames. */
  readonly scheduler: SchedulerLike;
}

/** What the JoinRequest handler needs: sessions, the other SFUs (MIGRATE, REJOIN), refusals. */
export interface JoinHost extends SfuBasics {
  readonly secret: string;
  readonly fastReconnectDeadlineSeconds: number;
  readonly sessions: ReadonlyMap<string, SfuSession>;
  readonly deliveryFaults: DeliveryFaults;
  readonly allSfus: () => readonly JoinHost[];
  addSession(session: SfuSession): void;
  leave(session: SfuSession, reason: LeaveReason): void;
  retireMigrated(session: SfuSession): void;
  completeMigration(session: SfuSession): void;
  takeJoinRejection(): JoinRejectionMode | undefined;
  sendToSocket(ws: WebSocket, event: SfuEventInit): void;
}

/** What the Twirp SignalServer methods need: the caller's session and the announcements they cause. */
export interface SignalHost extends SfuBasics {
  readonly secret: string;
  ownedSession(sessionId: string, userId: string): SfuSession;
  announceTracks(session: SfuSession, tracks: TrackInfo[]): void;
  completeMigration(session: SfuSession): void;
  applyMuteStates(session: SfuSession, states: { trackType?: TrackType | null; muted?: boolean | null }[]): void;
}

/** What a simulated participant needs: a media plane to live in, and the SFUs it may move to. */
export interface SimulatedHost extends SfuBasics {
  readonly allSfus: () => readonly SimulatedHost[];
}

/** An `error` event, as an SFU sends it before refusing or to report a fault. */
/**
 * How an SFU closes the signaling socket of an ended call, after `call_ended`: a normal close (the
 * call is over, nothing to reconnect to). Stream does not document the code its SFU uses.
 */
export const CALL_ENDED_CLOSE_CODE = 1000;

export function errorEvent(code: ErrorCode, message: string, strategy = WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED, shouldRetry = false): SfuEventInit {
  return { error: { error: { code, message, shouldRetry }, reconnectStrategy: strategy } };
}
