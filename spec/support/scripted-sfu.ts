/**
 * A scripted SFU for hostile-input specs, the fuzzer and the large-call benchmark: one real
 * `node:http` server on 127.0.0.1 (port 0) that takes the signaling WebSocket at `/ws` and answers
 * every Twirp call at `/twirp/…` with an empty success (a zero-byte protobuf message is a valid
 * message of every type). What it says on the socket is up to the script: by default it answers the
 * JoinRequest with a `join_response` listing only the joiner, and answers health checks.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Credentials } from '../../lib/coordinator/index.js';
import { decodeSfuRequest, encodeSfuEvent, type SfuEventInit, type SfuRequest } from '../../lib/protocol/index.js';

/** The server side of one client socket. */
export interface ScriptedSocket {
  readonly ws: WebSocket;
  /** The JoinRequest that opened this session. */
  readonly join: SfuRequest;
  send(event: SfuEventInit): void;
  sendRaw(bytes: Uint8Array | string): void;
}

/** What the SFU does with a new session's JoinRequest. @default `defaultJoin` */
export type JoinScript = (socket: ScriptedSocket) => void;

export interface ScriptedSfu {
  /** Direct credentials for `joinCall({ credentials })`. */
  readonly credentials: Credentials;
  /** Every session, in join order. */
  readonly sockets: ScriptedSocket[];
  /** Twirp method names called, in order. */
  readonly twirpCalls: string[];
  close(): Promise<void>;
}

/** `join_response` with the joiner as the only participant, then health-check answers. */
export function defaultJoin(socket: ScriptedSocket): void {
  const sessionId = socket.join.joinRequest?.sessionId ?? '';
  socket.send({ joinResponse: { callState: { participants: [{ sessionId, userId: 'agent', trackLookupPrefix: 'agent' }] }, fastReconnectDeadlineSeconds: 10 } });
  socket.ws.on('message', (data: Buffer) => {
    try {
      if (decodeSfuRequest(data).healthCheckRequest) socket.send({ healthCheckResponse: { participantCount: { total: 1 } } });
    } catch {
      // Not ours to judge here.
    }
  });
}

export async function startScriptedSfu(onJoin: JoinScript = defaultJoin): Promise<ScriptedSfu> {
  const sockets: ScriptedSocket[] = [];
  const twirpCalls: string[] = [];
  const tcp = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      twirpCalls.push((req.url ?? '').split('/').pop() ?? '');
      res.writeHead(200, { 'content-type': 'application/protobuf' }).end(Buffer.alloc(0));
    });
  });
  server.keepAliveTimeout = 0;
  server.on('connection', (socket) => {
    tcp.add(socket);
    socket.on('close', () => tcp.delete(socket));
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => {
    ws.once('message', (data: Buffer) => {
      let join: SfuRequest;
      try {
        join = decodeSfuRequest(data);
      } catch {
        ws.close(1002, 'not a JoinRequest');
        return;
      }
      const socket: ScriptedSocket = {
        ws, join,
        send: (event) => ws.readyState === ws.OPEN && ws.send(encodeSfuEvent(event)),
        sendRaw: (bytes) => ws.readyState === ws.OPEN && ws.send(bytes),
      };
      sockets.push(socket);
      onJoin(socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    credentials: {
      server: { url: `http://127.0.0.1:${port}/twirp`, wsEndpoint: `ws://127.0.0.1:${port}/ws`, edgeName: 'scripted-sfu' },
      token: 'scripted-token',
      iceServers: [],
    },
    sockets,
    twirpCalls,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of tcp) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A `participant_joined` of a remote participant publishing audio, numbered `i`. */
export function participantJoined(i: number): SfuEventInit {
  return { participantJoined: { callCid: 'default:big', participant: {
    sessionId: `session-${i}`, userId: `user-${i}`, trackLookupPrefix: `prefix-${i}`, publishedTracks: [1], name: `Participant ${i}`,
  } } };
}
