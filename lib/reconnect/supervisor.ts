/**
 * R18 the supervisor: after an episode gave up for a reason that may pass (R10 deadline, R8 rate
 * limit, R17 outage budget), rejoin as a fresh participant instead of ending the call, under a
 * budget of restarts per sliding window with full-jitter backoff; then run the engine again. Pure:
 * the engine run and the fresh join are injected, the scheduler is the only clock.
 *
 * ```
 * run(initial):  --r--(R x)                 x: reconnecting-failed (deadline)
 * supervised:    --r--R s--(Q j)--r-- …      s: restarting 1, Q: the restart's record, j: joined,
 *                                            then run(the new JoinedInfo) again
 * budget spent:  --r--R (Q x)                x: reconnecting-failed, reason supervisor-budget, cause the failure
 * ```
 */
import {
  catchError, concat, defer, mergeMap, type Observable, of, retry, type SchedulerLike, tap, throwError, timer,
} from 'rxjs';
import { isRxsfuError, type RxsfuError } from '../errors.js';
import { fullJitterBackoff, type BackoffOptions } from '../backoff.js';
import { attemptOnce$ } from './attempt.js';
import { callEndedError, finalReason, ReconnectFailedError, type ReconnectFailureReason } from './failed-error.js';
import { admitRejoin, type RateLimitHistory } from './rate-limit.js';
import { EpisodeGiveUp } from './retry-delay.js';
import type { AttemptContext, AttemptStrategy, JoinedInfo, ReconnectionEvent, ReconnectRequest } from './types.js';
import { durationOption, integerOption, invalidArgument, recordOption } from '../validate.js';

/** R18 configuration; `false` turns the supervisor off (a gave-up episode ends the call, as before). */
export interface SupervisorOptions {
  /** Fresh joins allowed per `windowMs` (each attempt counts). @default 3 */
  readonly maxRestarts?: number;
  /** @default 3600000 (an hour) */
  readonly windowMs?: number;
  /** Full-jitter wait before each fresh join. @default { baseMs: 1000, maxDelayMs: 30000 } */
  readonly backoff?: BackoffOptions;
}

export interface ResolvedSupervisorOptions {
  readonly enabled: boolean;
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly backoff: Required<BackoffOptions>;
}

/** Checks and defaults `supervisor` (`false`: off). Throws `RXSFU_ERR_INVALID_ARGUMENT`. */
export function resolveSupervisorOptions(input: unknown): ResolvedSupervisorOptions {
  if (input === false) return { enabled: false, maxRestarts: 0, windowMs: 1, backoff: { baseMs: 0, maxDelayMs: 0 } };
  if (input === true) return resolveSupervisorOptions({});
  const options = recordOption('supervisor', input, true) as SupervisorOptions;
  const backoff = recordOption('supervisor.backoff', options.backoff, true);
  const maxRestarts = integerOption('supervisor.maxRestarts', options.maxRestarts, 3, 0, 1000);
  const windowMs = durationOption('supervisor.windowMs', options.windowMs, 3_600_000, 1);
  // Same floor as R8: never a restart loop, whatever the settings.
  if (windowMs < maxRestarts * 100) throw invalidArgument(`supervisor.windowMs (${windowMs}) must be at least maxRestarts × 100`);
  return {
    enabled: true, maxRestarts, windowMs,
    backoff: {
      baseMs: durationOption('supervisor.backoff.baseMs', backoff.baseMs, 1000, 1),
      maxDelayMs: durationOption('supervisor.backoff.maxDelayMs', backoff.maxDelayMs, 30_000, 1),
    },
  };
}

/** R18: the reasons a fresh participant may cure; never unauthorized or disconnected (R9, R13). */
const SUPERVISED_REASONS: readonly ReconnectFailureReason[] = ['deadline', 'rate-limit', 'offline'];

/** R18: whether a fresh participant may cure `error`: a give-up for a reason that may pass. */
export function curableByRestart(error: unknown): boolean {
  return error instanceof ReconnectFailedError && SUPERVISED_REASONS.includes(error.reason);
}

export interface SuperviseParams {
  /** One run of the engine from `initial` (the call's `reconnectEpisodes`). */
  readonly run: (initial: JoinedInfo) => Observable<ReconnectionEvent>;
  /** One fresh join (the call's REJOIN executor): new session, same user, tracks and subscriptions restored. */
  readonly freshJoin: (ctx: AttemptContext) => Observable<JoinedInfo>;
  readonly options: ResolvedSupervisorOptions;
  /** R7 bound of one fresh join. */
  readonly attemptTimeoutMs: number;
  readonly random: () => number;
  readonly scheduler: SchedulerLike;
}

