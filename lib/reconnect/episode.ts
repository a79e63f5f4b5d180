/**
 * One reconnection episode (R3–R11, R14, R15): a loop of attempts on the scheduler, from the request
 * that started it to its one `ReconnectionRecord`. The engine (`engine.ts`) runs one at a time.
 * Every change of state is a pure transition of `episode-state.ts`, applied to the engine's store.
 *
 * The attempt loop is `retry` with a delay function:
 *
 * ```
 * defer(attempt$)                       plan if needed (R4, R8, state) → attemptOnce$ (R7 timeout),
 *                                       abandoned when the floor rises (R3); a failure blames the SFU
 *                                       (R5) and plans + announces the next attempt before it errors
 *   .pipe(retry({ delay }),             R3 abandoned: at once; R9 final / R8 refused: stop; else R6 backoff
 *         catchError(EpisodeGiveUp),    → failed record + reconnecting-failed (R9 disconnected: + left, R13)
 *         episodeDeadline(R10))         (leave R12 and DISCONNECT R13 are the engine's)
 *
 * R17: after a failed attempt the network is probed before the next is planned (unless the failure
 * itself was an answer); when the probe gets none and no path is heard, the episode is `offline`
 * (deadline paused, no attempt) until a probe answers or a path is heard, then plans FAST or REJOIN
 * and retries at once.
 * ```
 */
import {
  BehaviorSubject, catchError, concat, connect, defer, distinctUntilChanged, EMPTY, endWith, filter, finalize, ignoreElements, map, merge, mergeMap, NEVER,
  type Observable, of, race, retry, type SchedulerLike, take, takeUntil, throwError, timeout,
} from 'rxjs';
import { isRxsfuError, type RxsfuError, rxsfuError } from '../errors.js';
import { attemptOnce$ } from './attempt.js';
import { fullJitterBackoff } from '../backoff.js';
import { episodeDeadline } from './deadline.js';
import { callEndedError, finalReason, type ReconnectFailureReason, ReconnectFailedError } from './failed-error.js';
import { AttemptAbandoned, attemptRetryDelay, EpisodeGiveUp } from './retry-delay.js';
import type { ResolvedReconnectOptions } from './options.js';
import {
  attemptAdopted, attemptEnded, type AttemptRequest, attemptFailed, attemptJoined, backOnline, backoffTaken, beginAttempt, endEpisode, type EngineState,
  episodeRecord, floorAbove, goOffline, needsPlan, planAttempt, requestDuringEpisode, startEpisode, strategyAfterOutage,
} from './episode-state.js';
import { answeredByNetwork, probeOnce$, probeUntilOnline$ } from './offline.js';
import type { AttemptContext, AttemptStrategy, OutageAnsweredBy, ReconnectExecutors, ReconnectionEvent, ReconnectRequest } from './types.js';

/**
 * The engine's one state, owned by one engine subscription. Written only with the transitions of
 * `episode-state.ts`; `state$` lets R3 watch the floor.
 */
export interface EngineStore {
  get(): EngineState;
  set(next: EngineState): void;
  readonly state$: Observable<EngineState>;
}

export function engineStore(initial: EngineState): EngineStore {
  const subject = new BehaviorSubject(initial);
  return { get: () => subject.getValue(), set: (next) => subject.next(next), state$: subject.asObservable() };
}

export interface EpisodeEnv {
  readonly executors: ReconnectExecutors;
  readonly options: ResolvedReconnectOptions;
  readonly scheduler: SchedulerLike;
  readonly store: EngineStore;
  /** Requests arriving while this episode runs (R2, R3). */
  readonly requests$: Observable<ReconnectRequest>;
}

/** Run one episode started by `trigger` (a request whose strategy is not `disconnect`). */
export function runEpisode(trigger: AttemptRequest, env: EpisodeEnv): Observable<ReconnectionEvent> {
  return defer(() => {
    const { store, scheduler, options } = env;
    store.set(startEpisode(store.get(), trigger, scheduler.now()));
    // R3: later requests raise the floor, for as long as the attempts run.
    const escalations$ = env.requests$.pipe(map((request) => store.set(requestDuringEpisode(store.get(), request))), ignoreElements());
    // R17: the deadline does not run while offline.
    const offline$ = store.state$.pipe(map((state) => state.episode?.offlineSince !== undefined), distinctUntilChanged());
    return attempts$(env).pipe(
      episodeDeadline(options.disconnectionTimeoutMs, scheduler, () => giveUp$(env, 'deadline'), offline$),
      connect((attempts) => merge(attempts, escalations$.pipe(takeUntil(attempts.pipe(ignoreElements(), endWith(true)))))),
    );
  });
}

/**
 * The attempt loop: each subscription of `attempt$` is one attempt; `retry`'s delay function says
 * what follows a failure: R3 at once, R6 after the full-jitter backoff, R8/R9 never (`EpisodeGiveUp`).
 */
