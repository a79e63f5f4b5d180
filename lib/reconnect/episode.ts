/**
 * One reconnection episode (R3–R11, R14, R15): a loop of attempts on the scheduler, from the request
 * that started it to its one `ReconnectionRecord`. The engine (`engine.ts`) runs one at a time.
 *
 * The attempt loop is `retry` with a delay function:
 *
 * ```
 * defer(attempt$)                       plan if needed (R4, R8, state) → attemptOnce$ (R7 timeout),
 *                                       abandoned when the floor rises (R3); a failure blames the SFU
 *                                       (R5) and plans + announces the next attempt before it errors
 *   .pipe(retry({ delay }),             R3 abandoned: at once; R9 final / R8 refused: stop; else R6 backoff
 *         catchError(EpisodeGiveUp),    → failed record + reconnecting-failed
 *         episodeDeadline(R10))         (leave R12 and DISCONNECT R13 are the engine's)
 * ```
 */
import {
  BehaviorSubject, catchError, concat, defer, EMPTY, filter, finalize, ignoreElements, merge, mergeMap, type Observable, of, race, retry,
  type SchedulerLike, Subject, take, takeUntil, tap, throwError,
} from 'rxjs';
import { isRxsfuError, type RxsfuError, rxsfuError } from '../errors.js';
import { attemptOnce$ } from './attempt.js';
import { fullJitterBackoff } from '../backoff.js';
import { episodeDeadline } from './deadline.js';
import { finalReason, type ReconnectFailureReason, ReconnectFailedError, sfuIdOf } from './failed-error.js';
import { AttemptAbandoned, attemptRetryDelay, EpisodeGiveUp } from './retry-delay.js';
import { escalate, nextStrategy, strategyRank } from './next-strategy.js';
import { WebsocketReconnectStrategy } from '../protocol/index.js';
import { fastDeadlineMs, type ResolvedReconnectOptions } from './options.js';
import { admitRejoin, type RateLimitHistory } from './rate-limit.js';
import { blameSfu, excludeSfu, NO_EXCLUSION, type SfuExclusion } from './sfu-exclusion.js';
import type {
  AttemptContext, AttemptStrategy, JoinedInfo, ReconnectExecutors, ReconnectionEvent, ReconnectionRecord,
  ReconnectOutcome, ReconnectRequest, ReconnectState,
} from './types.js';

/** What outlives an episode (R8, R15). Owned by one engine subscription. */
export interface EngineMemory {
  lastJoin: JoinedInfo | undefined;
  reconnectAttempt: number;
  rateHistory: RateLimitHistory;
  /** Start times of recent FAST attempts (R8's FAST window). */
  fastHistory: RateLimitHistory;
  /** The running episode, so that R12/R13 can close its record. */
  current: EpisodeProgress | undefined;
}

/** The running tally behind an episode's record (R11). */
export interface EpisodeProgress {
  readonly trigger: ReconnectRequest;
  readonly startedAt: number;
  readonly strategiesTried: AttemptStrategy[];
  lastError: RxsfuError | undefined;
  done: boolean;
  /** Whether a `reconnecting`/`migrating` state was emitted (then success emits `joined`). */
  leftJoined: boolean;
}

export interface EpisodeEnv {
  readonly executors: ReconnectExecutors;
  readonly options: ResolvedReconnectOptions;
  readonly scheduler: SchedulerLike;
  readonly memory: EngineMemory;
  /** Requests arriving while this episode runs (R2, R3). */
  readonly requests$: Observable<ReconnectRequest>;
}

/** The record of `progress` ending now with `outcome` (R11). */
export function episodeRecord(progress: EpisodeProgress, outcome: ReconnectOutcome, now: number, failure?: ReconnectFailedError): ReconnectionRecord {
  return {
    trigger: progress.trigger,
    strategiesTried: [...progress.strategiesTried],
    attempts: progress.strategiesTried.length,
    durationMs: now - progress.startedAt,
    outcome,
    ...(failure ? { failure } : {}),
  };
}