/** R18: `run(initial)`, restarted with a fresh join after each curable give-up, within the budget. */
export function superviseEpisodes(initial: JoinedInfo, params: SuperviseParams): Observable<ReconnectionEvent> {
  if (!params.options.enabled) return params.run(initial);
  return defer(() => {
    const memory = { history: [] as RateLimitHistory, reconnectAttempt: 0 };
    const once = (from: JoinedInfo): Observable<ReconnectionEvent> => params.run(from).pipe(
      mergeMap((event) => {
        if (event.type !== 'state' || event.state.kind !== 'reconnecting-failed') return of(event);
        if (!curableByRestart(event.state.error)) return of(event);
        return restart$(event.state.error, from, memory, params, once);
      }),
    );
    return once(initial);
  });
}

/** Fresh joins until one works (then the engine runs again) or the budget says no (then the call ends). */
function restart$(
  failure: ReconnectFailedError,
  from: JoinedInfo,
  memory: { history: RateLimitHistory; reconnectAttempt: number },
  params: SuperviseParams,
  again: (info: JoinedInfo) => Observable<ReconnectionEvent>,
): Observable<ReconnectionEvent> {
  return defer(() => {
    const { scheduler, options } = params;
    const trigger: ReconnectRequest = { strategy: 'rejoin', source: 'supervisor', detail: `supervisor: ${failure.reason}`, cause: failure };
    const startedAt = scheduler.now();
    const tried: AttemptStrategy[] = [];
    let lastError: RxsfuError | undefined = failure;
    const record = (outcome: 'joined' | 'failed', error?: ReconnectFailedError): ReconnectionEvent => ({
      type: 'record',
      record: { trigger, strategiesTried: [...tried], attempts: tried.length, durationMs: scheduler.now() - startedAt, outcome, ...(error ? { failure: error } : {}) },
    });
    const attempt$ = defer(() => {
      const decision = admitRejoin(memory.history, scheduler.now(), { max: options.maxRestarts, windowMs: options.windowMs });
      memory.history = decision.history;
      if (!decision.admitted) return throwError(() => new EpisodeGiveUp('supervisor-budget'));
      const attempt = tried.length + 1;
      const wait = fullJitterBackoff(attempt - 1, options.backoff, params.random);
      return concat(
        of<ReconnectionEvent | JoinedInfo>({ type: 'state', state: { kind: 'restarting', attempt } }),
        timer(wait, scheduler).pipe(mergeMap(() => {
          tried.push('rejoin');
          memory.reconnectAttempt += 1;
          const ctx: AttemptContext = {
            strategy: 'rejoin', attempt, reconnectAttempt: memory.reconnectAttempt, trigger, reason: trigger.detail,
            fromSfuId: from.sfuId, migratingFromList: [], ...(lastError ? { previousError: lastError } : {}), adopted: () => undefined,
          };
          return attemptOnce$(() => params.freshJoin(ctx), params.attemptTimeoutMs, scheduler).pipe(
            tap({ error: (error: unknown) => { if (isRxsfuError(error)) lastError = error; } }),
          );
        })),
      );
    });
    return attempt$.pipe(
      // A final error (R9) or the spent budget ends the call; anything else: the next fresh join.
      retry({ delay: (error: unknown) => (error instanceof EpisodeGiveUp || !isRxsfuError(error) || finalReason(error) ? throwError(() => error) : of(0)) }),
      catchError((error: unknown) => {
        const reason: ReconnectFailureReason = error instanceof EpisodeGiveUp ? error.reason : isRxsfuError(error) ? finalReason(error) ?? 'supervisor-budget' : 'supervisor-budget';
        const gaveUp = new ReconnectFailedError(reason, trigger, lastError);
        // R13: a fresh join told the call is over ends `left` with RXSFU_ERR_CALL_ENDED, as an attempt does.
        const end: ReconnectionEvent = reason === 'disconnected'
          ? { type: 'state', state: { kind: 'left', error: callEndedError(lastError, lastError?.message ?? trigger.detail) } }
          : { type: 'state', state: { kind: 'reconnecting-failed', error: gaveUp } };
        return of(record('failed', gaveUp), end);
      }),
      mergeMap((value) => ('type' in value ? of(value) : concat(of(record('joined'), { type: 'state', state: { kind: 'joined' } } as ReconnectionEvent), again(value)))),
    );
  });
}
