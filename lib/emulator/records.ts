/**
 * What happened inside the emulator, kept so tests can assert on the server's view: which joins
 * arrived with which reconnect details, who left and why, every subscription set, every Twirp call,
 * every coordinator join, every socket close. Plain arrays, appended in order; never cleared while running.
 */
import type { TrackSubscriptionDetails } from '../protocol/index.js';
import type { KeyframeRequest } from './media/track-bus.js';

/** `reconnect_details` of a JoinRequest, decoded to names. */
export interface RecordedReconnectDetails {
  strategy: string;
  previousSessionId: string;
  fromSfuId: string;
  reconnectAttempt: number;
  reason: string;
  announcedTracks: number;
  subscriptions: number;
}

/** One JoinRequest an SFU received, and what it did with it. `at` is the emulator scheduler's `now()` in every record (ms since the epoch by default). */
export interface JoinRecord {
  at: number;
  sfuId: string;
  sessionId: string;
  userId: string;
  callCid: string;
  /** `undefined` for a first join (no reconnect details or strategy UNSPECIFIED). */
  reconnectDetails?: RecordedReconnectDetails;
  /** What the SFU did: answered, or refused with a reason. */
  outcome: 'joined' | 'resumed' | 'migrated' | 'rejected';
  detail?: string;
}

/** Why a session left, as the SFU saw it. */
export type LeaveReason =
  | 'leave-request'
  | 'socket-closed-normally'
  | 'fast-deadline'
  | 'replaced-by-rejoin'
  | 'simulated-leave'
  | 'call-ended'
  | 'emulator-closed';

/** A session that left an SFU. */
export interface LeaveRecord {
  at: number;
  sfuId: string;
  sessionId: string;
  userId: string;
  callCid: string;
  reason: LeaveReason;
  /** The client's own words: `LeaveCallRequest.reason`, for a leave request. */
  clientReason?: string;
}

/** A full subscription set an SFU received (UpdateSubscriptions or a join). */
export interface SubscriptionRecord {
  at: number;
  sfuId: string;
  sessionId: string;
  tracks: TrackSubscriptionDetails[];
}

/** One Twirp call an SFU answered. */
export interface RpcRecord {
  at: number;
  sfuId: string;
  method: string;
  sessionId?: string;
  encoding: 'protobuf' | 'json';
  /** HTTP status of the answer. */
  status: number;
  /** Twirp error code when status is not 200. */
  twirpCode?: string;
}

/** One coordinator join request. */
export interface CoordinatorJoinRecord {
  at: number;
  callCid: string;
  userId?: string;
  status: number;
  sfuId?: string;
  migratingFrom?: string;
  migratingFromList: string[];
  /** The body's `location` (accepted joins; a join without one is refused with 400). */
  location?: string;
  /** Set when the join was failed or stalled by a fault. */
  fault?: 'fail' | 'stall';
}

/** One signaling socket close. */
export interface SocketCloseRecord {
  at: number;
  sfuId: string;
  sessionId?: string;
  code: number;
  reason: string;
}

/** One SendStats / SendMetrics request. */
export interface StatsRecord {
  at: number;
  sfuId: string;
  sessionId: string;
  method: 'SendStats' | 'SendMetrics';
  /** The request as proto3 JSON. */
  body: { [k: string]: unknown };
}

/** One health-check request. */
export interface HealthCheckRecord {
  at: number;
  sfuId: string;
  sessionId: string;
  /** False when a silence fault swallowed the answer. */
  answered: boolean;
}

/** A `subscriber_offer` the SFU made (sent, or kept for a FAST resume when no socket was attached). */
export interface SubscriberOfferRecord {
  at: number;
  sfuId: string;
  sessionId: string;
  negotiationId: number;
  iceRestart: boolean;
  /** False when no socket was attached. */
  sent: boolean;
}

/** A keyframe request that reached a published track: a subscriber's PLI passed on, or `emu.requestKeyframe`. */
export interface KeyframeRequestRecord extends KeyframeRequest {
  at: number;
}

/** The emulator's journal. */
export class EmulatorRecords {
  readonly joins: JoinRecord[] = [];
  readonly leaves: LeaveRecord[] = [];
  readonly subscriptions: SubscriptionRecord[] = [];
  readonly rpcs: RpcRecord[] = [];
  readonly coordinatorJoins: CoordinatorJoinRecord[] = [];
  readonly sockets: SocketCloseRecord[] = [];
  readonly stats: StatsRecord[] = [];
  readonly healthChecks: HealthCheckRecord[] = [];
  readonly keyframeRequests: KeyframeRequestRecord[] = [];
  readonly subscriberOffers: SubscriberOfferRecord[] = [];
}
