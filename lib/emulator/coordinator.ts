/**
 * The coordinator's one endpoint an agent needs: `POST /video/call/{type}/{id}/join?api_key=KEY`.
 * It checks the user JWT and the API key, creates the call when asked, picks an SFU (least loaded,
 * round-robin on ties, never one named in `migrating_from` / `migrating_from_list` when another is
 * alive) and answers with credentials holding an SFU token for that SFU. Like the real API it
 * requires `location` in the body (400 without it) and records the value.
 *
 * Errors are Stream-style JSON `{code, message, StatusCode, duration, more_info}`. Stream codes used
 * (from Stream's published API error table): 2 API key invalid, 4 input error, 5 authentication
 * error, 16 does not exist, 17 not allowed, 40 token expired, 43 token signature invalid, -1 internal
 * error. A join of an ended call (`emu.endCall`, the `callEnded` fault) is 403 / 17 naming the
 * JoinEndedCall action a user needs to join an ended call, with `unrecoverable: true`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SchedulerLike } from 'rxjs';
import type { CallRegistry } from './call-registry.js';
import { signSfuToken, verifyUserToken, TokenRejected, type TokenProblem } from './jwt.js';
import type { Logger } from '../logger.js';
import type { EmulatorRecords } from './records.js';
import type { SfuServer } from './sfu-server.js';
import { errorMessage } from '../errors.js';
import { claimedUserId, type NetworkCuts } from './network.js';

/** Stream API error codes the coordinator answers with. */
export const StreamErrorCode = {
  INTERNAL: -1,
  API_KEY_INVALID: 2,
  INPUT: 4,
  AUTHENTICATION: 5,
  DOES_NOT_EXIST: 16,
  NOT_ALLOWED: 17,
  TOKEN_EXPIRED: 40,
  TOKEN_SIGNATURE_INVALID: 43,
} as const;

const TOKEN_CODES: Record<TokenProblem, number> = {
  malformed: StreamErrorCode.AUTHENTICATION,
  claims: StreamErrorCode.AUTHENTICATION,
  signature: StreamErrorCode.TOKEN_SIGNATURE_INVALID,
  expired: StreamErrorCode.TOKEN_EXPIRED,
};

const JOIN_PATH = /^\/video\/call\/([^/]+)\/([^/]+)\/join$/;

export interface CoordinatorOptions {
  host: string;
  apiKey: string;
  apiSecret: string;
  registry: CallRegistry;
  records: EmulatorRecords;
  sfus: () => readonly SfuServer[];
  logger: Logger;
  /** The emulator's clock: stamps the records. */
  scheduler: SchedulerLike;
  /** What clients are told about an SFU (see `EmulatorOptions.sfuAddress`). */
  sfuAddress?: (sfu: SfuAddress) => SfuAddress;
  /** The emulator's network cuts: a cut user's requests wait until restored. @default none */
  network?: NetworkCuts;
  /** Lifetime of the SFU tokens it hands out (see `EmulatorOptions.sfuTokenValiditySeconds`). */
  sfuTokenValiditySeconds?: number;
  /** `credentials.ice_servers` of every join (see `EmulatorOptions.iceServers`). */
  iceServers?: readonly { urls: string[]; username?: string; password?: string }[];
}

/** An SFU's id and where clients reach it (Twirp base URL, signaling WebSocket). */
interface SfuAddress {
  id: string;
  url: string;
  wsEndpoint: string;
}

class HttpFailure extends Error {
  constructor(readonly status: number, readonly streamCode: number, message: string, readonly unrecoverable?: boolean) {
    super(message);
  }
}

interface JoinBody {
  create?: boolean;
  location: string;
  migrating_from?: string;
  migrating_from_list?: string[];
}

export class Coordinator {
  private server: Server | undefined;
  private port = 0;
  private roundRobin = 0;
  private readonly failures: number[] = [];
  private stalls = 0;
  private readonly stalled = new Set<ServerResponse>();

