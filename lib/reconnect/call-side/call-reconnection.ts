/**
 * The call's reconnection, assembled: its triggers → requests (R1) → the engine with the call's
 * executors. The call subscribes once, at its first join, and reacts to the states and records.
 */
import { EMPTY, catchError, filter, ignoreElements, merge, tap, type Observable } from 'rxjs';
import { statsIdentity } from '../../call/stats-reporter.js';
import { sdkVersion } from '../../call/join-request.js';
import { reconnectionTelemetry } from '../telemetry.js';
import { foreignText } from '../../foreign-text.js';
import type { SfuConnection } from '../../call/sfu-connection.js';
import { reconnectEpisodes } from '../engine.js';
import { recordedReconnectEpisodes, type FrameLogRecorder } from '../frame-log.js';
import type { ReconnectOptions } from '../options.js';
import type { JoinedInfo, ReconnectionEvent, ReconnectionRecord, ReconnectRequest } from '../types.js';
import { createReconnectExecutors, type ReconnectHost } from './executors.js';
import { reconnectRequests$, type ReconnectTriggers } from './requests.js';

export interface CallReconnectionParams {
  readonly triggers: ReconnectTriggers;
  readonly host: ReconnectHost;
  readonly options: ReconnectOptions;
  /** The first join: current SFU and FAST window (R15). */
  readonly initial: JoinedInfo;
  /** Emits (and replays) at leave (R12). */
  readonly leave$: Observable<unknown>;
  /** `recordFrames`: the frame log every input and output goes into (issue 9 item 4). */
  readonly recorder?: FrameLogRecorder;
}

/** Cold: subscribing starts the call's reconnection engine (docs/RECONNECT.md). */
export function callReconnection$(params: CallReconnectionParams): Observable<ReconnectionEvent> {
  const { triggers, host } = params;
  const log = host.settings.logger;
  // Every SFU error is logged, also those that ask for nothing (R1: UNSPECIFIED).
  const sfuErrorsLogged$ = triggers.events$.pipe(
    filter((e) => e.eventPayload === 'error'),
    tap(({ error: e }) => log.warn('SFU error', { code: e?.error?.code, strategy: e?.reconnectStrategy, message: foreignText(e?.error?.message) })),
    ignoreElements(),
  );
  const recorder = params.recorder;
  const framesLogged$ = recorder ? triggers.events$.pipe(tap((e) => recorder.frameIn(e)), ignoreElements()) : EMPTY;
  const requests$: Observable<ReconnectRequest> = merge(framesLogged$, sfuErrorsLogged$, reconnectRequests$(triggers)).pipe(
    tap((r) => log.info('reconnect request', { strategy: r.strategy, source: r.source, detail: r.detail })),
  );
  const options = { ...params.options, initial: params.initial, leave$: params.leave$ };
  const executors = createReconnectExecutors(host);
  const events$ = recorder
    ? recordedReconnectEpisodes(requests$, executors, options, host.settings.scheduler, recorder)
    : reconnectEpisodes(requests$, executors, options, host.settings.scheduler);
  return events$.pipe(
    tap((e) => {
      if (e.type === 'record') reported(host, e.record);
    }),
  );
}

/** Logs a record; after a successful one, the SFU learns how long we were away and how we came back (WIRE.md Telemetry). */
function reported(host: ReconnectHost, record: ReconnectionRecord): void {
  host.settings.logger.info('reconnection', {
    trigger: record.trigger.detail, strategies: record.strategiesTried.join('>'), attempts: record.attempts,
    durationMs: record.durationMs, outcome: record.outcome,
  });
  const conn: SfuConnection | undefined = host.current();
  const telemetry = record.outcome === 'joined' ? reconnectionTelemetry(record) : undefined;
  if (!conn || !telemetry) return;
  host.keep(conn.rpc.sendStats$({
    ...statsIdentity(conn.sessionId, host.unifiedSessionId, sdkVersion()), telemetry: { reconnection: telemetry },
  }).pipe(catchError(() => EMPTY)).subscribe());
}
