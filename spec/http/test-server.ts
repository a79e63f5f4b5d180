/**
 * A real `node:http` server on 127.0.0.1, port 0, for the rpc / coordinator / http specs.
 * Records every request (path, headers, body) and tears itself down, connections included.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { isRxsfuError, type RxsfuError } from '../../lib/errors.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type TestHandler = (req: RecordedRequest, res: http.ServerResponse, index: number) => void;

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: RecordedRequest[];
  /** Connections the server still holds open (it never times idle ones out, so only the client closes them). */
  openConnections(): number;
  close(): Promise<void>;
}

export async function startTestServer(handler: TestHandler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      handler(recorded, res, requests.length - 1);
    });
  });
  server.keepAliveTimeout = 0; // idle keep-alive sockets stay until the client closes them
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    openConnections: () => sockets.size,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Writes a complete response. */
export function reply(res: http.ServerResponse, status: number, contentType: string, body: Uint8Array | string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

/** Waits (bounded) until `condition()` holds; returns its last value. */
export async function eventually(condition: () => boolean, limitMs = 2000): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  return condition();
}

/** Awaits `promise`, which must reject with an RxsfuError; returns that error for further checks. */
export async function rxsfuFailure(promise: Promise<unknown>): Promise<RxsfuError> {
  try {
    await promise;
  } catch (err) {
    expect(isRxsfuError(err), String(err)).to.equal(true);
    return err as RxsfuError;
  }
  throw new Error('expected a failure');
}