/** Run one episode started by `trigger` (a request whose strategy is not `disconnect`). */
export function runEpisode(trigger: ReconnectRequest & { strategy: AttemptStrategy }, env: EpisodeEnv): Observable<ReconnectionEvent> {
  return defer(() => {
    const episode = new Episode(trigger, env);
    const stop$ = new Subject<void>();
    const escalations$ = env.requests$.pipe(tap((request) => episode.escalateBy(request)), ignoreElements(), takeUntil(stop$));
    const attempts$ = episode.attempts$().pipe(
      episodeDeadline(env.options.disconnectionTimeoutMs, env.scheduler, () => episode.fail('deadline')),
      finalize(() => stop$.next()),
    );
    return merge(escalations$, attempts$);
  });
}

class Episode {
  private readonly floor$: BehaviorSubject<AttemptStrategy>;
  private readonly progress: EpisodeProgress;
  private exclusion: SfuExclusion = NO_EXCLUSION;
  /** The strategy of the next (or running) attempt, chosen by `plan`; undefined before the first. */
  private planned: AttemptStrategy | undefined;
  /** The running attempt, once its executor made its connection current (R16); else undefined. */
  private adoptedBy: object | undefined;
  /** The running attempt's executor, to tell a live `ctx.adopted` from a late one (R16). */
  private running: object | undefined;
  /** R16: requests that are losses of the connection the running attempt adopted. */
  private readonly lostAfterAdoption$ = new Subject<ReconnectRequest>();

  constructor(private readonly trigger: ReconnectRequest & { strategy: AttemptStrategy }, private readonly env: EpisodeEnv) {
    this.floor$ = new BehaviorSubject<AttemptStrategy>(trigger.strategy);
    this.progress = { trigger, startedAt: env.scheduler.now(), strategiesTried: [], lastError: undefined, done: false, leftJoined: false };
    env.memory.current = this.progress;
    this.noteGoAway(trigger);
  }

  /** R5: the SFU that sent `go_away` (as trigger or mid-episode) is avoided by every later attempt. */
  private noteGoAway(request: ReconnectRequest): void {
    if (request.source === 'go-away') this.exclusion = excludeSfu(this.exclusion, this.env.memory.lastJoin?.sfuId);
  }

  /** R3: a request during the episode raises the floor; `go_away` also lists the current SFU (R5). */
  escalateBy(request: ReconnectRequest): void {
    if (request.strategy === 'disconnect' || this.progress.done) return;
    this.noteGoAway(request);
    const raised = escalate(this.floor$.value, request.strategy);
    if (raised !== this.floor$.value) this.floor$.next(raised);
    // R16: after its connection was adopted, the running attempt is failed by a loss of it.
    else if (this.adoptedBy !== undefined && request.strategy !== 'ice-restart') this.lostAfterAdoption$.next(request);
  }

  /**
   * The attempt loop: each subscription of `attempt$` is one attempt; `retry`'s delay function says
   * what follows a failure: R3 at once, R6 after the full-jitter backoff, R8/R9 never (`EpisodeGiveUp`).
   */
  attempts$(): Observable<ReconnectionEvent> {
    const delay = attemptRetryDelay({
      // R6: the wait before attempt n = tried + 1 is the backoff of retry n − 2.
      backoffMs: () => fullJitterBackoff(this.progress.strategiesTried.length - 1, this.env.options.backoff, this.env.options.random),
      cutShort$: () => this.floorAbove$(this.planned!),
      scheduler: this.env.scheduler,
    });
    return defer(() => this.attempt$()).pipe(
      retry({ delay }),
      catchError((error: unknown) => (error instanceof EpisodeGiveUp ? this.fail(error.reason) : throwError(() => error))),
    );
  }

  /**
   * One attempt: plan it here when no failure did (the first attempt, or R3 raised the floor above
   * the plan), then run the executor (R7), abandoned if the floor rises above it (R3).
   */
  private attempt$(): Observable<ReconnectionEvent> {
    const announce$ = this.planned === undefined || this.floorAbove(this.planned) ? this.plan(undefined) : EMPTY;
    const strategy = this.planned!;
    const abandoned$ = this.floorAbove$(strategy).pipe(mergeMap(() => throwError(() => new AttemptAbandoned())));
    const lost$ = this.lostAfterAdoption$.pipe(mergeMap((request) => throwError(() => lostAfterAdoption(request))));
    const executor$ = attemptOnce$(() => this.startExecutor(strategy), this.timeoutFor(strategy), this.env.scheduler).pipe(
      finalize(() => { this.running = this.adoptedBy = undefined; }),
    );
    // The race ends with the executor, before `afterFailure` may raise the floor itself (R4).
    const work$ = race(abandoned$, lost$, executor$).pipe(
      mergeMap((value) => this.succeed(strategy, value)),
      catchError((error: unknown) => (error instanceof AttemptAbandoned ? throwError(() => error) : this.afterFailure(strategy, error as RxsfuError))),
    );
    return concat(announce$, work$);
  }

