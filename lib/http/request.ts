/**
 * The one HTTP adapter shared by the Twirp client and the coordinator join: a `node:http`/`node:https`
 * request as a cold Observable. Subscribing sends the request, the whole response body is emitted
 * once, and unsubscribing aborts the request, so an Rx `timeout` or `race` upstream really frees the
 * socket. Transport failures surface as {@link HttpTransportError} so callers can tell "the network
 * broke" (worth a retry) from "the server answered badly" (usually not).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Observable } from 'rxjs';
import { RxsfuError, rxsfuError, type RxsfuErrorCode, type RxsfuErrorDetails } from '../errors.js';

/** 4 MiB: far above any Twirp or join answer, low enough that a runaway peer cannot exhaust memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface HttpRequest {
  /** Absolute `http:` or `https:` URL. */
  url: string | URL;
  method: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Connection pool; the caller owns it and destroys it. Default: a fresh agent without keep-alive. */
  agent?: http.Agent;
  /** Error code for transport failures, so each caller keeps its own vocabulary (RPC, COORDINATOR). */
  errorCode: RxsfuErrorCode;
  /**
   * Larger bodies fail with `errorCode` and the request is aborted.
   * @default DEFAULT_MAX_RESPONSE_BYTES
   */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** The network failed (refused, reset, DNS, closed mid-body): no complete answer arrived. */
export class HttpTransportError extends RxsfuError {
  override name = 'HttpTransportError';
  constructor(code: RxsfuErrorCode, message: string, details?: RxsfuErrorDetails) {
    super(code, message, details);
  }
}

export function isHttpTransportError(err: unknown): err is HttpTransportError {
  return err instanceof HttpTransportError;
}

/** Content type without parameters, lower case: `'application/json; charset=utf-8'` → `'application/json'`. */
export function mediaType(headers: http.IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Sends one request; emits the complete response (any status) and completes.
 *
 * ```
 * subscribe ----------------- response arrives
 * --------------------------(r|)
 * unsubscribe before the end: the request is destroyed, nothing is emitted
 * ```
 */
export function httpRequest$(request: HttpRequest): Observable<HttpResponse> {
  return new Observable<HttpResponse>((subscriber) => {
    const url = URL.canParse(String(request.url)) ? new URL(request.url) : undefined;
    if (!url) {
      subscriber.error(rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'request URL is not a URL'));
      return;
    }
    const where = `${request.method} ${url.origin}${url.pathname}`; // no query: it may carry keys
    const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!transport) {
      subscriber.error(rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `unsupported URL scheme ${url.protocol}`));
      return;
    }
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    const fail = (message: string, cause?: unknown): void => {
      subscriber.error(new HttpTransportError(request.errorCode, `${where}: ${message}`, { cause }));
    };
    const req = transport.request(url, {
      method: request.method,
      headers: { ...request.headers, 'content-length': String(body?.byteLength ?? 0) },
      agent: request.agent ?? false,
    });
    let finished = false;
    req.on('error', (err) => fail(err.message, err));
    req.on('response', (res) => {
      const limit = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          subscriber.error(rxsfuError(request.errorCode, `${where}: response larger than ${limit} bytes`));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(err.message, err));
      res.on('end', () => {
        finished = true;
        subscriber.next({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        subscriber.complete();
      });
      res.on('close', () => {
        if (!finished) fail('connection closed before the response ended');
      });
    });
    req.end(body);
    return () => {
      if (!finished) req.destroy();
    };
  });
}