function attempts$(env: EpisodeEnv): Observable<ReconnectionEvent> {
  const { store, options, scheduler } = env;
  const delay = attemptRetryDelay({
    // R6: the wait before attempt n = tried + 1 is the backoff of retry n − 2.
    backoffMs: () => {
      // R17: right after an outage the network just answered: try at once.
      if (episodeOf(store).resumeAtOnce) {
        store.set(backoffTaken(store.get()));
        return 0;
      }
      return fullJitterBackoff(episodeOf(store).strategiesTried.length - 1, options.backoff, options.random);
    },
    cutShort$: () => floorAbove$(store, episodeOf(store).planned!),
    scheduler,
  });
  return defer(() => attempt$(env)).pipe(
    retry({ delay }),
    catchError((error: unknown) => (error instanceof EpisodeGiveUp ? giveUp$(env, error.reason) : throwError(() => error))),
  );
}

function episodeOf(store: EngineStore) {
  return store.get().episode!;
}

/** R3: emits once the floor is ranked above `strategy` (at once if it already is). */
function floorAbove$(store: EngineStore, strategy: AttemptStrategy): Observable<unknown> {
  return store.state$.pipe(filter((state) => state.episode !== undefined && floorAbove(state.episode, strategy)), take(1));
}

/**
 * One attempt: plan it here when no failure did (the first attempt, or R3 raised the floor above
 * the plan), then run the executor (R7), abandoned if the floor rises above it (R3).
 */
function attempt$(env: EpisodeEnv): Observable<ReconnectionEvent> {
  const plan$ = needsPlan(episodeOf(env.store)) ? planned$(env, undefined) : EMPTY;
  return concat(plan$, defer(() => run$(env, episodeOf(env.store).planned!)));
}

/**
 * R4/R8: plan the next attempt and announce its state (when its wait begins, R6); R8's refusal is
 * the loop's `EpisodeGiveUp`.
 */
function planned$(env: EpisodeEnv, failed: AttemptStrategy | undefined, given?: AttemptStrategy): Observable<ReconnectionEvent> {
  return defer(() => {
    const { store, scheduler, options, executors } = env;
    const plan = planAttempt(store.get(), failed, { now: scheduler.now(), options, canRestartIce: executors.iceRestart !== undefined }, given);
    store.set(plan.state);
    if (!plan.admitted) return throwError(() => new EpisodeGiveUp('rate-limit'));
    return plan.announce ? of<[ReconnectionEvent]>({ type: 'state', state: plan.announce }) : EMPTY;
  });
}

function run$(env: EpisodeEnv, strategy: AttemptStrategy): Observable<ReconnectionEvent> {
  const { store, options, scheduler } = env;
  const abandoned$ = floorAbove$(store, strategy).pipe(mergeMap(() => throwError(() => new AttemptAbandoned())));
  const lost$ = store.state$.pipe(
    map((state) => state.episode?.lostAfterAdoption),
    filter((request): request is ReconnectRequest => request !== undefined),
    take(1),
    mergeMap((request) => throwError(() => lostAfterAdoption(request))),
  );
  const executor$ = attemptOnce$(() => startExecutor(env, strategy), timeoutFor(options, strategy), scheduler).pipe(
    finalize(() => store.set(attemptEnded(store.get()))),
  );
  // The race ends with the executor, before a failure's plan may raise the floor itself (R4).
  return race(abandoned$, lost$, executor$).pipe(
    mergeMap((joined) => joined$(env, strategy, joined)),
    catchError((error: unknown) => (error instanceof AttemptAbandoned ? throwError(() => error) : afterFailure$(env, strategy, error as RxsfuError))),
  );
}

/** R7: MIGRATE also waits for `participant_migration_complete`. */
function timeoutFor(options: ResolvedReconnectOptions, strategy: AttemptStrategy): number {
  return strategy === 'migrate' ? options.attemptTimeoutMs + options.migrationTimeoutMs : options.attemptTimeoutMs;
}

/** Subscribe the executor with its context (R15); counted as an attempt (R11). */
function startExecutor(env: EpisodeEnv, strategy: AttemptStrategy): Observable<unknown> {
  const { store } = env;
  const begun = beginAttempt(store.get(), strategy);
  store.set(begun.state);
  const ctx: AttemptContext = { ...begun.ctx, adopted: (info) => store.set(attemptAdopted(store.get(), begun.ctx.attempt, info)) };
  if (strategy === 'ice-restart') return env.executors.iceRestart!(ctx.peer ?? 'publisher', ctx);
  return env.executors[strategy](ctx);
}

/**
 * A failed attempt: note the error (R11), blame its SFU (R5); unless the error is final (R9), plan
 * and announce the next attempt. Then rethrow, so `retry`'s delay decides what follows.
 */
