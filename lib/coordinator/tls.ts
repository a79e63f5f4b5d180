/**
 * TLS all the way: the user JWT goes to the coordinator, the SFU token over the signaling socket and
 * in every Twirp call. A coordinator reached over `https:` that hands out `ws://` or `http://` SFU
 * endpoints would have that token travel in clear, so cleartext anywhere is refused unless the
 * caller said `allowInsecure` (a local emulator, a test).
 */
import { rxsfuError } from '../errors.js';
import type { Credentials } from './join-response.js';

const SECURE: Record<string, true> = { 'https:': true, 'wss:': true };

function scheme(url: string): string {
  return URL.canParse(url) ? new URL(url).protocol : 'unparseable:';
}

/** Throws RXSFU_ERR_INSECURE_TRANSPORT for an `http:` coordinator URL, unless allowed. */
export function assertSecureCoordinator(baseUrl: string, allowInsecure: boolean): void {
  if (allowInsecure || SECURE[scheme(baseUrl)]) return;
  throw rxsfuError('RXSFU_ERR_INSECURE_TRANSPORT', `the coordinator URL is not https (${scheme(baseUrl)}): the user token would travel in clear; set allowInsecure for a local setup`);
}

/**
 * Throws RXSFU_ERR_INSECURE_TRANSPORT when the SFU's Twirp URL is not `https:` or its signaling
 * endpoint not `wss:`, unless allowed. `from` says who handed them out, for the message.
 */
export function assertSecureSfu(credentials: Credentials, allowInsecure: boolean, from: string): void {
  if (allowInsecure) return;
  const { url, wsEndpoint, edgeName } = credentials.server;
  const bad = [url, wsEndpoint].map(scheme).filter((s) => !SECURE[s]);
  if (bad.length === 0) return;
  throw rxsfuError('RXSFU_ERR_INSECURE_TRANSPORT',
    `${from} handed out SFU ${edgeName} without TLS (${bad.join(', ')}): the SFU token would travel in clear; set allowInsecure for a local setup`);
}
