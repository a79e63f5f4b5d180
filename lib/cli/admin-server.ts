/**
 * The HTTP admin endpoint of `rxsfu emulator`: faults and records from another process, so agents
 * written in any language can be tested against the emulator. JSON in, JSON out.
 *
 *   GET  /                                   coordinator URL, API key and secret, SFUs
 *   GET  /sessions[?call=type:id]            live participants
 *   GET  /sessions/SESSION_ID/published      RTP packets the SFUs received from that session, per track type
 *   GET  /records                            everything the emulator recorded
 *   POST /token           {userId, validitySeconds?}          → {token}
 *   POST /participants    {callId, userId, callType?, audio?, video?, sfuId?} → the participant
 *   POST /calls/TYPE:ID/end                  ends the call: call_ended to everyone, later joins refused (403)
 *   POST /faults/session/SESSION_ID/FAULT    {args: [...]}  (destroyTcp, close, goSilent, resume,
 *                                            delayFrames, sendError, goAway, callEnded, dropMedia,
 *                                            setVideoLayersActive [active, trackType?], changePublishOptions [options, reason?])
 *   POST /faults/sfu/SFU_ID/FAULT            {args: [...]}  (the session faults, rejectJoins, kill, restart)
 *   POST /faults/coordinator/FAULT           {args: [...]}  (failJoins, stallJoins)
 *   POST /faults/network/USER_ID/cut|restore  one client's whole network (signaling, Twirp, coordinator, UDP)
 * Errors: 400/404 with {error}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from '../emulator/index.js';
import { errorMessage } from '../errors.js';

const SESSION_FAULTS = ['destroyTcp', 'close', 'goSilent', 'resume', 'delayFrames', 'sendError', 'goAway', 'callEnded', 'dropMedia', 'setVideoLayersActive', 'changePublishOptions'];
const SFU_FAULTS = ['destroyTcp', 'close', 'goSilent', 'resume', 'delayFrames', 'sendError', 'goAway', 'callEnded', 'rejectJoins', 'kill', 'restart'];
const COORDINATOR_FAULTS = ['failJoins', 'stallJoins'];
const NETWORK_FAULTS = ['cut', 'restore'];

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startAdminServer(emu: Emulator, port: number, host = '127.0.0.1'): Promise<AdminServer> {
  const server: Server = createServer((req, res) => void handle(emu, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function handle(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://admin');
    const body = req.method === 'POST' ? await readJson(req) : {};
    const answer = await route(emu, req.method ?? 'GET', url, body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer ?? { ok: true }));
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 400;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: errorMessage(err) }));
  }
}

async function route(emu: Emulator, method: string, url: URL, body: Record<string, unknown>): Promise<unknown> {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const key = `${method} ${parts[0] ?? ''}`;
  switch (key) {
    case 'GET ':
      return { coordinatorUrl: emu.coordinatorUrl, apiKey: emu.apiKey, apiSecret: emu.apiSecret, sfus: emu.sfus };
    case 'GET sessions':
      if (parts[1] !== undefined) {
        if (parts[2] !== 'published') throw new HttpError(404, 'GET /sessions/SESSION_ID/published');
        return emu.publishedPackets(parts[1]);
      }
      return emu.liveSessions(url.searchParams.get('call') ?? undefined);
    case 'GET records':
      return emu.records;
    case 'POST token':
      return { token: await emu.createUserToken(String(body['userId'] ?? 'agent'), typeof body['validitySeconds'] === 'number' ? body['validitySeconds'] : undefined) };
    case 'POST participants': {
      const p = await emu.addParticipant(body as never);
      return { sessionId: p.sessionId, userId: p.userId, callCid: p.callCid, sfuId: p.sfuId };
    }
    case 'POST calls':
      if (parts[2] !== 'end' || !parts[1]) throw new HttpError(404, 'POST /calls/TYPE:ID/end');
      await emu.endCall(parts[1]);
      return undefined;
    case 'POST faults':
      return fault(emu, parts.slice(1), Array.isArray(body['args']) ? body['args'] : []);
    default:
      throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }
}

async function fault(emu: Emulator, path: string[], args: unknown[]): Promise<unknown> {
  const [scope, a, b] = path;
  const [target, name, allowed] = scope === 'session' ? [emu.faults.session(a ?? ''), b, SESSION_FAULTS]
    : scope === 'sfu' ? [emu.faults.sfu(a ?? ''), b, SFU_FAULTS]
    : scope === 'coordinator' ? [emu.faults.coordinator, a, COORDINATOR_FAULTS]
    : scope === 'network' ? [emu.faults.network(a ?? ''), b, NETWORK_FAULTS]
    : [undefined, undefined, []];
  if (!target || !name || !allowed.includes(name)) {
    throw new HttpError(404, `unknown fault ${path.join('/')}: session/ID/{${SESSION_FAULTS}}, sfu/ID/{${SFU_FAULTS}}, coordinator/{${COORDINATOR_FAULTS}}, network/USER_ID/{${NETWORK_FAULTS}}`);
  }
  const fn = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
  await fn.apply(target, args);
  return undefined;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) req.destroy(new Error('body over 64 KiB'));
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      try {
        const value: unknown = text === '' ? {} : JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the body must be a JSON object');
        resolve(value as Record<string, unknown>);
      } catch (err) {
        reject(new HttpError(400, errorMessage(err)));
      }
    });
  });
}
