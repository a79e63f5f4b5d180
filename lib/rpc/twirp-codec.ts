/**
 * Twirp bodies both ways, and the three ways a Twirp answer can fail (WIRE.md "RPC"):
 * a non-2xx Twirp JSON error, a 2xx carrying `models.Error`, or a body that does not decode.
 * Each becomes one typed RxsfuError; nothing here does I/O.
 */
import { errorMessage, rxsfuError, RxsfuError } from '../errors.js';
import type { HttpResponse } from '../http/request.js';
import { mediaType } from '../http/request.js';
import { decodeMessage, encodeMessage, parseProto3Json, toProto3Json, ProtocolError } from '../protocol/index.js';
import type { TwirpMethod, WithSfuError } from './twirp-methods.js';
import { foreignText } from '../foreign-text.js';

export type TwirpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Record<TwirpEncoding, string> = {
  protobuf: 'application/protobuf',
  json: 'application/json',
};

export interface TwirpBody {
  contentType: string;
  body: Uint8Array | string;
}

/** Request message → body. A message the codec rejects is the caller's mistake: RXSFU_ERR_INVALID_ARGUMENT. */
export function encodeTwirpRequest<Req>(method: TwirpMethod<Req, WithSfuError>, request: Req, encoding: TwirpEncoding): TwirpBody {
  const invalid = method.request.verify(request as { [k: string]: unknown });
  if (invalid) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `${method.name}: invalid request: ${invalid}`);
  try {
    const body = encoding === 'json'
      ? JSON.stringify(toProto3Json(method.request, request as { [k: string]: unknown }))
      : encodeMessage(method.request, request);
    return { contentType: CONTENT_TYPES[encoding], body };
  } catch (err) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `${method.name}: request does not encode: ${errorMessage(err)}`, { cause: err });
  }
}

/** HTTP response → response message, or the typed error it stands for. */
export function decodeTwirpResponse<Res extends WithSfuError>(method: TwirpMethod<unknown, Res>, response: HttpResponse): Res {
  if (response.status < 200 || response.status > 299) throw twirpStatusError(method.name, response);
  const message = decodeBody(method, response);
  if (message.error) throw sfuResponseError(method.name, message.error, response.status);
  return message;
}

function decodeBody<Res extends WithSfuError>(method: TwirpMethod<unknown, Res>, response: HttpResponse): Res {
  const type = mediaType(response.headers);
  const name = `${method.name}Response`;
  try {
    if (type === CONTENT_TYPES.json) return parseProto3Json(method.response, name, response.body.toString('utf8'));
    if (type === CONTENT_TYPES.protobuf) return decodeMessage(method.response, name, response.body);
    throw new ProtocolError(name, response.body.byteLength, new TypeError(`unexpected content type "${type}"`));
  } catch (err) {
    throw rxsfuError('RXSFU_ERR_RPC', `${method.name}: undecodable response: ${errorMessage(err)}`, {
      httpStatus: response.status,
      cause: err,
    });
  }
}

const UNAUTHORIZED_TWIRP_CODES = new Set(['unauthenticated', 'permission_denied']);

/** Non-2xx: read the Twirp `{code, msg, meta}` if there is one; 401/403 are never worth a retry. */
export function twirpStatusError(methodName: string, response: HttpResponse): RxsfuError {
  const twirp = parseTwirpError(response.body);
  const serverCode = twirp?.code;
  const unauthorized = response.status === 401 || response.status === 403 ||
    (serverCode !== undefined && UNAUTHORIZED_TWIRP_CODES.has(serverCode));
  const text = twirp?.msg ? `${foreignText(serverCode)}: ${foreignText(twirp.msg)}` : (serverCode === undefined ? 'no Twirp error body' : foreignText(serverCode));
  return rxsfuError(
    unauthorized ? 'RXSFU_ERR_UNAUTHORIZED' : 'RXSFU_ERR_RPC',
    `${methodName} failed with HTTP ${response.status} (${text})`,
    { httpStatus: response.status, serverCode },
  );
}

function parseTwirpError(body: Buffer): { code?: string; msg?: string } | undefined {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (json === null || typeof json !== 'object') return undefined;
    const { code, msg } = json as { code?: unknown; msg?: unknown };
    return {
      code: typeof code === 'string' ? code : undefined,
      msg: typeof msg === 'string' ? msg : undefined,
    };
  } catch {
    return undefined;
  }
}

/** 2xx with `error`: the SFU refused; `should_retry` decides whether another attempt may help. */
export function sfuResponseError(methodName: string, error: NonNullable<WithSfuError['error']>, httpStatus = 200): RxsfuError {
  return rxsfuError('RXSFU_ERR_RPC', `${methodName} rejected by the SFU (code ${error.code ?? 0}): ${foreignText(error.message)}`, {
    httpStatus,
    sfuErrorCode: error.code ?? 0,
    shouldRetry: error.shouldRetry === true,
  });
}
