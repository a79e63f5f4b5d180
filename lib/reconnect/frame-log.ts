/**
 * The frame log (issue 9 item 4): what the reconnection core saw and did, with scheduler times, as
 * plain JSON a user can attach to an incident report. `replayFrameLog` (replay.ts) drives the engine
 * through the same inputs in virtual time. Nothing secret goes in: requests keep their detail (close
 * codes, SFU error codes and messages, never tokens), SFU frames only their kind and error fields
 * (no SDP, no candidates, no tokens), errors their code and message.
 *
 * Inputs (what replay feeds back): `request`, `leave`, `random` (each backoff draw), and per attempt
 * `attempt` (its start), `adopted`, `joined` or `failed`. Outputs (what replay must reproduce):
 * `state`, `record`. `frame-in` entries are context only.
 */
import { defer, map, take, tap, type Observable, type SchedulerLike } from 'rxjs';
import { errorMessage, isRxsfuError, type RxsfuError } from '../errors.js';
import { sfuIdOf } from './failed-error.js';
import { reconnectEpisodes } from './engine.js';
import { resolveReconnectOptions, type ReconnectOptions, type ResolvedReconnectOptions } from './options.js';
import type {
  AttemptContext, AttemptStrategy, JoinedInfo, ReconnectExecutors, ReconnectionEvent, ReconnectionRecord, ReconnectRequest, ReconnectState,
} from './types.js';

/** An error as the log keeps it. */
export interface LoggedError {
  readonly code: string;
  readonly message: string;
  readonly sfuId?: string;
  readonly sfuErrorCode?: number;
  readonly reconnectStrategy?: number;
  /** R17: a failure with an HTTP status heard the network (no probe). */
  readonly httpStatus?: number;
}

/** A state as the log keeps it (errors by code). */
export interface LoggedState {
  readonly kind: ReconnectState['kind'];
  readonly strategy?: string;
  readonly attempt?: number;
  readonly error?: string;
}

/** A record as the log keeps it. */
export interface LoggedRecord {
  readonly source: string;
  readonly strategiesTried: readonly AttemptStrategy[];
  readonly attempts: number;
  readonly durationMs: number;
  readonly outcome: ReconnectionRecord['outcome'];
  readonly reason?: string;
}

export type FrameLogEntry = { readonly at: number } & (
  | { readonly kind: 'request'; readonly request: Omit<ReconnectRequest, 'cause'> & { readonly cause?: LoggedError } }
  | { readonly kind: 'leave' }
  | { readonly kind: 'random'; readonly value: number }
  | { readonly kind: 'attempt'; readonly strategy: AttemptStrategy; readonly peer?: string }
  | { readonly kind: 'adopted'; readonly info: JoinedInfo }
  | { readonly kind: 'joined'; readonly info?: JoinedInfo }
  | { readonly kind: 'failed'; readonly error: LoggedError }
  | { readonly kind: 'state'; readonly state: LoggedState }
  | { readonly kind: 'record'; readonly record: LoggedRecord }
  | { readonly kind: 'frame-in'; readonly event: string; readonly detail?: string }
  /** R17: a network probe started (`started`), answered or not (`answered`), or was cut off (neither). */
  | { readonly kind: 'probe'; readonly answered?: boolean; readonly started?: true }
  /** R17: the engine began watching the paths (`started`), or heard one (`heard`): each watch once. */
  | { readonly kind: 'heard'; readonly started?: true; readonly heard?: true }
);

/** The engine options replay needs (numbers only; a `fastDeadlineMs` getter is logged as read at the start). */
export interface LoggedOptions {
  readonly fastAttempts: number;
  readonly fastDeadlineMs?: number;
  readonly attemptTimeoutMs: number;
  readonly migrationTimeoutMs: number;
  readonly backoff: { readonly baseMs: number; readonly maxDelayMs: number };
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  readonly fastRateLimit: { readonly max: number; readonly windowMs: number };
  readonly disconnectionTimeoutMs: number;
  readonly initial?: JoinedInfo;
  readonly iceRestart: boolean;
  /** R17: whether a probe executor existed, and the offline options. */
  readonly probe?: boolean;
  /** R17: whether the paths' signs of life (`networkHeard$`) were watched. */
  readonly heard?: boolean;
  readonly outageBudgetMs?: number;
  readonly probeBackoff?: { readonly baseMs: number; readonly maxDelayMs: number };
  readonly probeTimeoutMs?: number;
}

