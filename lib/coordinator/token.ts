/**
 * User JWTs for the coordinator (WIRE.md "user JWT"): HS256 over `{user_id, iat, exp}`, signed with
 * the app's API secret. Meant for servers and tests that hold the secret; the secret and the token
 * are never logged.
 */
import { SignJWT } from 'jose';
import { asyncScheduler, defer, from, type Observable, type SchedulerLike } from 'rxjs';
import { rxsfuError } from '../errors.js';

/** Options of {@link createUserToken$}. */
export interface CreateUserTokenOptions {
  /** The app's API secret (HMAC key). */
  apiSecret: string;
  /** `user_id` claim. @default none: a server-side token */
  userId?: string;
  /** Lifetime, in seconds. @default 3600 */
  validitySeconds?: number;
  /** `iat`, in seconds since the epoch. @default now, from `scheduler` */
  issuedAt?: number;
  /** Clock for the default `iat`. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** Cold: signs on subscription, emits the compact JWT once, completes. Bad options → RXSFU_ERR_INVALID_ARGUMENT. */
export function createUserToken$(options: CreateUserTokenOptions): Observable<string> {
  return defer(() => {
    const validity = options.validitySeconds ?? 3600;
    if (!options.apiSecret) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'createUserToken$ needs an apiSecret');
    if (!Number.isFinite(validity) || validity <= 0) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `validitySeconds must be a positive number, got ${validity}`);
    }
    if (options.issuedAt !== undefined && !Number.isFinite(options.issuedAt)) {
      throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'issuedAt must be a number of seconds');
    }
    const iat = Math.floor(options.issuedAt ?? (options.scheduler ?? asyncScheduler).now() / 1000);
    const claims = options.userId === undefined ? {} : { user_id: options.userId };
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(iat).setExpirationTime(iat + validity);
    return from(jwt.sign(new TextEncoder().encode(options.apiSecret)));
  });
}
