/**
 * The whole-network verdict (issue 13): the signaling path *and* the media path silent together.
 *
 * The heartbeat watchdog (`heartbeatTimeout$`) decides on the signaling path alone, and must wait out
 * the health-check period plus jitter (2.5 s by default). But an SFU that is still reachable keeps
 * sending media (RTP from every subscribed track, RTCP receiver and sender reports every 0.5–1.5 s,
 * even to a publisher that sends nothing): when that stops at the same moment as the signaling, the
 * network is gone, and that is known sooner. Media that was not flowing when the signaling went
 * quiet (nobody publishes, we publish nothing, a muted speaker) proves nothing: then the heartbeat
 * alone decides, as before. Pure, on a scheduler: marble-tested in spec/signaling/network-dead.spec.ts.
 */
import {
  asyncScheduler, connect, endWith, ignoreElements, map, merge, type Observable, type SchedulerLike, scan, startWith, switchMap, take, takeUntil, throttleTime,
  EMPTY,
} from 'rxjs';
import { silence$ } from './health-check.js';

/**
 * Default of `networkDeadAfterMs`: signaling and media silent together this long is a loss. From
 * bench:outage (BENCHMARKS.md "Outages"): a blackhole is noticed ~1 s sooner than by the heartbeat,
 * and a jittered signaling path whose media flows is never judged by it.
 */
export const DEFAULT_NETWORK_DEAD_AFTER_MS = 1500;

/** What {@link networkDead$} reports. */
export interface NetworkDead {
  /** How long both paths were silent when it fired (= `deadAfterMs`). */
  readonly silentForMs: number;
}

/** Media signs closer together than this are one sign: a steady 50 pps stream re-arms no timer per packet. */
export function mediaSignGapMs(deadAfterMs: number): number {
  return Math.max(1, Math.min(100, Math.floor(deadAfterMs / 4)));
}

/**
 * Emits once, then completes, when neither `signaling$` nor `media$` gave a sign of life for
 * `deadAfterMs`, provided media was alive when the signaling fell silent (a media sign no older than
 * `deadAfterMs` before the last signaling sign, or after it). The watch starts with the first value of
 * `signaling$` (pass signs from the join on); completes without a value when `signaling$` completes.
 * Media signs are thinned to one per {@link mediaSignGapMs} (the trailing one kept, so the verdict
 * can only come later, never sooner). Each silence is heard as `heartbeatTimeout$` hears it: a
 * timer that fires late (our own event loop stalled) waits again before the verdict.
 *
 * ```
 * deadAfterMs 4 (media gap 1)
 * signaling$: s---s----------
 * media$:     -m-m-m-m-------
 * result:     -----------(d|)      4 after the last m
 *
 * signaling$: s---s---s---s--
 * media$:     ---------------      media never heard: never (the heartbeat decides)
 * result:     ---------------
 *
 * deadAfterMs 5
 * signaling$: s---s---s---s--
 * media$:     -m-------------      media stopped long before the signaling did: never
 * result:     ---------------
 * ```
 * @param signaling$ a value per sign of life of the signaling path (a frame, bytes read from its TCP socket)
 * @param media$     a value per inbound RTP or RTCP packet on either peer connection
 */
export function networkDead$(
  signaling$: Observable<unknown>,
  media$: Observable<unknown>,
  deadAfterMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<NetworkDead> {
  const gap = mediaSignGapMs(deadAfterMs);
  return signaling$.pipe(
    connect((signals$) => {
      const signs$ = merge(
        signals$.pipe(map(() => 'signal' as const)),
        media$.pipe(throttleTime(gap, scheduler, { leading: true, trailing: true }), map(() => 'media' as const)),
      );
      return signals$.pipe(
        take(1),
        switchMap(() => signs$.pipe(startWith('signal' as const))),
        scan((last, sign) => ({ ...last, [sign]: scheduler.now() }), { signal: -Infinity, media: undefined as number | undefined }),
        // Each sign re-arms the watch: both paths have been silent since the later of the two.
        switchMap(({ signal, media }) => (media !== undefined && media >= signal - deadAfterMs ? silence$(deadAfterMs, scheduler) : EMPTY)),
        take(1),
        map((): NetworkDead => ({ silentForMs: deadAfterMs })),
        takeUntil(signals$.pipe(ignoreElements(), endWith(true))),
      );
    }),
  );
}
