/**
 * Periodic stats reporting: every `stats_options.reporting_interval_ms` the SFU gets one `SendStats`
 * with the current publisher's and subscriber's WebRTC stats, as the official clients send it.
 *
 * There is exactly one reporter per call. It follows the current connection with `switchMap`, so a
 * FAST, REJOIN or MIGRATE moves it to the new connection's Twirp client instead of starting a
 * second one. (Stream's Python SDK has the opposite bug: "a new stats reporter is started on every
 * FAST reconnect without stopping the old one", BEHAVIOUR.md, so its report rate doubles with each
 * reconnect.) A report is best effort: a failure is logged and the next tick tries again.
 */
import { EMPTY, Observable, catchError, concatMap, exhaustMap, forkJoin, interval, map, switchMap, type SchedulerLike } from 'rxjs';
import { errorMessage, rxsfuError } from '../errors.js';
import { MAX_TIMER_MS, MIN_PERIOD_MS } from '../validate.js';
import { silentLogger, type Logger } from '../logger.js';
import type { SendStatsRequestInit, SignalServerClient } from '../rpc/index.js';
import type { PeerStats } from '../rtc/peer-options.js';
import type { Publisher } from '../rtc/publisher.js';
import type { Subscriber } from '../rtc/subscriber.js';

/** The period when neither the coordinator nor the caller names one (direct credentials). */
export const DEFAULT_STATS_INTERVAL_MS = 10000;

/** What the reporter needs of a connection (an `SfuConnection` is one). */
export interface StatsConnection {
  readonly sessionId: string;
  readonly rpc: Pick<SignalServerClient, 'sendStats$'>;
  readonly publisher: Pick<Publisher, 'stats$'>;
  readonly subscriber: Pick<Subscriber, 'stats$'>;
}

export interface StatsReporterOptions {
  /** Time between two reports, in ms; 0 disables reporting. */
  intervalMs: number;
  /** `SendStatsRequest.unified_session_id`: the call's id across reconnects. */
  unifiedSessionId: string;
  /** `SendStatsRequest.sdk_version`. */
  sdkVersion: string;
  /** Where failed reports are logged. @default silent */
  logger?: Logger;
}

/** The fields that say who reports: every `SendStats` of the call carries them (periodic and telemetry). */
export function statsIdentity(sessionId: string, unifiedSessionId: string, sdkVersion: string): SendStatsRequestInit {
  return { sessionId, unifiedSessionId, sdk: 'rxsfu', sdkVersion, webrtcVersion: 'werift' };
}

/**
 * The reporting period of a call: the caller's `statsIntervalMs` if given, else the coordinator's
 * `reporting_interval_ms` (0 there means the coordinator turned reporting off; outside
 * [MIN_PERIOD_MS, MAX_TIMER_MS] it is ignored), else 10000.
 * A negative or non-finite option is RXSFU_ERR_INVALID_ARGUMENT.
 */
export function resolveStatsInterval(option: number | undefined, coordinatorMs: number | undefined): number {
  if (option !== undefined) {
    assertStatsInterval(option);
    return option;
  }
  if (coordinatorMs === 0) return 0;
  // A coordinator's number is foreign input: one a timer would clamp (or a 1 ms period) is not taken.
  const usable = coordinatorMs !== undefined && Number.isInteger(coordinatorMs) && coordinatorMs >= MIN_PERIOD_MS && coordinatorMs <= MAX_TIMER_MS;
  return usable ? coordinatorMs : DEFAULT_STATS_INTERVAL_MS;
}

/** Throws RXSFU_ERR_INVALID_ARGUMENT unless `ms` is 0 (off) or a positive finite number. */
export function assertStatsInterval(ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `statsIntervalMs must be 0 (off) or a positive number of ms, got ${String(ms)}`);
  }
}

/**
 * One `SendStats` per `intervalMs` on the current connection; emits each request the SFU accepted.
 * `publisher_stats` and `subscriber_stats` are JSON arrays of werift stats objects (`PeerStats`:
 * `{ id, type, timestamp, … }` per entry, e.g. `outbound-rtp`, `transport`, `candidate-pair`); no
 * token or credential is part of a request. A new connection restarts the ticking on its own
 * client and the old one gets nothing more; `exhaustMap` drops a tick while a report is still on
 * its way, so reports never pile up; a failed report is logged and skipped.
 *
 * ```
 * connection$: a-----------b---------
 * tick:        ---t---t---|---t---t--     (intervalMs = 3; restarts on b)
 * result:      ----x---x-------y---y-     x: SendStats on a.rpc, y: on b.rpc (sendStats$ = -r|)
 * ```
 */
export function statsReports$(
  connection$: Observable<StatsConnection | undefined>,
  options: StatsReporterOptions,
  scheduler: SchedulerLike,
): Observable<SendStatsRequestInit> {
  assertStatsInterval(options.intervalMs);
  if (options.intervalMs === 0) return EMPTY;
  return connection$.pipe(
    switchMap((conn) => (conn ? interval(options.intervalMs, scheduler).pipe(exhaustMap(() => report$(conn, options))) : EMPTY)),
  );
}

/** Collects both peers' stats, sends them, and emits the request once the SFU accepted it; never errors. */
function report$(conn: StatsConnection, options: StatsReporterOptions): Observable<SendStatsRequestInit> {
  const logger = options.logger ?? silentLogger;
  return forkJoin([conn.publisher.stats$(), conn.subscriber.stats$()]).pipe(
    map(([publisher, subscriber]) => statsRequest(conn.sessionId, options, publisher, subscriber)),
    concatMap((request) => conn.rpc.sendStats$(request).pipe(map(() => request))),
    catchError((err: unknown) => {
      logger.warn('SendStats failed', { sessionId: conn.sessionId, error: errorMessage(err) });
      return EMPTY;
    }),
  );
}

function statsRequest(sessionId: string, options: StatsReporterOptions, publisher: PeerStats, subscriber: PeerStats): SendStatsRequestInit {
  return {
    ...statsIdentity(sessionId, options.unifiedSessionId, options.sdkVersion),
    publisherStats: JSON.stringify(publisher),
    subscriberStats: JSON.stringify(subscriber),
  };
}
