/**
 * The values the reconnection engine passes around: requests in, attempt contexts to the executors,
 * states and records out. Plain data, so records can be logged, compared in marble tests and sent as
 * telemetry. Rules are in docs/RECONNECT.md.
 */
import type { Observable } from 'rxjs';
import type { RxsfuError } from '../errors.js';
import type { ReconnectFailedError } from './failed-error.js';
import type { AttemptStrategy, PeerSide, ReconnectRequest } from './request.js';

// The request vocabulary has its own file so failed-error.ts can use it without importing this one.
export * from './request.js';

/** What a successful attempt reports: where we are now, and the FAST window the SFU granted. */
export interface JoinedInfo {
  /** The SFU now serving us (edge name / SFU id). */
  readonly sfuId: string;
  /** `JoinResponse.fast_reconnect_deadline_seconds`; 0 or absent: the SFU said nothing. */
  readonly fastReconnectDeadlineSeconds?: number;
}

/** Everything an executor needs to run one attempt (R15). */
export interface AttemptContext {
  readonly strategy: AttemptStrategy;
  /** 1-based attempt number within the episode. */
  readonly attempt: number;
  /** 1-based attempt counter over the engine's life, for `reconnect_details.reconnect_attempt`. */
  readonly reconnectAttempt: number;
  /** The request that started the episode. */
  readonly trigger: ReconnectRequest;
  /** `trigger.detail`, for `reconnect_details.reason`. */
  readonly reason: string;
  /** The SFU we were on when the attempt began (`from_sfu_id`, `migrating_from`). */
  readonly fromSfuId?: string;
  /** SFUs to avoid (R5), for the coordinator's `migrating_from_list`. */
  readonly migratingFromList: readonly string[];
  /** The error of the previous attempt in this episode, if any. */
  readonly previousError?: RxsfuError;
  /** The peer to restart, for `ice-restart` attempts. */
  readonly peer?: PeerSide;
  /**
   * R16: the executor calls this when it makes its new connection current, before it goes on
   * (FAST's ICE restart, REJOIN's republish). From then until the attempt ends, a request of rank
   * ≥ FAST that does not raise the floor is a loss of that connection: it fails the attempt at once
   * instead of being dropped. `info` is the SFU now in use (R15). Ignored after the attempt ended.
   */
  readonly adopted: (info: JoinedInfo) => void;
}

/**
 * The seam to the call layer: each executor is cold, emits one value then completes, or errors with
 * an `RxsfuError` (tag it with `withSfuId` so R5 blames the right SFU). Unsubscribing must abandon
 * the attempt's work.
 */
export interface ReconnectExecutors {
  fast(ctx: AttemptContext): Observable<JoinedInfo>;
  rejoin(ctx: AttemptContext): Observable<JoinedInfo>;
  /** Includes the wait for `participant_migration_complete`; R7 bounds it. */
  migrate(ctx: AttemptContext): Observable<JoinedInfo>;
  /** Restart ICE on one peer. Absent: an ICE restart request escalates to REJOIN (R14). */
  iceRestart?(peer: PeerSide, ctx: AttemptContext): Observable<unknown>;
  /**
   * R17: a cheap check that the network answers (the coordinator or the last SFU): emits (any
   * value) when something answered, errors or completes empty when nothing did. The engine bounds
   * it by `probeTimeoutMs`. Absent: the call never goes `offline`.
   */
  probe?(): Observable<unknown>;
  /**
   * R17: signs of life of any path to the call (a signaling frame or bytes, an RTP or RTCP packet on
   * a peer connection): hot, a value per sign. The network answered when it emits: no `offline`
   * while it speaks, and an `offline` period ends at its first sign without waiting for a probe.
   * Absent: the probe alone decides.
   */
  networkHeard$?(): Observable<unknown>;
}

/** The engine's state fragment (docs/RECONNECT.md, "States"). */
export type ReconnectState =
  | { readonly kind: 'joined' }
  | { readonly kind: 'reconnecting'; readonly strategy: 'fast' | 'rejoin'; readonly attempt: number }
  | { readonly kind: 'migrating'; readonly attempt: number }
  /** R17: every path is dead; no attempt runs, the network is probed until it answers. */
  | { readonly kind: 'offline' }
  /** R18: the supervisor rejoins as a fresh participant after an episode gave up (fresh join `attempt`). */
  | { readonly kind: 'restarting'; readonly attempt: number }
  | { readonly kind: 'reconnecting-failed'; readonly error: ReconnectFailedError }
  | { readonly kind: 'left'; readonly error: RxsfuError };

/** How an episode ended (R11). */
export type ReconnectOutcome = 'joined' | 'failed' | 'cancelled';

/** How an outage (R17) ended: the network answered, the outage budget ran out, leave(), or DISCONNECT. */
export type OutageEnd = 'network-back' | 'budget' | 'cancelled' | 'disconnected';

/** What told R17 the network was back: a probe answered, or a path (signaling, media) was heard again. */
export type OutageAnsweredBy = 'probe' | 'path';

/** One `offline` period of an episode (R17). */
export interface OutageRecord {
  /** Scheduler time from entering `offline` to its end. */
  readonly durationMs: number;
  readonly ended: OutageEnd;
  /** For `network-back`: what answered first. */
  readonly answeredBy?: OutageAnsweredBy;
}

/** One per episode (R11). */
export interface ReconnectionRecord {
  readonly trigger: ReconnectRequest;
  readonly strategiesTried: readonly AttemptStrategy[];
  readonly attempts: number;
  readonly durationMs: number;
  readonly outcome: ReconnectOutcome;
  /** Set when `outcome` is `failed`. */
  readonly failure?: ReconnectFailedError;
  /** R17: the episode's `offline` periods, in order; absent when it had none. */
  readonly outages?: readonly OutageRecord[];
}

/** What `reconnectEpisodes` emits: state transitions and records, in order. */
export type ReconnectionEvent =
  | { readonly type: 'state'; readonly state: ReconnectState }
  | { readonly type: 'record'; readonly record: ReconnectionRecord };
