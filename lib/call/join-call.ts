/**
 * The front door: `joinCall(options)` (a Promise, for scripts) and `joinCall$(options)`
 * (an Observable, for Rx pipelines: emits the joined Call once; unsubscribing before it
 * emits abandons the join and releases everything it opened).
 */
import { defer, finalize, map, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import { rxsfuError } from '../errors.js';
import { Call } from './call.js';
import type { CallTarget } from './credentials.js';
import type { SubscriptionPolicy } from './subscriptions.js';
import type { ReconnectOptions, SupervisorOptions } from '../reconnect/index.js';
import { resolveJoinOptions } from './join-options.js';

/**
 * Everything `joinCall` needs: where the call is (`CallTarget`) and how to behave in it. Checked
 * once by `resolveJoinOptions` (lib/call/join-options.ts): durations are integers (ms) in the
 * ranges below, never beyond 2³¹−1 (Node would clamp a longer timer to 1 ms).
 */
export interface JoinCallOptions extends CallTarget {
  /** What to receive. @default every remote participant's audio */
  subscriptions?: SubscriptionPolicy;
  /** Twirp body encoding. @default 'protobuf' */
  rpcEncoding?: 'protobuf' | 'json';
  /** Per Twirp attempt; integer ms in [1, 2³¹−1]. @default 5000 */
  rpcTimeoutMs?: number;
  /** Signaling socket open; integer ms in [1, 2³¹−1]. @default 5000 */
  openTimeoutMs?: number;
  /** JoinRequest → join_response; integer ms in [1, 2³¹−1]. @default 5000 */
  joinTimeoutMs?: number;
  /** Health-check period once joined; integer ms in [100, 2³¹−1]. @default 1000 */
  healthCheckIntervalMs?: number;
  /** Silence (no frame of any kind) after which the socket counts as lost; integer ms, > `healthCheckIntervalMs`, ≤ 2³¹−1. @default 2500 */
  unhealthyAfterMs?: number;
  /**
   * Signaling and media both silent this long (ms) is a loss (`ConnectionLost.kind` `network-dead`),
   * sooner than `unhealthyAfterMs`: counted only while media (RTP, or the SFU's RTCP reports) was
   * arriving when the signaling fell silent. 0 disables, else an integer in [100, 2³¹−1]. @default 1500
   */
  networkDeadAfterMs?: number;
  /**
   * A peer connection that was negotiated but is not `connected` this long (ms) while joined gets an
   * ICE restart, then a REJOIN if that fails (docs/RECONNECT.md R1 `peer-stuck`). 0 disables. @default 10000
   */
  peerConnectTimeoutMs?: number;
  /** Clock for every timer of the call. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** @default silent */
  logger?: Logger;
  /**
   * Gather ICE candidates on 127.0.0.1 only: a local emulator or test (the emulator's
   * `agentOptions` set it). Never implied by empty `ice_servers`. @default false
   */
  iceLoopbackOnly?: boolean;
  /**
   * Silence (ms) of expected inbound media (joined, with a live remote track) after which the call
   * REJOINs, because werift notices a vanished peer late or never. 0 disables, else an integer in
   * [100, 2³¹−1]. @default 8000
   */
  mediaStallAfterMs?: number;
  /**
   * Period (ms) of the SendStats report (publisher and subscriber WebRTC stats) to the SFU; 0
   * disables, else an integer in [100, 2³¹−1]. @default the coordinator's `stats_options.reporting_interval_ms`, or 10000 with direct `credentials`
   */
  statsIntervalMs?: number;
  /**
   * Keep a frame log of what the reconnection core saw and did (requests, attempts, states, records,
   * SFU frames by kind; no token or SDP): `call.frameLog()`, replayed by `replayFrameLog`. @default false
   */
  recordFrames?: boolean;
  /** Reconnection limits and timings; defaults in docs/RECONNECT.md ("Configuration"). */
  reconnect?: Omit<ReconnectOptions, 'initial' | 'leave$'>;
  /**
   * R18: after a reconnection gave up for a reason that may pass (deadline, rate limit, outage
   * budget), rejoin as a fresh participant (new session, same user, tracks and subscriptions
   * restored) under a budget; `false`: the give-up ends the call. @default on, 3 fresh joins an hour
   */
  supervisor?: SupervisorOptions | boolean;
}

/**
 * Cold: each subscription joins once and emits the joined Call, then completes. Unsubscribing before
 * that abandons the join and releases what it opened; a failed join errors with a typed RxsfuError.
 */
export function joinCall$(options: JoinCallOptions): Observable<Call> {
  return defer(() => {
    // Every option is checked here, once, before anything opens (RXSFU_ERR_INVALID_ARGUMENT).
    const call = new Call(resolveJoinOptions(options));
    let joined = false;
    return call.join$().pipe(
      map(() => {
        joined = true;
        return call;
      }),
      // Failed or abandoned before joining: nothing may stay open.
      finalize(() => {
        if (!joined) void call.leave('join abandoned');
      }),
    );
  });
}

/** `joinCall$` as a Promise, for scripts: resolves with the joined Call, rejects with a typed RxsfuError. */
export function joinCall(options: JoinCallOptions): Promise<Call> {
  return new Promise((resolve, reject) => {
    joinCall$(options).subscribe({
      next: resolve,
      error: reject,
      // Never expected (a join emits or errors), but a Promise must always settle.
      complete: () => reject(rxsfuError('RXSFU_ERR_LEFT', 'the join ended without a call')),
    });
  });
}
