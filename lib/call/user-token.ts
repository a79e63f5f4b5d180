/**
 * The user JWT for each coordinator join, for credentials that outlive a token:
 * - `apiSecret`: a fresh token is minted for every join (REJOIN and MIGRATE included);
 * - `tokenProvider`: called for the first token (unless `token` is given), again before a join
 *   when the token expires within `REFRESH_BEFORE_EXPIRY_MS`, and again when the coordinator
 *   refused it (401/403), once: a refusal of the refreshed token is final;
 * - `token` alone: used as given; a refusal is final.
 */
import { asyncScheduler, catchError, defer, from, isObservable, map, of, switchMap, take, tap, throwError, type Observable } from 'rxjs';
import { createUserToken$ } from '../coordinator/index.js';
import { isRxsfuError, rxsfuError } from '../errors.js';

/** What `tokenProvider` may return: the token, a Promise of it, or an Observable whose first value is it. */
export type TokenProviderResult = string | PromiseLike<string> | Observable<string>;
/** Called for a new user JWT; never given anything, so one function serves every call. */
export type TokenProvider = () => TokenProviderResult;

/** A token that expires sooner than this is replaced before a join (when a provider can replace it). */
export const REFRESH_BEFORE_EXPIRY_MS = 60_000;

export interface TokenSource {
  apiSecret?: string;
  userId?: string;
  token?: string;
  tokenProvider?: TokenProvider;
}

/** The last token a provider gave, per call target (targets are per call). */
const lastToken = new WeakMap<TokenSource, string>();

/**
 * Runs `join$(token)` with the right token; with a provider, a 401/403 (RXSFU_ERR_UNAUTHORIZED)
 * gets one more try with a token the provider was asked for again.
 */
export function withUserToken$<T>(source: TokenSource, join$: (token: string) => Observable<T>): Observable<T> {
  if (source.apiSecret) return createUserToken$({ apiSecret: source.apiSecret, userId: source.userId }).pipe(mergeJoin(join$));
  const provider = source.tokenProvider;
  if (!provider) return join$(source.token ?? '');
  return currentToken$(source, provider).pipe(
    mergeJoin(join$),
    catchError((err: unknown) => {
      if (!isRxsfuError(err, 'RXSFU_ERR_UNAUTHORIZED')) return throwError(() => err);
      return providerToken$(source, provider).pipe(mergeJoin(join$));
    }),
  );
}

/** The first token, then the join with it. */
function mergeJoin<T>(join$: (token: string) => Observable<T>) {
  return (token$: Observable<string>): Observable<T> => token$.pipe(take(1), switchMap(join$));
}

/** The token to use now: the given or last one, unless it expires soon (then the provider's). */
function currentToken$(source: TokenSource, provider: TokenProvider): Observable<string> {
  return defer(() => {
    const known = lastToken.get(source) ?? source.token;
    if (known && !expiresSoon(known)) return of(known);
    return providerToken$(source, provider);
  });
}

/** Asks the provider (any failure or non-token → RXSFU_ERR_COORDINATOR, retried like a coordinator failure). */
function providerToken$(source: TokenSource, provider: TokenProvider): Observable<string> {
  return defer(() => {
    const result = provider();
    return typeof result === 'string' ? of(result) : isObservable(result) ? result : from(result);
  }).pipe(
    take(1),
    map((token) => {
      if (typeof token !== 'string' || token === '') throw rxsfuError('RXSFU_ERR_COORDINATOR', 'tokenProvider gave no token (a non-empty string)');
      return token;
    }),
    catchError((err: unknown) => throwError(() => (isRxsfuError(err) ? err : rxsfuError('RXSFU_ERR_COORDINATOR', 'tokenProvider failed', { cause: err })))),
    tap((token) => lastToken.set(source, token)),
  );
}

/** True when the JWT's `exp` is within REFRESH_BEFORE_EXPIRY_MS; a token without a readable `exp` never is. */
export function expiresSoon(token: string, nowMs = asyncScheduler.now()): boolean {
  const exp = jwtExpiry(token);
  return exp !== undefined && exp * 1000 - nowMs < REFRESH_BEFORE_EXPIRY_MS;
}

function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}
