/**
 * The reconnection engine (R2, R12, R13): requests in, one episode at a time, state transitions and
 * records out. Pure: executors do the I/O, the scheduler is the only clock.
 */
import {
  asyncScheduler, connect, defer, endWith, exhaustMap, filter, map, merge, mergeMap, Observable, type SchedulerLike, share, take, takeWhile,
} from 'rxjs';
import { type RxsfuError, rxsfuError } from '../errors.js';
import { engineStore, type EngineStore, runEpisode } from './episode.js';
import { type AttemptRequest, endEpisode, episodeRecord, initialEngineState } from './episode-state.js';
import { callEndedError, ReconnectFailedError } from './failed-error.js';
import { type ReconnectOptions, resolveReconnectOptions } from './options.js';
import type { ReconnectExecutors, ReconnectionEvent, ReconnectionRecord, ReconnectRequest, ReconnectState } from './types.js';

/** Why the engine stops before an episode could finish (R12, R13). */
interface EngineEnd {
  readonly outcome: 'cancelled' | 'failed';
  readonly error: RxsfuError;
}

/**
 * Run reconnection episodes for `requests$`, one at a time.
 *
 * ```
 * requests$:  --f--f--r-----------     f: fast, r: rejoin (mid-episode: escalates, R3)
 * fast exec:    ^-!                    abandoned when the floor rises
 * rejoin exec:       ^--j|
 * result:     --a-----b--(Rj)-----     a: reconnecting fast, b: reconnecting rejoin, R: record, j: joined
 * ```
 *
 * Completes after a terminal state (`reconnecting-failed`, `left`), or when `requests$` completes and
 * no episode runs. Throws `RXSFU_ERR_INVALID_ARGUMENT` at once for unusable options.
 */
export function reconnectEpisodes(
  requests$: Observable<ReconnectRequest>,
  executors: ReconnectExecutors,
  options: ReconnectOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): Observable<ReconnectionEvent> {
  const resolved = resolveReconnectOptions(options);
  return defer(() => {
    const store = engineStore(initialEngineState(resolved.initial));
    // One subscription to `requests$`, made once both readers below are subscribed (`connect`), so
    // neither can miss a request; which of them is subscribed first means nothing: the end reads
    // the running episode from the store, whatever the episode saw of the same request.
    return requests$.pipe(
      connect((shared) => merge(
        shared.pipe(
          filter(isAttemptRequest),
          exhaustMap((request) => runEpisode(request, { executors, options: resolved, scheduler, store, requests$: shared })),
          endWith(REQUESTS_DONE),
        ),
        endOf$(shared, resolved.leave$).pipe(mergeMap((end) => endEvents(end, store, scheduler.now()))),
      )),
      // Ends after a terminal state (`reconnecting-failed`, `left`), or once `requests$` completed
      // with no episode running; unsubscribing then tears down whatever still runs (R12, I4).
      takeWhile((step) => step !== REQUESTS_DONE && !isTerminal(step), true),
      filter((step): step is ReconnectionEvent => step !== REQUESTS_DONE),
    );
  });
}

/** `requests$` completed and no episode runs: the engine completes. */
const REQUESTS_DONE = Symbol('requests done');

function isTerminal(step: ReconnectionEvent | typeof REQUESTS_DONE): boolean {
  return step !== REQUESTS_DONE && step.type === 'state' && (step.state.kind === 'reconnecting-failed' || step.state.kind === 'left');
}

/** R12/R13: the running episode's record (cancelled, or failed for DISCONNECT), then `left`. */
function endEvents(end: EngineEnd, store: EngineStore, now: number): ReconnectionEvent[] {
  const events: ReconnectionEvent[] = [];
  const episode = store.get().episode;
  if (episode) {
    const failure = end.outcome === 'failed' ? new ReconnectFailedError('disconnected', episode.trigger, end.error) : undefined;
    store.set(endEpisode(store.get()));
    events.push({ type: 'record', record: episodeRecord(episode, end.outcome, now, failure) });
  }
  events.push({ type: 'state', state: { kind: 'left', error: end.error } });
  return events;
}

/** R12/R13: the first `leave$` or `disconnect` request. */
function endOf$(requests$: Observable<ReconnectRequest>, leave$: Observable<unknown>): Observable<EngineEnd> {
  const left$ = leave$.pipe(map((): EngineEnd => ({ outcome: 'cancelled', error: rxsfuError('RXSFU_ERR_LEFT', 'left the call') })));
  const disconnected$ = requests$.pipe(
    filter((request) => request.strategy === 'disconnect'),
    map((request): EngineEnd => ({ outcome: 'failed', error: callEndedError(request.cause, request.detail) })),
  );
  return merge(left$, disconnected$).pipe(take(1));
}

function isAttemptRequest(request: ReconnectRequest): request is AttemptRequest {
  return request.strategy !== 'disconnect';
}

/** The engine as separate streams. `events$` is shared: the pipeline runs once for all subscribers. */
export interface ReconnectEngine {
  readonly events$: Observable<ReconnectionEvent>;
  readonly state$: Observable<ReconnectState>;
  readonly reconnections$: Observable<ReconnectionRecord>;
}

/** `reconnectEpisodes` split into `state$` and `reconnections$` over one shared run. */
export function createReconnectEngine(
  requests$: Observable<ReconnectRequest>,
  executors: ReconnectExecutors,
  options?: ReconnectOptions,
  scheduler?: SchedulerLike,
): ReconnectEngine {
  const events$ = reconnectEpisodes(requests$, executors, options, scheduler).pipe(share());
  return {
    events$,
    state$: events$.pipe(filter((e) => e.type === 'state'), map((e) => e.state)),
    reconnections$: events$.pipe(filter((e) => e.type === 'record'), map((e) => e.record)),
  };
}