  /** R3: the floor is (now or later) ranked above `strategy`. */
  private floorAbove(strategy: AttemptStrategy): boolean {
    return strategyRank(this.floor$.value) > strategyRank(strategy);
  }

  private floorAbove$(strategy: AttemptStrategy): Observable<AttemptStrategy> {
    return this.floor$.pipe(filter(() => this.floorAbove(strategy)), take(1));
  }

  /**
   * Choose the next attempt (R4, R14), admit it (R8: else `EpisodeGiveUp`, thrown) and announce its
   * state; the announcement comes when the backoff wait begins (R6). `failed`: the strategy that just
   * failed, undefined for the first attempt or after R3.
   */
  private plan(failed: AttemptStrategy | undefined): Observable<ReconnectionEvent> {
    const strategy = this.chooseStrategy(failed);
    if (!this.admit(strategy)) throw new EpisodeGiveUp('rate-limit');
    this.planned = strategy;
    return this.announce(strategy, this.progress.strategiesTried.length + 1);
  }

  /**
   * A failed attempt: note the error (R11), blame its SFU (R5); unless the error is final (R9),
   * plan and announce the next attempt. Then rethrow, so `retry`'s delay decides what follows.
   */
  private afterFailure(strategy: AttemptStrategy, error: RxsfuError): Observable<ReconnectionEvent> {
    return defer(() => {
      this.progress.lastError = error;
      const sfuId = sfuIdOf(error) ?? this.env.memory.lastJoin?.sfuId;
      this.exclusion = blameSfu(this.exclusion, sfuId, error);
      // R4: an attempt refused with a request for REJOIN (the SFU's reconnect_strategy, or a stale
      // SFU token during FAST) is followed by REJOIN, not by the same strategy again.
      if (!finalReason(error) && error.reconnectStrategy === WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN) {
        this.floor$.next(escalate(this.floor$.value, 'rejoin'));
      }
      const next$ = finalReason(error) ? EMPTY : this.plan(strategy);
      return concat(next$, throwError(() => error));
    });
  }

  /** R4 (+ R14: without an `iceRestart` executor, an ICE restart is a REJOIN). */
  private chooseStrategy(failed: AttemptStrategy | undefined): AttemptStrategy {
    const { options, scheduler, memory, executors } = this.env;
    const chosen = nextStrategy({
      floor: this.floor$.value,
      failed,
      fastAttemptsMade: this.progress.strategiesTried.filter((s) => s === 'fast').length,
      elapsedMs: scheduler.now() - this.progress.startedAt,
      fastDeadlineMs: fastDeadlineMs(options, memory.lastJoin),
      fastAttempts: options.fastAttempts,
    });
    const possible = chosen === 'ice-restart' && !executors.iceRestart ? 'rejoin' : chosen;
    // R8: a FAST beyond its window escalates to REJOIN (which R8 limits in turn): FASTs that each
    // succeed and are lost at once can never loop.
    const strategy = possible === 'fast' && !this.admitFast() ? 'rejoin' : possible;
    if (strategy !== this.floor$.value) this.floor$.next(escalate(this.floor$.value, strategy));
    return strategy;
  }

  /** R8: REJOIN and MIGRATE attempts go through the engine-wide sliding window. */
  private admit(strategy: AttemptStrategy): boolean {
    if (strategy !== 'rejoin' && strategy !== 'migrate') return true;
    const decision = admitRejoin(this.env.memory.rateHistory, this.env.scheduler.now(), this.env.options.rateLimit);
    this.env.memory.rateHistory = decision.history;
    return decision.admitted;
  }

  /** R8: FAST attempts go through their own engine-wide sliding window. */
  private admitFast(): boolean {
    const decision = admitRejoin(this.env.memory.fastHistory, this.env.scheduler.now(), this.env.options.fastRateLimit);
    this.env.memory.fastHistory = decision.history;
    return decision.admitted;
  }