function afterFailure$(env: EpisodeEnv, strategy: AttemptStrategy, error: RxsfuError): Observable<ReconnectionEvent> {
  return defer(() => {
    env.store.set(attemptFailed(env.store.get(), error));
    const next$ = finalReason(error) ? EMPTY : answeredByNetwork(error) ? planned$(env, strategy) : probeThenPlan$(env, strategy);
    return concat(next$, throwError(() => error));
  });
}

/**
 * R17: with a probe (and an outage budget), ask the network before planning the next attempt;
 * when nothing answers, go `offline` instead and plan once it answers.
 */
function probeThenPlan$(env: EpisodeEnv, failed: AttemptStrategy): Observable<ReconnectionEvent> {
  const { executors, options, scheduler } = env;
  const probe = executors.probe;
  if (!probe || options.outageBudgetMs === 0) return planned$(env, failed);
  const probe$ = () => probe.call(executors);
  const heard$ = defer(() => executors.networkHeard$?.() ?? NEVER);
  return probeOnce$(probe$, options.probeTimeoutMs, scheduler, heard$).pipe(
    mergeMap((online) => (online ? planned$(env, failed) : offline$(env, probe$, heard$))),
  );
}

/**
 * R17: `offline` until a probe answers (R10 paused, nothing attempted, no rate limit spent), at
 * most `outageBudgetMs` (then the episode fails with reason `offline`); then FAST if the SFU's
 * window is still open, else REJOIN, at once.
 */
function offline$(env: EpisodeEnv, probe: () => Observable<unknown>, heard$: Observable<unknown>): Observable<ReconnectionEvent> {
  return defer(() => {
    const { store, options, scheduler } = env;
    store.set(goOffline(store.get(), scheduler.now()));
    const probing = { backoff: options.probeBackoff, probeTimeoutMs: options.probeTimeoutMs, random: options.random };
    const online$ = probeUntilOnline$(probe, probing, scheduler, heard$).pipe(
      timeout({ first: options.outageBudgetMs, scheduler, with: () => throwError(() => new EpisodeGiveUp('offline')) }),
    );
    const back$ = (answeredBy: OutageAnsweredBy) => defer(() => {
      store.set(backOnline(store.get(), scheduler.now(), answeredBy));
      return planned$(env, undefined, strategyAfterOutage(store.get(), scheduler.now(), options));
    });
    return concat(of<ReconnectionEvent>({ type: 'state', state: { kind: 'offline' } }), online$.pipe(mergeMap(back$)));
  });
}

/** R11: the attempt joined; the episode ends with its record, then `joined` if it had left it. */
function joined$(env: EpisodeEnv, strategy: AttemptStrategy, joined: unknown): Observable<ReconnectionEvent> {
  return defer(() => {
    const { store, scheduler } = env;
    const episode = episodeOf(store);
    store.set(attemptJoined(store.get(), strategy, joined));
    const record: ReconnectionEvent = { type: 'record', record: episodeRecord(episode, 'joined', scheduler.now()) };
    const joinedAgain: ReconnectionEvent = { type: 'state', state: { kind: 'joined' } };
    return episode.leftJoined ? of(record, joinedAgain) : of(record);
  });
}

/**
 * R16: the error that fails an attempt whose adopted connection was lost before the attempt ended:
 * the request's own error when it carries one (an SFU error), else a socket loss naming it.
 */
function lostAfterAdoption(request: ReconnectRequest): RxsfuError {
  if (isRxsfuError(request.cause)) return request.cause;
  return rxsfuError('RXSFU_ERR_SOCKET_CLOSED', `the new connection was lost before the attempt finished: ${request.detail}`, { cause: request.cause });
}

/**
 * R8/R9/R10: the episode gives up with a stated reason, then `reconnecting-failed` (terminal). An
 * attempt told the call is over (`disconnected`: its own connection heard `call_ended` or an SFU
 * DISCONNECT before adoption) ends as R13 does: the same record, then `left` with
 * RXSFU_ERR_CALL_ENDED, whichever connection heard it.
 */
function giveUp$(env: EpisodeEnv, reason: ReconnectFailureReason): Observable<ReconnectionEvent> {
  return defer(() => {
    const { store, scheduler } = env;
    const episode = episodeOf(store);
    store.set(endEpisode(store.get()));
    const error = new ReconnectFailedError(reason, episode.trigger, episode.lastError);
    const record: ReconnectionEvent = { type: 'record', record: episodeRecord(episode, 'failed', scheduler.now(), error) };
    const end: ReconnectionEvent = reason === 'disconnected'
      ? { type: 'state', state: { kind: 'left', error: callEndedError(episode.lastError, episode.lastError?.message ?? episode.trigger.detail) } }
      : { type: 'state', state: { kind: 'reconnecting-failed', error } };
    return of(record, end);
  });
}
