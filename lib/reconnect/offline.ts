/**
 * R17 offline: the network probe and the probe loop of an outage, as pure operators on a scheduler.
 * The probe itself is injected (`ReconnectExecutors.probe`: a cheap request to the coordinator and
 * the last SFU), and so are the paths' signs of life (`networkHeard$`: signaling frames, RTP/RTCP),
 * so the engine does no I/O and the rule is checked in virtual time. `offline` needs both to be
 * silent: the probe unanswered and nothing heard on any path.
 */
import {
  catchError, defer, filter, map, merge, NEVER, type Observable, of, race, repeat, type SchedulerLike, subscribeOn, take, timeout, timer,
  mergeMap, defaultIfEmpty,
} from 'rxjs';
import { fullJitterBackoff, type BackoffOptions } from '../backoff.js';
import type { RxsfuError } from '../errors.js';
import type { OutageAnsweredBy } from './types.js';

/**
 * One probe: `true` when the network answered (the probe emitted, or any path gave a sign of life on
 * `heard$`, within `timeoutMs`), else `false` (the probe errored, completed empty, threw, or nothing
 * came: then it is unsubscribed). Subscribed on the scheduler, like an attempt (R7).
 *
 * ```
 * timeoutMs 3:
 * probe: -a|   → -(t|)
 * probe: -#    → -(f|)
 * probe: -|    → -(f|)
 * probe: ----  → ---(f|)
 * probe: ----, heard$: --h  → --(t|)    (media or signaling heard: the network is there)
 * ```
 */
export function probeOnce$(probe: () => Observable<unknown>, timeoutMs: number, scheduler: SchedulerLike, heard$: Observable<unknown> = NEVER): Observable<boolean> {
  const probed$ = defer(probe).pipe(subscribeOn(scheduler), take(1), map(() => true), defaultIfEmpty(false), catchError(() => of(false)));
  return merge(probed$, heard$.pipe(take(1), map(() => true))).pipe(
    take(1),
    timeout({ first: timeoutMs, scheduler, with: () => of(false) }),
  );
}

/**
 * R17: an attempt that failed on an answer (an HTTP status from the coordinator or the SFU's Twirp
 * service, an SFU error code) heard the network: no probe is needed to know it is there.
 */
export function answeredByNetwork(error: RxsfuError): boolean {
  return error.httpStatus !== undefined || error.sfuErrorCode !== undefined;
}

/**
 * R17: probe after a full-jitter wait (retry n waits `fullJitterBackoff(n, backoff, random)`), again
 * and again, until the network answers; emits once then (`probe`), and completes. A sign of life on
 * `heard$` (media or signaling came back) is the answer too (`path`), at once, whether a probe is in
 * flight or not.
 *
 * ```
 * backoff waits 2, 2, 2; probe answers on the third try:
 * --f--f--(t|)    → --------(x|)      (each probe also takes its own time)
 * heard$: ----h   → ----(x|)          (no need to wait for the next probe)
 * ```
 */
export function probeUntilOnline$(
  probe: () => Observable<unknown>,
  options: { readonly backoff: Required<BackoffOptions>; readonly probeTimeoutMs: number; readonly random: () => number },
  scheduler: SchedulerLike,
  heard$: Observable<unknown> = NEVER,
): Observable<OutageAnsweredBy> {
  return race(heard$.pipe(take(1), map(() => 'path' as const)), probeLoop$(probe, options, scheduler));
}

function probeLoop$(
  probe: () => Observable<unknown>,
  options: { readonly backoff: Required<BackoffOptions>; readonly probeTimeoutMs: number; readonly random: () => number },
  scheduler: SchedulerLike,
): Observable<OutageAnsweredBy> {
  return defer(() => {
    let retry = 0;
    // At least 1 ms between probes, whatever the jitter draws: never a tight probe loop.
    return defer(() => timer(Math.max(1, fullJitterBackoff(retry++, options.backoff, options.random)), scheduler)).pipe(
      mergeMap(() => probeOnce$(probe, options.probeTimeoutMs, scheduler)),
      repeat(),
      filter((online) => online),
      take(1),
      map(() => 'probe' as const),
    );
  });
}
