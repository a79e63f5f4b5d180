/**
 * The reconnection engine (R2, R12, R13): requests in, one episode at a time, state transitions and
 * records out. Pure: executors do the I/O, the scheduler is the only clock.
 */
import {
  asyncScheduler, exhaustMap, filter, map, merge, Observable, type SchedulerLike, share, Subject, take,
} from 'rxjs';
import { type RxsfuError, rxsfuError } from '../errors.js';
import { disconnectError, type EngineMemory, type EpisodeEnv, episodeRecord, runEpisode } from './episode.js';
import { ReconnectFailedError } from './failed-error.js';
import { type ReconnectOptions, resolveReconnectOptions } from './options.js';
import type {
  AttemptStrategy, ReconnectExecutors, ReconnectionEvent, ReconnectionRecord, ReconnectRequest, ReconnectState,
} from './types.js';

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
  return new Observable<ReconnectionEvent>((subscriber) => {
    const memory: EngineMemory = { lastJoin: resolved.initial, reconnectAttempt: 0, rateHistory: [], fastHistory: [], current: undefined };
    const hub = new Subject<ReconnectRequest>();
    const env: EpisodeEnv = { executors, options: resolved, scheduler, memory, requests$: hub };

    // Subscribed before the episodes, so that on leave/DISCONNECT the running episode's record is
    // built from its live tally first; completing then tears the episode (and its executor) down.
    const endSubscription = endOf$(hub, resolved.leave$).subscribe({
      next: (end) => {
        for (const event of endEvents(end, memory, scheduler.now())) subscriber.next(event);
        subscriber.complete();
      },
      error: (error: unknown) => subscriber.error(error),
    });
    const episodeSubscription = hub
      .pipe(
        filter(isAttemptRequest),
        exhaustMap((request) => runEpisode(request, env)),
      )
      .subscribe({
        next: (event) => {
          subscriber.next(event);
          if (event.type === 'state' && event.state.kind === 'reconnecting-failed') subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    const sourceSubscription = requests$.subscribe(hub);
    return () => {
      endSubscription.unsubscribe();
      episodeSubscription.unsubscribe();
      sourceSubscription.unsubscribe();
    };
  });
}

/** R12/R13: the running episode's record (cancelled, or failed for DISCONNECT), then `left`. */
function endEvents(end: EngineEnd, memory: EngineMemory, now: number): ReconnectionEvent[] {
  const events: ReconnectionEvent[] = [];
  const current = memory.current;
  if (current && !current.done) {
    const failure = end.outcome === 'failed' ? new ReconnectFailedError('disconnected', current.trigger, end.error) : undefined;
    current.done = true;
    events.push({ type: 'record', record: episodeRecord(current, end.outcome, now, failure) });
  }
  events.push({ type: 'state', state: { kind: 'left', error: end.error } });
  return events;
}

/** R12/R13: the first `leave$` or `disconnect` request. */
function endOf$(requests$: Observable<ReconnectRequest>, leave$: Observable<unknown>): Observable<EngineEnd> {
  const left$ = leave$.pipe(map((): EngineEnd => ({ outcome: 'cancelled', error: rxsfuError('RXSFU_ERR_LEFT', 'left the call') })));
  const disconnected$ = requests$.pipe(
    filter((request) => request.strategy === 'disconnect'),
    map((request): EngineEnd => ({ outcome: 'failed', error: disconnectError(request) })),
  );
  return merge(left$, disconnected$).pipe(take(1));
}

function isAttemptRequest(request: ReconnectRequest): request is ReconnectRequest & { strategy: AttemptStrategy } {
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
