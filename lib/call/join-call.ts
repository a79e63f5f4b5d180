/**
 * The front door: `joinCall(options)` (a Promise, for scripts) and `joinCall$(options)`
 * (an Observable, for Rx pipelines: emits the joined Call once; unsubscribing before it
 * emits abandons the join and releases everything it opened).
 */
import { asyncScheduler, defer, finalize, from, map, type Observable, type SchedulerLike } from 'rxjs';
import { silentLogger, type Logger } from '../logger.js';
import { rxsfuError } from '../errors.js';
import { Call } from './call.js';
import type { CallTarget } from './credentials.js';
import type { ConnectionSettings } from './sfu-connection.js';
import type { SubscriptionPolicy } from './subscriptions.js';
import { resolveReconnectOptions, type ReconnectOptions } from '../reconnect/index.js';
import { assertNetworkOptions } from './network-options.js';

/** Everything `joinCall` needs: where the call is (`CallTarget`) and how to behave in it. */
export interface JoinCallOptions extends CallTarget {
  /** What to receive. @default every remote participant's audio */
  subscriptions?: SubscriptionPolicy;
  /** Twirp body encoding. @default 'protobuf' */
  rpcEncoding?: 'protobuf' | 'json';
  /** Per Twirp attempt. @default 5000 */
  rpcTimeoutMs?: number;
  /** Signaling socket open. @default 5000 */
  openTimeoutMs?: number;
  /** JoinRequest → join_response. @default 5000 */
  joinTimeoutMs?: number;
  /** Health-check period once joined. @default 5000 */
  healthCheckIntervalMs?: number;
  /** Silence (no frame of any kind) after which the socket counts as lost. @default 12000 */
  unhealthyAfterMs?: number;
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
   * REJOINs, because werift notices a vanished peer late or never. 0 disables. @default 8000
   */
  mediaStallAfterMs?: number;
  /**
   * Period (ms) of the SendStats report (publisher and subscriber WebRTC stats) to the SFU; 0
   * disables. @default the coordinator's `stats_options.reporting_interval_ms`, or 10000 with direct `credentials`
   */
  statsIntervalMs?: number;
  /** Reconnection limits and timings; defaults in docs/RECONNECT.md ("Configuration"). */
  reconnect?: Omit<ReconnectOptions, 'initial' | 'leave$'>;
}

export function resolveSettings(options: JoinCallOptions): ConnectionSettings {
  const healthCheckIntervalMs = options.healthCheckIntervalMs ?? 5000;
  const unhealthyAfterMs = options.unhealthyAfterMs ?? 12000;
  // A health check must be able to arrive before the silence limit, or healthy sockets count as lost.
  if (!(healthCheckIntervalMs > 0 && unhealthyAfterMs > healthCheckIntervalMs)) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT',
      `unhealthyAfterMs (${unhealthyAfterMs}) must be greater than healthCheckIntervalMs (${healthCheckIntervalMs}) > 0`);
  }
  return {
    rpcEncoding: options.rpcEncoding ?? 'protobuf',
    rpcTimeoutMs: options.rpcTimeoutMs ?? 5000,
    openTimeoutMs: options.openTimeoutMs ?? 5000,
    joinTimeoutMs: options.joinTimeoutMs ?? 5000,
    healthCheckIntervalMs,
    unhealthyAfterMs,
    scheduler: options.scheduler ?? asyncScheduler,
    logger: options.logger ?? silentLogger,
    iceLoopbackOnly: options.iceLoopbackOnly ?? false,
  };
}

/**
 * Cold: each subscription joins once and emits the joined Call, then completes. Unsubscribing before
 * that abandons the join and releases what it opened; a failed join errors with a typed RxsfuError.
 */
export function joinCall$(options: JoinCallOptions): Observable<Call> {
  return defer(() => {
    // Bad reconnection options fail here, before anything opens, not when the engine starts.
    resolveReconnectOptions(options.reconnect);
    assertNetworkOptions(options);
    const call = new Call(options, resolveSettings(options), options.subscriptions, options.reconnect, options.mediaStallAfterMs, options.statsIntervalMs);
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
    from(joinCall$(options)).subscribe({ next: resolve, error: reject });
  });
}
