/**
 * The emulator's two kinds of JWT, both HS256 with the emulator's API secret:
 * - user tokens, as a Stream app server would mint them (`{user_id, iat, exp}`), checked by the coordinator;
 * - SFU tokens, minted by the coordinator and checked by the SFU on `JoinRequest.token` and on every
 *   Twirp call. They name the user, the call and the SFU, so a token for one SFU is refused by another.
 * Tokens are never logged.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/** Why a token was refused; the coordinator maps each reason to a Stream error code. */
export type TokenProblem = 'malformed' | 'signature' | 'expired' | 'claims';

export class TokenRejected extends Error {
  override name = 'TokenRejected';
  constructor(readonly problem: TokenProblem, message: string) {
    super(message);
  }
}

/** What an SFU token says. */
export interface SfuTokenClaims {
  userId: string;
  callCid: string;
  sfuId: string;
}

const SFU_ISSUER = 'rxsfu-emulator';

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** A user JWT, as `createUserToken` on a Stream server SDK would make it. */
export async function signUserToken(secret: string, userId: string, validitySeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ user_id: userId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now - 5)
    .setExpirationTime(now + validitySeconds)
    .sign(key(secret));
}

/** Verifies a user JWT and returns its `user_id`; throws TokenRejected with the reason. */
export async function verifyUserToken(secret: string, token: string): Promise<string> {
  const claims = await verify(secret, token);
  const userId = claims['user_id'];
  if (typeof userId !== 'string' || userId === '') throw new TokenRejected('claims', 'token has no user_id');
  return userId;
}

export async function signSfuToken(secret: string, claims: SfuTokenClaims, validitySeconds = 3600): Promise<string> {
  return new SignJWT({ user_id: claims.userId, call_cid: claims.callCid, sfu_id: claims.sfuId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(SFU_ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + validitySeconds)
    .sign(key(secret));
}

/** Verifies an SFU token for `sfuId`; throws TokenRejected when it is bad or meant for another SFU. */
export async function verifySfuToken(secret: string, token: string, sfuId: string): Promise<SfuTokenClaims> {
  const claims = await verify(secret, token, SFU_ISSUER);
  const { user_id: userId, call_cid: callCid, sfu_id: tokenSfu } = claims as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof callCid !== 'string' || typeof tokenSfu !== 'string') {
    throw new TokenRejected('claims', 'SFU token lacks user_id, call_cid or sfu_id');
  }
  if (tokenSfu !== sfuId) throw new TokenRejected('claims', `SFU token is for ${tokenSfu}, not ${sfuId}`);
  return { userId, callCid, sfuId: tokenSfu };
}

async function verify(secret: string, token: string, issuer?: string): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], issuer });
    return payload as Record<string, unknown>;
  } catch (err) {
    throw toRejection(err);
  }
}

function toRejection(err: unknown): TokenRejected {
  if (err instanceof joseErrors.JWTExpired) return new TokenRejected('expired', 'token expired');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return new TokenRejected('signature', 'token signature is invalid');
  if (err instanceof joseErrors.JWTClaimValidationFailed) return new TokenRejected('claims', `token claim ${err.claim} is invalid`);
  return new TokenRejected('malformed', 'token is malformed');
}
