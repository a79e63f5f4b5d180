/**
 * R17 offline: the network probe and the probe loop of an outage, as pure operators on a scheduler.
 * The probe itself is injected (`ReconnectExecutors.probe`: a cheap request to the coordinator and
 * the last SFU), so the engine does no I/O and the rule is checked in virtual time.
 */
import {
  catchError, defer, filter, map, type Observable, of, repeat, type SchedulerLike, subscribeOn, take, timeout, timer,
  mergeMap, defaultIfEmpty,
} from 'rxjs';
import { fullJitterBackoff, type BackoffOptions } from '../backoff.js';

/**
 * One probe: `true` when the network answered (the probe emitted within `timeoutMs`), else `false`
 * (it errored, completed empty, threw, or stayed silent: then it is unsubscribed). Subscribed on the
 * scheduler, like an attempt (R7).
 *
 * ```
 * timeoutMs 3:
 * probe: -a|   → -(t|)
 * probe: -#    → -(f|)
 * probe: -|    → -(f|)
 * probe: ----  → ---(f|)
 * ```
 */
export function probeOnce$(probe: () => Observable<unknown>, timeoutMs: number, scheduler: SchedulerLike): Observable<boolean> {
  return defer(probe).pipe(
    subscribeOn(scheduler),
    take(1),
    map(() => true),
    timeout({ first: timeoutMs, scheduler, with: () => of(false) }),
    defaultIfEmpty(false),
    catchError(() => of(false)),
  );
}

/**
 * R17: probe after a full-jitter wait (retry n waits `fullJitterBackoff(n, backoff, random)`), again
 * and again, until the network answers; emits once then, and completes.
 *
 * ```
 * backoff waits 2, 2, 2; probe answers on the third try:
 * --f--f--(t|)    → --------(x|)      (each probe also takes its own time)
 * ```
 */
export function probeUntilOnline$(
  probe: () => Observable<unknown>,
  options: { readonly backoff: Required<BackoffOptions>; readonly probeTimeoutMs: number; readonly random: () => number },
  scheduler: SchedulerLike,
): Observable<void> {
  return defer(() => {
    let retry = 0;
    // At least 1 ms between probes, whatever the jitter draws: never a tight probe loop.
    return defer(() => timer(Math.max(1, fullJitterBackoff(retry++, options.backoff, options.random)), scheduler)).pipe(
      mergeMap(() => probeOnce$(probe, options.probeTimeoutMs, scheduler)),
      repeat(),
      filter((online) => online),
      take(1),
      map(() => undefined),
    );
  });
}
