/**
 * R17's two network signals for a call: the paths' own signs of life (`pathsHeard$`), and the probe.
 * The probe: a HEAD to the coordinator's join URL and one to the last SFU's
 * Twirp base URL, each with the credentials it would carry anyway (user JWT, SFU token), at once.
 * Any HTTP answer, whatever its status, means the network is back, and so does a refused or reset
 * connection (a host sent the RST: the path works, the service does not, which the attempts will
 * say); only silence (the engine's `probeTimeoutMs` unsubscribes, which aborts both) or an
 * unreachable network means it is not. Cheap: no
 * body, no join, no side effect on either server. Never logs the tokens.
 */
import { catchError, defer, EMPTY, map, merge, type Observable, of, switchMap, take } from 'rxjs';
import { createUserToken$, DEFAULT_COORDINATOR_URL, joinUrl } from '../../coordinator/index.js';
import { httpRequest$ } from '../../http/request.js';
import type { CallTarget } from '../../call/credentials.js';
import type { Credentials } from '../../coordinator/index.js';
import type { SfuConnection } from '../../call/sfu-connection.js';

/**
 * R17's other half: the signs of life of the call's current paths (its signaling socket's frames and
 * bytes, both peers' RTP and RTCP), read at each subscription. While a FAST or REJOIN waits, the old
 * peer connections stay open: when the network comes back inside the SFU's window, its media reaches
 * them before any probe does.
 */
export function pathsHeard$(current: () => SfuConnection | undefined): Observable<unknown> {
  return defer(() => {
    const conn = current();
    return conn ? merge(conn.signal.heard$, conn.publisher.mediaHeard$, conn.subscriber.mediaHeard$) : EMPTY;
  });
}

/** Emits once when the coordinator or the SFU answered; completes empty when neither could. */
export function networkProbe$(target: CallTarget, lastSfu: () => Credentials | undefined): Observable<void> {
  return defer(() => merge(coordinatorAnswers$(target), sfuAnswers$(lastSfu()))).pipe(take(1));
}

function coordinatorAnswers$(target: CallTarget): Observable<void> {
  if (target.credentials || !target.apiKey || !target.callType || !target.callId) return EMPTY;
  const { apiKey, callType, callId } = target;
  const token$ = target.token ? of(target.token) : createUserToken$({ apiSecret: target.apiSecret!, userId: target.userId });
  return token$.pipe(
    switchMap((token) => head$(joinUrl({ baseUrl: target.baseUrl ?? DEFAULT_COORDINATOR_URL, apiKey, callType, callId }), {
      authorization: token, 'stream-auth-type': 'jwt',
    })),
    catchError(() => EMPTY),
  );
}

function sfuAnswers$(credentials: Credentials | undefined): Observable<void> {
  if (!credentials) return EMPTY;
  return head$(credentials.server.url, { authorization: `Bearer ${credentials.token}` });
}

function head$(url: string | URL, headers: Record<string, string>): Observable<void> {
  return httpRequest$({ url, method: 'HEAD', headers, errorCode: 'RXSFU_ERR_COORDINATOR', maxResponseBytes: 64 * 1024 }).pipe(
    map(() => undefined),
    catchError((error: unknown) => (hostAnswered(error) ? of(undefined) : EMPTY)),
  );
}

/** A connection refused or reset: the far host answered (with an RST), so the network works. */
function hostAnswered(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET';
}
