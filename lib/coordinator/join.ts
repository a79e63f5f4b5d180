/**
 * `POST {baseUrl}/video/call/{type}/{id}/join` (WIRE.md "coordinator join") as a cold Observable:
 * one request through the shared HTTP adapter, a `timeout` on the injected scheduler, then the
 * answer turned into {@link CoordinatorJoinResult} or one typed error. Not retried here: whoever
 * asks (join, REJOIN, MIGRATE) owns its own retry policy.
 */
import { asyncScheduler, defer, map, of, switchMap, throwError, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { httpRequest$, mediaType, type HttpResponse } from '../http/request.js';
import { parseJoinResponse, type CoordinatorJoinResult } from './join-response.js';
import { foreignText } from '../foreign-text.js';
import { assertLocationOptions, processLocation$ } from './location.js';
import { durationOption } from '../validate.js';

/** Stream's production coordinator. */
export const DEFAULT_COORDINATOR_URL = 'https://video.stream-io-api.com';

/** Options of {@link coordinatorJoin$}. */
export interface CoordinatorJoinOptions {
  /** Coordinator origin (and optional path prefix), e.g. {@link DEFAULT_COORDINATOR_URL}. */
  baseUrl: string;
  apiKey: string;
  /** User JWT, sent as-is in `Authorization`. Never logged. */
  token: string;
  callType: string;
  callId: string;
  /** Create the call if it does not exist. @default false (omitted) */
  create?: boolean;
  /** Call data for creation (`data`), passed through untouched. @default omitted */
  data?: unknown;
  /** The SFU we are leaving (MIGRATE): the coordinator picks another. @default omitted */
  migratingFrom?: string;
  /** SFUs that failed us; none of them may be picked. @default omitted */
  migratingFromList?: string[];
  /**
   * Where the caller is (a CDN POP code such as `AMS`); the API requires it and picks an SFU near
   * it. @default the process's location hint (`location.ts`), looked up once and cached
   */
  location?: string;
  /** Where the location hint is read. @default DEFAULT_LOCATION_HINT_URL */
  locationHintUrl?: string;
  /**
   * Wait for the location hint when it is not known yet (a first join). A reconnect passes false:
   * it never waits, and sends what is known now (`ERR` if nothing). @default true
   */
  awaitLocationHint?: boolean;
  /** How many members to return. @default omitted */
  membersLimit?: number;
  /** Time allowed for the whole request, in ms. @default 10000 */
  timeoutMs?: number;
  /** Clock for the timeout. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * Cold: one join request, not retried. Emits the result once, or errors with RXSFU_ERR_INVALID_ARGUMENT,
 * RXSFU_ERR_CALL_ENDED (the call has ended), RXSFU_ERR_UNAUTHORIZED (401/403) or RXSFU_ERR_COORDINATOR
 * (other status, bad body, timeout).
 */
export function coordinatorJoin$(options: CoordinatorJoinOptions): Observable<CoordinatorJoinResult> {
  const timeoutMs = durationOption('timeoutMs', options.timeoutMs, 10_000, 1);
  const location$ = options.location !== undefined
    ? of(options.location)
    : processLocation$({ url: options.locationHintUrl, wait: options.awaitLocationHint ?? true, scheduler: options.scheduler });
  return defer(() => {
    assertLocationOptions(options);
    const url = joinUrl(options);
    return location$.pipe(switchMap((location) => post$(url, { ...options, location }, timeoutMs)));
  });
}

function post$(url: URL, options: CoordinatorJoinOptions & { location: string }, timeoutMs: number): Observable<CoordinatorJoinResult> {
  return defer(() => httpRequest$({
    url,
    method: 'POST',
    headers: {
      authorization: options.token,
      'stream-auth-type': 'jwt',
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(joinRequestBody(options)),
    errorCode: 'RXSFU_ERR_COORDINATOR',
  })).pipe(
    map(readJoinResponse),
    timeout({
      first: timeoutMs,
      with: () => throwError(() => rxsfuError('RXSFU_ERR_COORDINATOR', `coordinator join timed out after ${timeoutMs} ms`)),
      scheduler: options.scheduler ?? asyncScheduler,
    }),
  );
}

/** The join URL; type and id are percent-encoded, so `a/b` cannot escape its path segment. */
export function joinUrl(options: Pick<CoordinatorJoinOptions, 'baseUrl' | 'apiKey' | 'callType' | 'callId'>): URL {
  for (const key of ['baseUrl', 'apiKey', 'callType', 'callId'] as const) {
    if (!options[key]) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `coordinatorJoin$ needs ${key}`);
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch (err) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'coordinator baseUrl is not a URL', { cause: err });
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}/video/call/${encodeURIComponent(options.callType)}/${encodeURIComponent(options.callId)}/join`;
  url.search = '';
  url.searchParams.set('api_key', options.apiKey);
  return url;
}

/** The snake_case body; undefined options are left out rather than sent as null. */
export function joinRequestBody(options: CoordinatorJoinOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    create: options.create,
    data: options.data,
    ring: false,
    notify: false,
    video: true,
    location: options.location,
    migrating_from: options.migratingFrom,
    migrating_from_list: options.migratingFromList,
    members_limit: options.membersLimit,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

function readJoinResponse(response: HttpResponse): CoordinatorJoinResult {
  if (response.status < 200 || response.status > 299) throw coordinatorStatusError(response);
  if (mediaType(response.headers) !== 'application/json') {
    throw rxsfuError('RXSFU_ERR_COORDINATOR', `malformed join response: content type "${mediaType(response.headers)}"`, {
      httpStatus: response.status,
    });
  }
  const json = parseJson(response.body);
  if (json === undefined) {
    throw rxsfuError('RXSFU_ERR_COORDINATOR', 'malformed join response: not JSON', { httpStatus: response.status });
  }
  return parseJoinResponse(json);
}

/**
 * Non-2xx: Stream's `{code, message, StatusCode, duration, more_info}` when the body is one.
 * A refusal naming the JoinEndedCall permission (the call has ended) → RXSFU_ERR_CALL_ENDED;
 * other 401/403 (or a `StatusCode` saying so) → RXSFU_ERR_UNAUTHORIZED. Nobody retries either.
 */
export function coordinatorStatusError(response: HttpResponse): RxsfuError {
  const json = parseJson(response.body) as { code?: unknown; message?: unknown; StatusCode?: unknown } | undefined;
  const serverCode = typeof json?.code === 'number' ? json.code : undefined;
  const message = typeof json?.message === 'string' ? foreignText(json.message) : 'no Stream error body';
  const statusCode = typeof json?.StatusCode === 'number' ? json.StatusCode : response.status;
  const details = { httpStatus: response.status, ...(serverCode === undefined ? {} : { serverCode }) };
  // Stream lets only users with the JoinEndedCall permission join an ended call; for everyone else
  // the call is over: the same end as `call_ended` (R13), not a credentials problem.
  if (response.status >= 400 && response.status < 500 && ENDED_CALL.test(message)) {
    return rxsfuError('RXSFU_ERR_CALL_ENDED', `the call has ended: the coordinator refuses to join it (HTTP ${response.status}: ${message})`, details);
  }
  const unauthorized = [401, 403].includes(response.status) || [401, 403].includes(statusCode);
  return rxsfuError(
    unauthorized ? 'RXSFU_ERR_UNAUTHORIZED' : 'RXSFU_ERR_COORDINATOR',
    `coordinator join failed with HTTP ${response.status}: ${message}`,
    details,
  );
}

/** The action Stream's permission error names when a user may not join an ended call. */
const ENDED_CALL = /\bJoinEndedCall\b/;

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