export interface FrameLog {
  readonly version: 1;
  /** Scheduler time when the log started (the engine's subscription). */
  readonly startedAt: number;
  readonly options: LoggedOptions;
  readonly entries: readonly FrameLogEntry[];
}

/** Collects a frame log while the engine runs; `snapshot()` is a plain JSON-able copy. */
export class FrameLogRecorder {
  private readonly entries: FrameLogEntry[] = [];
  private options: LoggedOptions | undefined;
  private startedAt = 0;

  constructor(private readonly now: () => number) {}

  /** The engine is about to start with `options` (resolved). */
  begin(options: ResolvedReconnectOptions, executors: ReconnectExecutors): void {
    this.startedAt = this.now();
    const deadline = typeof options.fastDeadlineMs === 'function' ? options.fastDeadlineMs() : options.fastDeadlineMs;
    this.options = {
      fastAttempts: options.fastAttempts, attemptTimeoutMs: options.attemptTimeoutMs, migrationTimeoutMs: options.migrationTimeoutMs,
      backoff: { ...options.backoff }, rateLimit: { ...options.rateLimit }, fastRateLimit: { ...options.fastRateLimit },
      disconnectionTimeoutMs: options.disconnectionTimeoutMs, iceRestart: executors.iceRestart !== undefined,
      probe: executors.probe !== undefined, heard: executors.networkHeard$ !== undefined, outageBudgetMs: options.outageBudgetMs, probeBackoff: { ...options.probeBackoff }, probeTimeoutMs: options.probeTimeoutMs,
      ...(deadline !== undefined ? { fastDeadlineMs: deadline } : {}),
      ...(options.initial ? { initial: { ...options.initial } } : {}),
    };
  }

  add(entry: DistributiveOmit<FrameLogEntry, 'at'>): void {
    this.entries.push({ at: this.now(), ...entry } as FrameLogEntry);
  }

  /** Whether the engine started (before that there is nothing to snapshot). */
  get started(): boolean {
    return this.options !== undefined;
  }

  snapshot(): FrameLog {
    if (!this.options) throw new Error('frame log read before the engine started');
    return JSON.parse(JSON.stringify({ version: 1, startedAt: this.startedAt, options: this.options, entries: this.entries })) as FrameLog;
  }

  /** `requests$` with each request logged as it reaches the engine. */
  requests<T extends ReconnectRequest>(requests$: Observable<T>): Observable<T> {
    return requests$.pipe(tap((request) => this.add({ kind: 'request', request: loggedRequest(request) })));
  }

  /** `random` with each draw logged (R6's backoff). */
  random(random: () => number): () => number {
    return () => {
      const value = random();
      this.add({ kind: 'random', value });
      return value;
    };
  }

  /** The executors with each attempt's start, adoption and outcome logged. */
  executors(executors: ReconnectExecutors): ReconnectExecutors {
    const logged = <T>(strategy: AttemptStrategy, ctx: AttemptContext, run: (ctx: AttemptContext) => Observable<T>, peer?: string): Observable<T> => {
      this.add({ kind: 'attempt', strategy, ...(peer ? { peer } : {}) });
      const adopted = (info: JoinedInfo) => {
        this.add({ kind: 'adopted', info: { ...info } });
        ctx.adopted(info);
      };
      return run({ ...ctx, adopted }).pipe(tap({
        next: (value) => this.add({ kind: 'joined', ...(strategy === 'ice-restart' ? {} : { info: { ...(value as JoinedInfo) } }) }),
        error: (error: unknown) => this.add({ kind: 'failed', error: loggedError(error) }),
      }));
    };
    return {
      fast: (ctx) => logged('fast', ctx, executors.fast),
      rejoin: (ctx) => logged('rejoin', ctx, executors.rejoin),
      migrate: (ctx) => logged('migrate', ctx, executors.migrate),
      ...(executors.iceRestart ? { iceRestart: (peer, ctx) => logged('ice-restart', ctx, (c) => executors.iceRestart!(peer, c), peer) } : {}),
      ...(executors.probe ? { probe: () => this.probe(() => executors.probe!()) } : {}),
      ...(executors.networkHeard$ ? { networkHeard$: () => this.heard(() => executors.networkHeard$!()) } : {}),
    };
  }

