/**
 * The coordinator's ICE servers as werift can use them. werift 0.25 (webrtc/src/utils.js
 * `parseIceServers`) takes the FIRST STUN URL and the FIRST TURN URL it can parse, and ignores the
 * rest: so the order rxsfu hands over decides which TURN server is ever tried. It speaks TURN over
 * UDP (falling back to TCP on the same server when UDP fails), TCP and TLS (`turns:`); not TURN over
 * DTLS (`turns:…?transport=udp`) nor STUN over TLS (`stuns:`, it would send plain STUN there).
 *
 * So: one URL per entry, every URL werift cannot use left out (with why), STUN first in the given
 * order, then TURN by transport, UDP → TCP → TLS (the cheapest relay first; werift's own TCP
 * fallback still covers a UDP-blocked network), the given order kept within a transport.
 */
import type { IceServer } from './ice-server.js';

/** One URL per entry, as werift reads `RTCIceServer` (`credential`, not `password`). */
export interface WeriftIceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** What werift does with one URL. */
export type IceUrlUse =
  | { readonly kind: 'stun' }
  | { readonly kind: 'turn'; readonly transport: 'udp' | 'tcp' | 'tls' }
  | { readonly kind: 'unusable'; readonly why: string };

const TURN_RANK = { udp: 0, tcp: 1, tls: 2 } as const;

/** How werift would use `url` (given whether its entry has credentials, without which werift allocates nothing). */
export function weriftUse(url: string, hasCredentials: boolean): IceUrlUse {
  const matched = /^(stuns?|turns?):([^?]*)(?:\?(.*))?$/i.exec(url.trim());
  if (!matched || matched[2]!.replace(/^\/\//, '') === '') return { kind: 'unusable', why: 'not a stun:/turn: URL with a host' };
  const scheme = matched[1]!.toLowerCase();
  if (scheme === 'stun') return { kind: 'stun' };
  if (scheme === 'stuns') return { kind: 'unusable', why: 'STUN over TLS: werift would send plain STUN to it' };
  const transport = new URLSearchParams(matched[3] ?? '').get('transport');
  const secure = scheme === 'turns';
  const use = transport === null ? (secure ? 'tls' : 'udp')
    : transport === 'tcp' ? (secure ? 'tls' : 'tcp')
    : transport === 'udp' && !secure ? 'udp'
    : undefined;
  if (!use) return { kind: 'unusable', why: `TURN transport ${secure ? 'turns' : 'turn'}+${transport}: werift has none` };
  if (!hasCredentials) return { kind: 'unusable', why: 'TURN without username and credential: werift would pick it and allocate nothing' };
  return { kind: 'turn', transport: use };
}

/** The servers to hand werift (ordered as above) and the URLs left out, with why. */
export function iceServersForWerift(servers: readonly IceServer[]): { servers: WeriftIceServer[]; skipped: { url: string; why: string }[] } {
  const stun: WeriftIceServer[] = [];
  const turn: { server: WeriftIceServer; rank: number }[] = [];
  const skipped: { url: string; why: string }[] = [];
  for (const server of servers) {
    const credential = server.credential ?? server.password;
    for (const url of Array.isArray(server.urls) ? server.urls : [server.urls]) {
      const use = typeof url === 'string' ? weriftUse(url, Boolean(server.username) && Boolean(credential)) : { kind: 'unusable' as const, why: 'not a string' };
      if (use.kind === 'unusable') skipped.push({ url: String(url), why: use.why });
      else if (use.kind === 'stun') stun.push({ urls: url });
      else turn.push({ server: { urls: url, username: server.username, credential }, rank: TURN_RANK[use.transport] });
    }
  }
  // Array.prototype.sort is stable: the given order stays within a transport.
  return { servers: [...stun, ...turn.sort((a, b) => a.rank - b.rank).map((t) => t.server)], skipped };
}
