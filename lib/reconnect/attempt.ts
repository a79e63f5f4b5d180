/**
 * One attempt (R7): subscribe the executor on the scheduler and bound it by `timeout`, so nothing
 * hangs and every failure is a typed error. The episode (`episode.ts`) retries it with `retry`; the
 * backoff between attempts (R6) lives in that `retry`'s delay function (`retry-delay.ts`), not here.
 */
import { catchError, defer, type Observable, subscribeOn, take, throwError, throwIfEmpty, timeout, type SchedulerLike } from 'rxjs';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { asAttemptError } from './failed-error.js';

/**
 * R7: the executor's first value, or a typed error; the executor is released after its first value.
 * It is subscribed on `scheduler`, never inside the emission that caused the attempt (a trigger from a
 * socket's close handler must not open the next socket from inside that handler).
 *
 * ```
 * timeoutMs 5:
 * executor:  --j-k|   → --(j|)
 * executor:  -#       → -#        the executor's error; an untyped one as RXSFU_ERR_INTERNAL (asAttemptError)
 * executor:  --|      → --#       RXSFU_ERR_INTERNAL (completed without joining: a broken executor)
 * executor:  -------  → -----#    RXSFU_ERR_ATTEMPT_TIMEOUT, executor unsubscribed
 * ```
 *
 * @param start subscribes the executor; called once, on the scheduler. May throw: that fails the attempt.
 */
export function attemptOnce$<T>(start: () => Observable<T>, timeoutMs: number, scheduler: SchedulerLike): Observable<T> {
  return defer(start).pipe(
    subscribeOn(scheduler),
    timeout({ first: timeoutMs, scheduler, with: () => throwError(() => attemptTimeout(timeoutMs)) }),
    take(1),
    throwIfEmpty(() => rxsfuError('RXSFU_ERR_INTERNAL', 'reconnect executor completed without joining')),
    catchError((error: unknown) => throwError(() => asAttemptError(error))),
  );
}

function attemptTimeout(timeoutMs: number): RxsfuError {
  return rxsfuError('RXSFU_ERR_ATTEMPT_TIMEOUT', `reconnect attempt gave no answer in ${timeoutMs} ms`);
}