  /** R17: a watch of the paths, with its start and its first sign (the only one the engine reads) logged. */
  private heard(run: () => Observable<unknown>): Observable<unknown> {
    return defer(() => {
      this.add({ kind: 'heard', started: true });
      return run().pipe(take(1), tap(() => this.add({ kind: 'heard', heard: true })));
    });
  }

  /** R17: a probe with its start and its answer (or none) logged. */
  private probe(run: () => Observable<unknown>): Observable<unknown> {
    return defer(() => {
      this.add({ kind: 'probe', started: true });
      let answered = false;
      return run().pipe(tap({
        next: () => { if (!answered) { answered = true; this.add({ kind: 'probe', answered: true }); } },
        error: () => this.add({ kind: 'probe', answered: false }),
        complete: () => { if (!answered) this.add({ kind: 'probe', answered: false }); },
      }));
    });
  }

  /** The engine's output, each state and record logged as it goes out. */
  events(events$: Observable<ReconnectionEvent>): Observable<ReconnectionEvent> {
    return events$.pipe(tap((event) => this.add(event.type === 'state'
      ? { kind: 'state', state: loggedState(event.state) }
      : { kind: 'record', record: loggedRecord(event.record) })));
  }

  /** An SFU event, by kind only (an `error` keeps its code and strategy): never SDP, candidates or tokens. */
  frameIn(event: { readonly eventPayload?: string; readonly error?: { readonly error?: { readonly code?: number | null } | null; readonly reconnectStrategy?: number | null } | null }): void {
    // Health-check answers are the heartbeat, not news: left out, or the log would grow every few seconds.
    if (event.eventPayload === 'healthCheckResponse') return;
    const detail = event.eventPayload === 'error' ? `code ${event.error?.error?.code ?? '?'} strategy ${event.error?.reconnectStrategy ?? '?'}` : undefined;
    this.add({ kind: 'frame-in', event: event.eventPayload ?? 'unknown', ...(detail ? { detail } : {}) });
  }

  /** `leave$` with the leave logged. */
  leave<T>(leave$: Observable<T>): Observable<T> {
    return leave$.pipe(map((value) => {
      this.add({ kind: 'leave' });
      return value;
    }));
  }
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export function loggedError(error: unknown): LoggedError {
  if (!isRxsfuError(error)) return { code: 'RXSFU_ERR_UNKNOWN', message: errorMessage(error) };
  const e: RxsfuError = error;
  const sfuId = sfuIdOf(e);
  return {
    code: e.code, message: e.message,
    ...(sfuId !== undefined ? { sfuId } : {}),
    ...(e.sfuErrorCode !== undefined ? { sfuErrorCode: e.sfuErrorCode } : {}),
    ...(e.reconnectStrategy !== undefined ? { reconnectStrategy: e.reconnectStrategy } : {}),
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
  };
}

function loggedRequest(request: ReconnectRequest): Omit<ReconnectRequest, 'cause'> & { cause?: LoggedError } {
  const { cause, ...rest } = request;
  return { ...rest, ...(isRxsfuError(cause) ? { cause: loggedError(cause) } : {}) };
}

export function loggedState(state: ReconnectState): LoggedState {
  switch (state.kind) {
    case 'reconnecting': return { kind: state.kind, strategy: state.strategy, attempt: state.attempt };
    case 'migrating': return { kind: state.kind, attempt: state.attempt };
    case 'reconnecting-failed':
    case 'left': return { kind: state.kind, error: state.error.code };
    default: return { kind: state.kind };
  }
}

export function loggedRecord(record: ReconnectionRecord): LoggedRecord {
  return {
    source: record.trigger.source, strategiesTried: [...record.strategiesTried], attempts: record.attempts,
    durationMs: record.durationMs, outcome: record.outcome, ...(record.failure ? { reason: record.failure.reason } : {}),
  };
}

/** `reconnectEpisodes` with every input and output logged into `recorder` (R2–R16 unchanged). */
export function recordedReconnectEpisodes(
  requests$: Observable<ReconnectRequest>,
  executors: ReconnectExecutors,
  options: ReconnectOptions,
  scheduler: SchedulerLike,
  recorder: FrameLogRecorder,
): Observable<ReconnectionEvent> {
  return defer(() => {
    const resolved = resolveReconnectOptions(options);
    recorder.begin(resolved, executors);
    return recorder.events(reconnectEpisodes(recorder.requests(requests$), recorder.executors(executors), {
      ...options, random: recorder.random(resolved.random), leave$: recorder.leave(resolved.leave$),
    }, scheduler));
  });
}