  private constructor(private readonly options: CoordinatorOptions) {}

  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    const coordinator = new Coordinator(options);
    const server = createServer((req, res) => void coordinator.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, options.host, () => resolve());
    });
    const address = server.address();
    coordinator.port = typeof address === 'object' && address ? address.port : 0;
    coordinator.server = server;
    return coordinator;
  }

  get url(): string {
    return `http://${this.options.host}:${this.port}`;
  }

  /** The next `count` joins answer `status` (a Stream error). */
  failJoins(count: number, status = 500): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  /** The next `count` joins are read and never answered (until the emulator closes). */
  stallJoins(count: number): void {
    this.stalls += count;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const res of this.stalled) res.destroy();
    this.stalled.clear();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A cut user's request is held (TCP-faithful: it arrives when the network is back).
    await this.options.network?.passable(claimedUserId(req.headers.authorization));
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const match = JOIN_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      sendError(res, started, new HttpFailure(404, StreamErrorCode.DOES_NOT_EXIST, `no route ${req.method} ${url.pathname}`));
      return;
    }
    const callCid = `${decodeURIComponent(match[1]!)}:${decodeURIComponent(match[2]!)}`;
    const body = await readText(req);
    if (this.applyFault(res, started, callCid)) return;
    try {
      const answer = await this.join(req, url, callCid, body);
      sendJson(res, 200, { ...answer, duration: duration(started) });
    } catch (err) {
      const failure = err instanceof HttpFailure ? err : new HttpFailure(500, StreamErrorCode.INTERNAL, 'internal error');
      this.options.records.coordinatorJoins.push({ at: this.options.scheduler.now(), callCid, status: failure.status, migratingFromList: [] });
      sendError(res, started, failure);
    }
  }

  private applyFault(res: ServerResponse, started: bigint, callCid: string): boolean {
    const status = this.failures.shift();
    if (status !== undefined) {
      this.options.records.coordinatorJoins.push({ at: this.options.scheduler.now(), callCid, status, migratingFromList: [], fault: 'fail' });
      sendError(res, started, new HttpFailure(status, StreamErrorCode.INTERNAL, `emulator fault: join failed with ${status}`));
      return true;
    }
    if (this.stalls > 0) {
      this.stalls--;
      this.options.records.coordinatorJoins.push({ at: this.options.scheduler.now(), callCid, status: 0, migratingFromList: [], fault: 'stall' });
      this.stalled.add(res);
      res.on('close', () => this.stalled.delete(res));
      return true;
    }
    return false;
  }

  private async join(req: IncomingMessage, url: URL, callCid: string, text: string) {
    const { apiKey, apiSecret, registry, records } = this.options;
    if (url.searchParams.get('api_key') !== apiKey) throw new HttpFailure(401, StreamErrorCode.API_KEY_INVALID, 'api_key not valid');
    const userId = await authenticate(apiSecret, req.headers.authorization);
    const body = parseBody(text);
    if (registry.isEnded(callCid)) {
      const type = callCid.slice(0, callCid.indexOf(':'));
      const message = `JoinCall failed with error: "User '${userId}' with role 'user' is not allowed to perform action JoinEndedCall in scope 'video:${type}'"`;
      throw new HttpFailure(403, StreamErrorCode.NOT_ALLOWED, message, true);
    }
    const exists = registry.getCall(callCid) !== undefined;
    if (!exists && !body.create) throw new HttpFailure(404, StreamErrorCode.DOES_NOT_EXIST, `call ${callCid} does not exist`);
    const { call, created } = registry.ensureCall(callCid, userId);
    const migratingFromList = [...(body.migrating_from_list ?? [])];
    const sfu = this.pickSfu(callCid, [body.migrating_from ?? '', ...migratingFromList]);
    const token = await signSfuToken(apiSecret, { userId, callCid, sfuId: sfu.id }, this.options.sfuTokenValiditySeconds);
    const own: SfuAddress = { id: sfu.id, url: sfu.url, wsEndpoint: sfu.wsEndpoint };
    const address = this.options.sfuAddress?.(own) ?? own;
    records.coordinatorJoins.push({ at: this.options.scheduler.now(), callCid, userId, status: 200, sfuId: sfu.id, migratingFrom: body.migrating_from, migratingFromList, location: body.location });
    return {
      call: callResponse(call, this.options.registry.sessions(callCid).length),
      members: [],
      own_capabilities: ['join-call', 'send-audio', 'send-video', 'screenshare', 'update-call'],
      created,
      credentials: {
        server: { edge_name: sfu.id, url: address.url, ws_endpoint: address.wsEndpoint },
        token,
        ice_servers: this.options.iceServers ?? [],
      },
      stats_options: { reporting_interval_ms: 10000, enable_rtc_stats: false },
    };
  }

  /**
   * Among the alive SFUs not excluded: one already hosting the call (media crosses SFUs through the
   * track bus, but co-locating a call keeps the common case on one SFU), else the least loaded,
   * round-robin among equals.
   */
  private pickSfu(callCid: string, excluded: string[]): SfuServer {
    const alive = this.options.sfus().filter((s) => s.alive);
    const allowed = alive.filter((s) => !excluded.includes(s.id));
    const candidates = allowed.length > 0 ? allowed : alive;
    if (candidates.length === 0) throw new HttpFailure(503, StreamErrorCode.INTERNAL, 'no SFU is available');
    const hosting = new Set(this.options.registry.sessions(callCid).map((s) => s.sfuId));
    const preferred = candidates.filter((s) => hosting.has(s.id));
    const pool = preferred.length > 0 ? preferred : candidates;
    const least = Math.min(...pool.map((s) => s.sessions.size));
    const tied = pool.filter((s) => s.sessions.size === least);
    return tied[this.roundRobin++ % tied.length]!;
  }
}

