/**
 * The coordinator join's `location` (WIRE.md "coordinator join"): the API requires it and picks an
 * SFU near it. Resolved as the official client does: `HEAD https://hint.stream-io-video.com/`, at
 * most 2 s per try, 3 tries, the first three letters of the CDN's `x-amz-cf-pop` header
 * (`AMS1-P2` → `AMS`), or `ERR` when every try failed.
 *
 * Once per process and hint URL: a resolved location is cached; an `ERR` is tried again by the
 * next first join (as the official client does), while a reconnect never waits for the hint and
 * sends what is known now.
 */
import { asyncScheduler, catchError, concatMap, defer, finalize, first, map, of, range, share, tap, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { rxsfuError } from '../errors.js';
import { httpRequest$ } from '../http/request.js';

/** Stream's location hint endpoint (a CloudFront distribution). */
export const DEFAULT_LOCATION_HINT_URL = 'https://hint.stream-io-video.com/';
/** What the official client sends when the hint could not be read. */
export const UNKNOWN_LOCATION = 'ERR';

/** Options of {@link fetchLocationHint$}. */
export interface LocationHintOptions {
  /** @default DEFAULT_LOCATION_HINT_URL */
  url?: string;
  /** Per try. @default 2000 */
  timeoutMs?: number;
  /** @default 3 */
  attempts?: number;
  /** Clock for the per-try timeout. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** `AMS1-P2` → `AMS`; a missing or empty header → `ERR`. */
export function locationFromPop(header: string | string[] | undefined): string {
  const pop = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  return pop === '' ? UNKNOWN_LOCATION : pop.slice(0, 3);
}

/**
 * Cold, never errors: HEAD the hint URL until a try yields a location, at most `attempts` tries;
 * emits the location or `ERR`, then completes. A try that times out is aborted.
 *
 * ```
 * try 1 (ERR) -- try 2 (ERR) -- try 3 (ERR) --(ERR|)
 * try 1 (AMS) --(AMS|)
 * ```
 */
export function fetchLocationHint$(options: LocationHintOptions = {}): Observable<string> {
  const url = options.url ?? DEFAULT_LOCATION_HINT_URL;
  const timeoutMs = options.timeoutMs ?? 2000;
  const attempt$ = defer(() => httpRequest$({ url, method: 'HEAD', errorCode: 'RXSFU_ERR_COORDINATOR', maxResponseBytes: 64 * 1024 })).pipe(
    map((response) => locationFromPop(response.headers['x-amz-cf-pop'])),
    timeout({ first: timeoutMs, scheduler: options.scheduler ?? asyncScheduler, with: () => of(UNKNOWN_LOCATION) }),
    catchError(() => of(UNKNOWN_LOCATION)),
  );
  return range(0, Math.max(1, options.attempts ?? 3)).pipe(
    concatMap(() => attempt$),
    first((location) => location !== UNKNOWN_LOCATION, UNKNOWN_LOCATION),
  );
}

const resolved = new Map<string, string>();
const pending = new Map<string, Observable<string>>();

/**
 * The process's location for `url`: cached once resolved. With `wait` (a first join) an unknown
 * location is looked up (one shared look-up per URL, aborted if every join waiting for it gives
 * up); without (a reconnect) it emits at once what is known, `ERR` if nothing.
 */
export function processLocation$(options: LocationHintOptions & { wait: boolean }): Observable<string> {
  return defer(() => {
    const url = options.url ?? DEFAULT_LOCATION_HINT_URL;
    const known = resolved.get(url);
    if (known !== undefined) return of(known);
    if (!options.wait) return of(UNKNOWN_LOCATION);
    let lookup$ = pending.get(url);
    if (!lookup$) {
      lookup$ = fetchLocationHint$({ ...options, url }).pipe(
        tap((location) => {
          if (location !== UNKNOWN_LOCATION) resolved.set(url, location);
        }),
        finalize(() => pending.delete(url)),
        share(),
      );
      pending.set(url, lookup$);
    }
    return lookup$;
  });
}

/** At most this long: Stream's are three letters; anything longer is not a location. */
const MAX_LOCATION_LENGTH = 32;

/** Throws RXSFU_ERR_INVALID_ARGUMENT unless the location options are usable (both optional). */
export function assertLocationOptions(options: { location?: unknown; locationHintUrl?: unknown }): void {
  const { location, locationHintUrl } = options;
  if (location !== undefined && !(typeof location === 'string' && location.length <= MAX_LOCATION_LENGTH && /^[\x21-\x7e]+$/.test(location))) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `location must be 1–${MAX_LOCATION_LENGTH} printable ASCII characters without spaces (e.g. "AMS")`);
  }
  if (locationHintUrl !== undefined) {
    const url = typeof locationHintUrl === 'string' && URL.canParse(locationHintUrl) ? new URL(locationHintUrl) : undefined;
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'locationHintUrl must be an http(s) URL');
    }
  }
}
