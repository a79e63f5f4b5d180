/**
 * A real `ws` server on 127.0.0.1, port 0, standing in for the SFU's signaling endpoint: it decodes
 * what the client sends with `decodeSfuRequest` and answers with `encodeSfuEvent`. Tests script it.
 */
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeSfuRequest, encodeSfuEvent, type SfuEventInit, type SfuRequest } from '../../lib/protocol/index.js';

/** Values that arrive before anyone waits for them are kept, in order. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(): Promise<T> {
    const item = this.items.shift();
    return item !== undefined ? Promise.resolve(item) : new Promise((resolve) => this.waiters.push(resolve));
  }
  get size(): number {
    return this.items.length;
  }
}

/** The server side of one client socket. */
export class TestSfuSocket {
  readonly requests = new AsyncQueue<SfuRequest>();
  readonly received: SfuRequest[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: WebSocket, readonly headers: IncomingHttpHeaders = {}) {
    ws.on('message', (data: Buffer) => {
      const request = decodeSfuRequest(data);
      this.received.push(request);
      this.requests.push(request);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }
  send(event: SfuEventInit): void {
    this.ws.send(encodeSfuEvent(event));
  }
  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }
  /** Answers health checks with a participant count, for as long as the socket lives. */
  answerHealthChecks(): void {
    this.ws.on('message', (data: Buffer) => {
      if (decodeSfuRequest(data).healthCheckRequest) this.send({ healthCheckResponse: { participantCount: { total: 1 } } });
    });
  }
}

export class TestSfu {
  readonly sockets = new AsyncQueue<TestSfuSocket>();
  private constructor(private readonly server: WebSocketServer, readonly url: string) {
    server.on('connection', (ws, request) => this.sockets.push(new TestSfuSocket(ws, request.headers)));
  }
  static async start(): Promise<TestSfu> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return new TestSfu(server, `ws://127.0.0.1:${port}/ws`);
  }
  /** Kills every client connection, then stops listening. */
  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP server that accepts connections and never answers the HTTP upgrade. */
export class SilentTcpServer {
  private readonly connections = new Set<Socket>();
  /** One value per accepted connection that the client closed. */
  readonly closes = new AsyncQueue<true>();
  private constructor(private readonly server: Server, readonly url: string) {
    server.on('connection', (socket) => {
      this.connections.add(socket);
      socket.resume(); // read (and drop) the upgrade request, so the client's FIN is seen
      socket.on('error', () => {});
      socket.on('close', () => {
        this.connections.delete(socket);
        this.closes.push(true);
      });
    });
  }
  static async start(): Promise<SilentTcpServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return new SilentTcpServer(server, `ws://127.0.0.1:${port}/ws`);
  }
  get openConnections(): number {
    return this.connections.size;
  }
  async stop(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Mocha hooks: a fresh TestSfu before each test, stopped (clients killed) after it. */
export function useTestSfu(): () => TestSfu {
  let sfu: TestSfu | undefined;
  beforeEach(async () => {
    sfu = await TestSfu.start();
  });
  afterEach(async () => {
    await sfu?.stop();
    sfu = undefined;
  });
  return () => {
    if (!sfu) throw new Error('useTestSfu: no server outside a test');
    return sfu;
  };
}

/** A ws:// URL on which nothing listens (a port that was just freed). */
export async function refusingUrl(): Promise<string> {
  const tcp = await SilentTcpServer.start();
  await tcp.stop();
  return tcp.url;
}