async function authenticate(secret: string, header: string | undefined): Promise<string> {
  const token = (header ?? '').replace(/^Bearer\s+/i, '').trim();
  if (!token) throw new HttpFailure(401, StreamErrorCode.AUTHENTICATION, 'missing Authorization header');
  try {
    return await verifyUserToken(secret, token);
  } catch (err) {
    const problem = err instanceof TokenRejected ? err.problem : 'malformed';
    throw new HttpFailure(401, TOKEN_CODES[problem], errorMessage(err));
  }
}

function parseBody(text: string): JoinBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpFailure(400, StreamErrorCode.INPUT, 'body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpFailure(400, StreamErrorCode.INPUT, 'body must be a JSON object');
  const { create, migrating_from: from, migrating_from_list: list } = body as Record<string, unknown>;
  const validList = list === undefined || list === null || (Array.isArray(list) && list.every((s) => typeof s === 'string'));
  if (!validList || (from !== undefined && from !== null && typeof from !== 'string')) {
    throw new HttpFailure(400, StreamErrorCode.INPUT, 'migrating_from must be a string and migrating_from_list an array of strings');
  }
  // The one field the API requires (the official client's JoinCallRequest has only `location` non-optional).
  const { location } = body as Record<string, unknown>;
  if (typeof location !== 'string' || location === '') {
    throw new HttpFailure(400, StreamErrorCode.INPUT, 'JoinCall failed with error: "location is a required field"');
  }
  return { create: create === true, location, migrating_from: (from as string | null) || undefined, migrating_from_list: (list as string[] | null) ?? [] };
}

function callResponse(call: { cid: string; type: string; id: string; createdBy: string; createdAtMs: number }, participants: number) {
  const createdAt = new Date(call.createdAtMs).toISOString();
  return {
    cid: call.cid,
    type: call.type,
    id: call.id,
    created_by: { id: call.createdBy },
    created_at: createdAt,
    updated_at: createdAt,
    backstage: false,
    session: { participants_count: participants },
    settings: {},
  };
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function duration(started: bigint): string {
  return `${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(2)}ms`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, started: bigint, failure: HttpFailure): void {
  sendJson(res, failure.status, {
    code: failure.streamCode,
    message: failure.message,
    StatusCode: failure.status,
    duration: duration(started),
    more_info: 'https://getstream.io/video/docs/api/errors/',
    details: [],
    ...(failure.unrecoverable ? { unrecoverable: true } : {}),
  });
}
