/**
 * Media-stall detection: the trigger werift cannot give us. When the SFU (or the path to it)
 * silently stops sending media while the signaling socket stays healthy, werift notices after
 * ~28 s of consent-freshness failures, or never (WERIFT.md pitfall 5). Remote audio from a live
 * publisher is never silent on the wire for long (Opus keeps sending packets, DTX at worst every
 * 400 ms), so "we expect media and nothing arrived for a while" is a better signal. The call maps
 * it to a REJOIN (docs/RECONNECT.md, R1 `media-stalled`).
 */
import { EMPTY, asyncScheduler, distinctUntilChanged, map, startWith, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import { rxsfuError } from '../../errors.js';

/** Options of {@link mediaStalled$}. */
export interface MediaStallOptions {
  /** Silence, in ms, after which expected media counts as stalled. Must be > 0. @default 8000 */
  stallAfterMs?: number;
}

/** One detected stall. */
export interface MediaStall {
  /** How long no inbound packet arrived while media was expected (the configured threshold). */
  silentMs: number;
}

/** @see MediaStallOptions.stallAfterMs */
export const DEFAULT_MEDIA_STALL_AFTER_MS = 8000;

/**
 * Emits once each time media is expected and no inbound packet arrived for `stallAfterMs`. The
 * window (re)starts when `expecting$` turns true and at every packet; it stops while `expecting$`
 * is false. After a stall it stays quiet until the next packet or until `expecting$` turns true
 * again (e.g. after the reconnect the stall caused), so one stall gives one request.
 *
 * ```
 * stallAfterMs: 3
 * expecting$: t-----------f--t-------
 * packets$:   --p-p-----------------
 * result:     -------s----------s----   (s 3 after the last p; quiet while f; again 3 after t)
 * ```
 *
 * @param inboundPackets$ one emission per inbound RTP packet (any value: only the timing counts)
 * @param expecting$ whether media should be arriving now (signaling alive, subscribed to a published track)
 */
export function mediaStalled$(
  inboundPackets$: Observable<unknown>,
  expecting$: Observable<boolean>,
  options: MediaStallOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): Observable<MediaStall> {
  const stallAfterMs = options.stallAfterMs ?? DEFAULT_MEDIA_STALL_AFTER_MS;
  if (!(stallAfterMs > 0) || !Number.isFinite(stallAfterMs)) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `stallAfterMs must be a positive number of ms, got ${stallAfterMs}`);
  }
  return expecting$.pipe(
    distinctUntilChanged(),
    switchMap((expecting) => !expecting ? EMPTY : inboundPackets$.pipe(
      startWith(undefined),
      switchMap(() => timer(stallAfterMs, scheduler)),
      map((): MediaStall => ({ silentMs: stallAfterMs })),
    )),
  );
}
