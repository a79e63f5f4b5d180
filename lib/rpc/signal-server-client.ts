/**
 * Twirp client for `stream.video.sfu.signal.SignalServer`. Each call is a cold Observable:
 * encode → POST (thin `node:http` adapter) → decode, with a per-attempt `timeout` and
 * `retryTransient` on the injected scheduler. One keep-alive agent per client; `close()` aborts
 * what is in flight and destroys the agent, so no socket outlives the client.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import {
  asyncScheduler, defer, map, mergeMap, Observable, race, Subject, tap, throwError, timeout,
  type MonoTypeOperatorFunction, type SchedulerLike,
} from 'rxjs';
import { rxsfuError, type RxsfuError } from '../errors.js';
import { httpRequest$ } from '../http/request.js';
import { retryTransient } from './retry-transient.js';
import { decodeTwirpResponse, encodeTwirpRequest, type TwirpEncoding } from './twirp-codec.js';
import {
  SignalServerMethods as M, TWIRP_SERVICE, type IceRestartRequestInit, type IceTrickleInit, type SendAnswerRequestInit,
  type SendStatsRequestInit, type SetPublisherRequestInit, type TwirpMethod, type UpdateMuteStatesRequestInit,
  type UpdateSubscriptionsRequestInit, type WithSfuError,
} from './twirp-methods.js';
import type { stream } from '../protocol/index.js';
import type { Logger } from '../logger.js';
import { durationOption } from '../validate.js';

type Signal = typeof stream.video.sfu.signal;
type Response<K extends keyof Signal> = InstanceType<Signal[K]>;

/** Where the client reports failed attempts (the SDK's Logger fits). Never receives the token. */
export type RpcLogger = Pick<Logger, 'debug'>;

/** Options of {@link createSignalServerClient}. */
export interface SignalServerClientOptions {
  /** `credentials.server.url`; already ends in `/twirp`. */
  url: string;
  /** SFU token (`credentials.token`), sent as `Authorization: Bearer …`. */
  token: string;
  /** Body format; the SFU accepts both. @default 'protobuf' */
  encoding?: TwirpEncoding;
  /** Time allowed per attempt, in ms. @default 5000 */
  timeoutMs?: number;
  /** Attempts per call, the first included. @default 3 */
  maxAttempts?: number;
  /** Delay before retry n (1-based), in ms. @default retryBackoff() (≤250, ≤500, … ≤5000 ms) */
  backoff?: (attempt: number) => number;
  /** Clock for timeouts and backoff. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** @default none */
  logger?: RpcLogger;
}

/** Every method: cold, one value then complete, or a typed RxsfuError. */
export interface SignalServerClient {
  setPublisher$(req: SetPublisherRequestInit): Observable<Response<'SetPublisherResponse'>>;
  sendAnswer$(req: SendAnswerRequestInit): Observable<Response<'SendAnswerResponse'>>;
  iceTrickle$(req: IceTrickleInit): Observable<Response<'ICETrickleResponse'>>;
  updateSubscriptions$(req: UpdateSubscriptionsRequestInit): Observable<Response<'UpdateSubscriptionsResponse'>>;
  updateMuteStates$(req: UpdateMuteStatesRequestInit): Observable<Response<'UpdateMuteStatesResponse'>>;
  iceRestart$(req: IceRestartRequestInit): Observable<Response<'ICERestartResponse'>>;
  sendStats$(req: SendStatsRequestInit): Observable<Response<'SendStatsResponse'>>;
  /** Aborts in-flight calls (they fail RXSFU_ERR_LEFT), destroys the agent; later calls fail RXSFU_ERR_LEFT. */
  close(): void;
}

/**
 * One call, per attempt: POST → decode, bounded by `timeoutMs`; transient failures retried by
 * `retryTransient`; the whole call raced against `close()`.
 *
 * ```
 * attempts:  -#(transport)  ..backoff..  ----r|     → ----r|
 * attempts:  --------timeout#  ..backoff..  ...     → RXSFU_ERR_RPC_TIMEOUT after maxAttempts
 * close():   ----c                                  → ----#(RXSFU_ERR_LEFT), request aborted
 * ```
 */
export function createSignalServerClient(options: SignalServerClientOptions): SignalServerClient {
  const scheduler = options.scheduler ?? asyncScheduler;
  const base = parseBaseUrl(options.url);
  durationOption('timeoutMs', options.timeoutMs, 5000, 1);
  if (!options.token) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'SignalServer client needs a token');
  const agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const closed$ = new Subject<void>();
  let closed = false;
  const call = <Req, Res extends WithSfuError>(method: TwirpMethod<Req, Res>) => (req: Req): Observable<Res> =>
    defer(() => {
      if (closed) return throwError(() => leftError(method.name));
      const aborted$ = closed$.pipe(mergeMap(() => throwError(() => leftError(method.name))));
      return race(attempts$(method, req), aborted$);
    });
  const attempts$ = <Req, Res extends WithSfuError>(method: TwirpMethod<Req, Res>, req: Req): Observable<Res> =>
    defer(() => {
      const encoding = options.encoding ?? 'protobuf';
      const { contentType, body } = encodeTwirpRequest(method, req, encoding);
      return httpRequest$({
        url: `${base.href}/${TWIRP_SERVICE}/${method.name}`,
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': contentType, accept: contentType },
        body,
        agent,
        errorCode: 'RXSFU_ERR_RPC',
      }).pipe(
        map((response) => decodeTwirpResponse(method, response)),
        timeout({ first: options.timeoutMs ?? 5000, with: () => throwError(() => timeoutError(method.name, options)), scheduler }),
        logFailures(method.name, options.logger),
        retryTransient<Res>(options, scheduler),
      );
    });
  return {
    setPublisher$: call(M.SetPublisher),
    sendAnswer$: call(M.SendAnswer),
    iceTrickle$: call(M.IceTrickle),
    updateSubscriptions$: call(M.UpdateSubscriptions),
    updateMuteStates$: call(M.UpdateMuteStates),
    iceRestart$: call(M.IceRestart),
    sendStats$: call(M.SendStats),
    close() {
      if (closed) return;
      closed = true;
      closed$.next();
      closed$.complete();
      agent.destroy();
    },
  };
}

/** Validates the base URL; returns it without a trailing slash, so `${base}/${service}` never doubles it. */
function parseBaseUrl(url: string): { href: string; protocol: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'SignalServer url is not a URL', { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `SignalServer url must be http(s), got ${parsed.protocol}`);
  }
  return { href: parsed.href.replace(/\/+$/, ''), protocol: parsed.protocol };
}

function leftError(methodName: string): RxsfuError {
  return rxsfuError('RXSFU_ERR_LEFT', `${methodName}: the SignalServer client is closed`);
}

function timeoutError(methodName: string, options: SignalServerClientOptions): RxsfuError {
  return rxsfuError('RXSFU_ERR_RPC_TIMEOUT', `${methodName}: no answer in ${options.timeoutMs ?? 5000} ms`);
}

/** Reports each failed attempt (code and message only: neither carries the token). */
function logFailures<T>(methodName: string, logger?: RpcLogger): MonoTypeOperatorFunction<T> {
  return tap({
    error: (err: RxsfuError) => logger?.debug(`twirp ${methodName} attempt failed`, { code: err.code, message: err.message }),
  });
}
