/**
 * Twirp over `node:http`, server side: read the body, decode it in the encoding the client chose
 * (`application/protobuf` or `application/json`), answer in the same encoding, and report failures
 * as Twirp JSON errors `{code, msg, meta}` with the status Twirp assigns to each code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeMessage, encodeMessage, parseProto3Json, toProto3Json, type JsonCodec, type MessageCodec } from '../protocol/index.js';
import { errorMessage } from '../errors.js';

export type TwirpEncoding = 'protobuf' | 'json';

/** Twirp error codes the emulator uses, with their HTTP statuses (Twirp spec). */
export const TwirpStatus = {
  bad_route: 404,
  malformed: 400,
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  internal: 500,
} as const;
export type TwirpCode = keyof typeof TwirpStatus;

/** A failure to be answered as a Twirp error. */
export class TwirpFailure extends Error {
  override name = 'TwirpFailure';
  constructor(readonly twirpCode: TwirpCode, message: string) {
    super(message);
  }
}

/** A generated message class usable for both encodings. */
export type TwirpMessageType<T, Init> = MessageCodec<T, Init> & JsonCodec<T>;

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Which encoding a request uses, from its Content-Type; `undefined` when it is neither. */
export function requestEncoding(req: IncomingMessage): TwirpEncoding | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new TwirpFailure('malformed', `body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Decodes a request body; any decoding failure becomes a `malformed` Twirp failure. */
export function decodeBody<T, Init>(type: TwirpMessageType<T, Init>, name: string, body: Buffer, encoding: TwirpEncoding): T {
  try {
    return encoding === 'json' ? parseProto3Json(type, name, body.toString('utf8')) : decodeMessage(type, name, body);
  } catch (err) {
    throw new TwirpFailure('malformed', `the ${encoding} body does not decode as ${name}: ${errorMessage(err)}`);
  }
}

export function writeMessage<T, Init>(res: ServerResponse, type: TwirpMessageType<T, Init>, message: Init, encoding: TwirpEncoding): void {
  if (encoding === 'json') {
    const body = JSON.stringify(toProto3Json(type, message as { [k: string]: unknown }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } else {
    res.writeHead(200, { 'content-type': 'application/protobuf' }).end(Buffer.from(encodeMessage(type, message)));
  }
}

export function writeTwirpError(res: ServerResponse, code: TwirpCode, msg: string): void {
  if (res.headersSent) return;
  res.writeHead(TwirpStatus[code], { 'content-type': 'application/json' }).end(JSON.stringify({ code, msg, meta: {} }));
}
