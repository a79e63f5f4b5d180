/**
 * A killable TCP proxy for end-to-end specs (as LiveKit's tests put one in front of their SFU): real
 * `net` sockets on 127.0.0.1, forwarding to one upstream port, with faults the emulator cannot fake
 * because they live below the WebSocket:
 *
 * - `reset()`: both sides get a TCP RST (the client sees 1006 at once);
 * - `blackhole()`: the connection stays open and nothing passes either way;
 * - `halfOpen()`: our bytes still reach the server, nothing comes back.
 *
 * Each accepted connection is classified from its first bytes (`websocket` for an HTTP Upgrade,
 * `http` otherwise), so a spec can hit the signaling socket and leave Twirp alone. A proxy-wide mode
 * applies the same fault to connections accepted later (e.g. a reconnect into a blackhole).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxiedKind = 'websocket' | 'http' | 'unknown';
export type ProxyFault = 'pass' | 'blackhole' | 'half-open';

/** One client connection through the proxy. */
export interface ProxiedConnection {
  readonly id: number;
  readonly kind: ProxiedKind;
  /** Still open on the client side. */
  readonly open: boolean;
  /** RST to both sides. */
  reset(): void;
  /** Open, nothing passes. */
  blackhole(): void;
  /** Client → server passes, server → client is dropped. */
  halfOpen(): void;
  /** Back to forwarding both ways. */
  heal(): void;
}

export interface TcpProxy {
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ws`, for an SFU's `ws_endpoint`. */
  readonly wsEndpoint: string;
  /** Every connection accepted so far, oldest first. */
  connections(): readonly ProxiedConnection[];
  /** The newest open connection of `kind` (undefined if none). */
  latest(kind: ProxiedKind): ProxiedConnection | undefined;
  /** Fault applied to every connection accepted from now on ('pass' heals new ones). */
  setMode(fault: ProxyFault): void;
  /** Stops accepting and destroys every connection. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `127.0.0.1:<upstreamPort>`. */
export async function startTcpProxy(upstreamPort: number): Promise<TcpProxy> {
  const connections: Connection[] = [];
  let mode: ProxyFault = 'pass';
  const server: Server = createServer((client) => {
    const conn = new Connection(connections.length + 1, client, connect(upstreamPort, '127.0.0.1'));
    conn.apply(mode);
    connections.push(conn);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    wsEndpoint: `ws://127.0.0.1:${port}/ws`,
    connections: () => connections,
    latest: (kind) => connections.filter((c) => c.kind === kind && c.open).at(-1),
    setMode: (fault) => { mode = fault; },
    close: () => new Promise<void>((resolve) => {
      for (const c of connections) c.destroy();
      server.close(() => resolve());
    }),
  };
}

class Connection implements ProxiedConnection {
  kind: ProxiedKind = 'unknown';
  private up = true;
  private down = true;

  constructor(readonly id: number, private readonly client: Socket, private readonly upstream: Socket) {
    client.on('data', (chunk: Buffer) => {
      if (this.kind === 'unknown') this.kind = classify(chunk);
      if (this.up) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.down) client.write(chunk);
    });
    // A close on one side closes the other, as a plain forwarder does; errors end both quietly.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  }

  get open(): boolean {
    return !this.client.destroyed;
  }

  apply(fault: ProxyFault): void {
    this.up = fault === 'pass' || fault === 'half-open';
    this.down = fault === 'pass';
  }

  reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (socket.destroyed) continue;
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
  }

  blackhole(): void { this.apply('blackhole'); }
  halfOpen(): void { this.apply('half-open'); }
  heal(): void { this.apply('pass'); }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }
}

function classify(firstChunk: Buffer): ProxiedKind {
  const head = firstChunk.subarray(0, 2048).toString('latin1').toLowerCase();
  return /^get /.test(head) && head.includes('upgrade: websocket') ? 'websocket' : 'http';
}
