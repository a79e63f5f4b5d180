/**
 * One reconnection episode (R3–R11, R14, R15): a chain of attempts on the scheduler, from the request
 * that started it to its one `ReconnectionRecord`. The engine (`engine.ts`) runs one at a time.
 *
 * The step chain: `phase` (choose the strategy, check the rate limit, announce the state) →
 * `runAttempt$` (backoff, executor, timeout, abandonment) → `settle` (joined / failed / abandoned) →
 * `phase` again or `finish`.
 */
import { BehaviorSubject, concat, defer, EMPTY, filter, finalize, ignoreElements, merge, mergeMap, type Observable, of, type SchedulerLike, Subject, takeUntil, tap } from 'rxjs';
import { isRxsfuError, type RxsfuError, rxsfuError } from '../errors.js';
import { runAttempt$, type AttemptOutcome } from './attempt.js';
import { fullJitterBackoff } from './backoff.js';
import { episodeDeadline } from './deadline.js';
import { finalReason, type ReconnectFailureReason, ReconnectFailedError, sfuIdOf } from './failed-error.js';
import { escalate, nextStrategy, strategyRank } from './next-strategy.js';
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
    const attempts$ = episode.phase(undefined, false).pipe(
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
  }

  /** Choose and run the next attempt (R4, R6, R8, R14). `failed`: the strategy that just failed. */
  phase(failed: AttemptStrategy | undefined, skipWait: boolean): Observable<ReconnectionEvent> {
    return defer(() => {
      const strategy = this.chooseStrategy(failed);
      if (!this.admit(strategy)) return this.fail('rate-limit');
      const attempt = this.progress.strategiesTried.length + 1;
      const retry = skipWait ? -1 : attempt - 2;
      const outcome$ = runAttempt$<unknown>({
        delayMs: fullJitterBackoff(retry, this.env.options.backoff, this.env.options.random),
        timeoutMs: this.timeoutFor(strategy),
        start: () => this.startExecutor(strategy),
        abandon$: this.floor$.pipe(filter((floor) => strategyRank(floor) > strategyRank(strategy))),
        scheduler: this.env.scheduler,
      });
      return concat(this.announce(strategy, attempt), outcome$.pipe(mergeMap((outcome) => this.settle(strategy, outcome))));
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
    const strategy = chosen === 'ice-restart' && !executors.iceRestart ? 'rejoin' : chosen;
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
    const ctx: AttemptContext = {
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

  /** What follows an attempt: success ends the episode, failure R9 or the next phase, abandonment R3. */
  private settle(strategy: AttemptStrategy, outcome: AttemptOutcome<unknown>): Observable<ReconnectionEvent> {
    if (outcome.kind === 'abandoned') return this.phase(undefined, true);
    if (outcome.kind === 'joined') return this.succeed(strategy, outcome.value);
    this.progress.lastError = outcome.error;
    const sfuId = sfuIdOf(outcome.error) ?? this.env.memory.lastJoin?.sfuId;
    this.exclusion = blameSfu(this.exclusion, sfuId, outcome.error);
    const final = finalReason(outcome.error);
    return final ? this.fail(final) : this.phase(strategy, false);
  }

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

/** The `left` error of R13: the SFU's own error when the trigger carries one. */
export function disconnectError(request: ReconnectRequest): RxsfuError {
  const cause = request.cause;
  if (isRxsfuError(cause, 'RXSFU_ERR_CALL_ENDED')) return cause;
  return rxsfuError('RXSFU_ERR_CALL_ENDED', `disconnected: ${request.detail}`, { cause });
}
