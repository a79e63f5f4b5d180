/**
 * R18 as an operator for `joinCall$` pipelines: when the call a pipeline got ends because its
 * reconnection gave up for a reason that may pass (deadline, rate limit, outage budget), or a
 * (re)join fails with a non-final error, join again: a new `Call`, a fresh participant, under the
 * same budget as the built-in supervisor (N per window, full-jitter backoff). Whatever the pipeline
 * does with each `Call` (publish, subscribe) runs again on the new one, so tracks and subscriptions
 * come back as the pipeline made them.
 *
 * ```
 * joinCall$(o).pipe(supervise())      a: first call, b: the fresh one
 * calls:   -a------(a gave up)--b----   each call ends on its own; `left`/`call ended` completes
 * result:  -a-----------------b-----
 * budget spent: the stream errors with ReconnectFailedError('supervisor-budget'), cause the give-up
 * ```
 */
import {
  asyncScheduler, concat, defer, EMPTY, ignoreElements, type Observable, of, type OperatorFunction, retry, type SchedulerLike, switchMap,
  throwError, timer,
} from 'rxjs';
import { isRxsfuError } from '../errors.js';
import { fullJitterBackoff } from '../backoff.js';
import {
  admitRejoin, curableByRestart, finalReason, ReconnectFailedError, resolveSupervisorOptions, type RateLimitHistory, type SupervisorOptions,
} from '../reconnect/index.js';

/** What `supervise` needs of a call: how it ended. `Call` is one. */
export interface SupervisedCall {
  readonly state$: Observable<unknown>;
  readonly state: string;
  readonly failure?: unknown;
}

/** R18 for `joinCall$` pipelines; `options` as `JoinCallOptions.supervisor`. Throws `RXSFU_ERR_INVALID_ARGUMENT` at once for bad options. */
export function supervise<T extends SupervisedCall>(
  options: SupervisorOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
  random: () => number = Math.random,
): OperatorFunction<T, T> {
  const resolved = resolveSupervisorOptions(options);
  return (source) => defer(() => {
    let history: RateLimitHistory = [];
    let restarts = 0;
    const limit = { max: resolved.maxRestarts, windowMs: resolved.windowMs };
    return source.pipe(
      switchMap((call) => concat(of(call), endOf$(call))),
      retry({
        delay: (error: unknown) => {
          if (!curable(error)) return throwError(() => error);
          const decision = admitRejoin(history, scheduler.now(), limit);
          history = decision.history;
          if (!decision.admitted) return throwError(() => budgetSpent(error));
          return timer(fullJitterBackoff(restarts++, resolved.backoff, random), scheduler);
        },
      }),
    );
  });
}

/** Completes when `call` ended by leave or the call's end; errors with its failure when a restart may cure it. */
function endOf$<T extends SupervisedCall>(call: T): Observable<never> {
  const verdict$ = defer(() => (call.state === 'reconnecting-failed' && curableByRestart(call.failure) ? throwError(() => call.failure) : EMPTY));
  return concat(call.state$.pipe(ignoreElements()), verdict$);
}

/** A give-up that may pass, or a (re)join that failed with a non-final typed error. */
function curable(error: unknown): boolean {
  if (curableByRestart(error)) return true;
  return isRxsfuError(error) && !(error instanceof ReconnectFailedError) && finalReason(error) === undefined
    && error.code !== 'RXSFU_ERR_INVALID_ARGUMENT' && error.code !== 'RXSFU_ERR_LEFT';
}

function budgetSpent(error: unknown): ReconnectFailedError {
  return new ReconnectFailedError('supervisor-budget', { strategy: 'rejoin', source: 'supervisor', detail: 'supervisor: budget spent', cause: error },
    isRxsfuError(error) ? error : undefined);
}