  /** R7: MIGRATE also waits for `participant_migration_complete`. */
  private timeoutFor(strategy: AttemptStrategy): number {
    const { attemptTimeoutMs, migrationTimeoutMs } = this.env.options;
    return strategy === 'migrate' ? attemptTimeoutMs + migrationTimeoutMs : attemptTimeoutMs;
  }

  /** The state for an attempt about to wait/run; ICE restarts stay `joined` (R14). */
  private announce(strategy: AttemptStrategy, attempt: number): Observable<ReconnectionEvent> {
    if (strategy === 'ice-restart') return EMPTY;
    this.progress.leftJoined = true;
    const state: ReconnectState = strategy === 'migrate' ? { kind: 'migrating', attempt } : { kind: 'reconnecting', strategy, attempt };
    return of({ type: 'state', state });
  }

  /** Subscribe the executor with its context (R15); counted as an attempt (R11). */
  private startExecutor(strategy: AttemptStrategy): Observable<unknown> {
    const { executors, memory } = this.env;
    this.progress.strategiesTried.push(strategy);
    memory.reconnectAttempt += 1;
    const attempt = {};
    this.running = attempt;
    const ctx: AttemptContext = {
      adopted: (info) => {
        if (this.running !== attempt) return;
        this.adoptedBy = attempt;
        memory.lastJoin = info;
      },
      strategy,
      attempt: this.progress.strategiesTried.length,
      reconnectAttempt: memory.reconnectAttempt,
      trigger: this.trigger,
      reason: this.trigger.detail,
      migratingFromList: this.exclusion.migratingFromList,
      ...(memory.lastJoin ? { fromSfuId: memory.lastJoin.sfuId } : {}),
      ...(this.progress.lastError ? { previousError: this.progress.lastError } : {}),
      ...(this.trigger.peer ? { peer: this.trigger.peer } : {}),
    };
    if (strategy === 'ice-restart') return executors.iceRestart!(this.trigger.peer ?? 'publisher', ctx);
    return executors[strategy](ctx);
  }

  /** R11: the attempt joined; the episode ends. */
  private succeed(strategy: AttemptStrategy, value: unknown): Observable<ReconnectionEvent> {
    if (strategy !== 'ice-restart') this.env.memory.lastJoin = value as JoinedInfo;
    const events: ReconnectionEvent[] = [{ type: 'record', record: this.finish('joined') }];
    if (this.progress.leftJoined) events.push({ type: 'state', state: { kind: 'joined' } });
    return of(...events);
  }

  /** R8/R9/R10: the episode gives up with a stated reason, then `reconnecting-failed` (terminal). */
  fail(reason: ReconnectFailureReason): Observable<ReconnectionEvent> {
    return defer(() => {
      const error = new ReconnectFailedError(reason, this.trigger, this.progress.lastError);
      const record: ReconnectionEvent = { type: 'record', record: this.finish('failed', error) };
      const state: ReconnectionEvent = { type: 'state', state: { kind: 'reconnecting-failed', error } };
      return of(record, state);
    });
  }

  private finish(outcome: ReconnectOutcome, failure?: ReconnectFailedError): ReconnectionRecord {
    this.progress.done = true;
    if (this.env.memory.current === this.progress) this.env.memory.current = undefined;
    return episodeRecord(this.progress, outcome, this.env.scheduler.now(), failure);
  }
}

/**
 * R16: the error that fails an attempt whose adopted connection was lost before the attempt ended:
 * the request's own error when it carries one (an SFU error), else a socket loss naming it.
 */
function lostAfterAdoption(request: ReconnectRequest): RxsfuError {
  if (isRxsfuError(request.cause)) return request.cause;
  return rxsfuError('RXSFU_ERR_SOCKET_CLOSED', `the new connection was lost before the attempt finished: ${request.detail}`, { cause: request.cause });
}

/** The `left` error of R13: the SFU's own error when the trigger carries one. */
export function disconnectError(request: ReconnectRequest): RxsfuError {
  const cause = request.cause;
  if (isRxsfuError(cause, 'RXSFU_ERR_CALL_ENDED')) return cause;
  return rxsfuError('RXSFU_ERR_CALL_ENDED', `disconnected: ${request.detail}`, { cause });
}
