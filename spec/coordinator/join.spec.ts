import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { coordinatorJoin$, joinRequestBody, type CoordinatorJoinOptions } from '../../lib/coordinator/index.js';
import { reply, rxsfuFailure, startTestServer, type TestHandler, type TestServer } from '../http/test-server.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';

const USER_JWT = 'user.jwt.value';
const SFU_TOKEN = 'sfu-token-value';

const JOIN_RESPONSE = {
  call: { cid: 'default:abc', type: 'default', id: 'abc' },
  members: [{ user_id: 'agent' }],
  own_capabilities: ['send-audio', 'join-call'],
  created: true,
  duration: '3.2ms',
  credentials: {
    server: { edge_name: 'sfu-a', url: 'http://127.0.0.1:1/twirp', ws_endpoint: 'ws://127.0.0.1:1/ws' },
    token: SFU_TOKEN,
    ice_servers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', password: 'p' }],
  },
  stats_options: { reporting_interval_ms: 10000, enable_rtc_stats: true },
};

describe('coordinator: coordinatorJoin$ (real HTTP)', () => {
  let server: TestServer | undefined;
  const start = async (handler: TestHandler) => {
    server = await startTestServer(handler);
    return (extra: Partial<CoordinatorJoinOptions> = {}): CoordinatorJoinOptions => ({
      baseUrl: server!.origin, apiKey: 'key-1', token: USER_JWT, callType: 'default', callId: 'abc', location: 'AMS', ...extra,
    });
  };
  const json = (status: number, body: unknown): TestHandler => (_req, res) => reply(res, status, 'application/json', JSON.stringify(body));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the documented request: path, api_key query, JWT headers, snake_case JSON body', async () => {
    const options = await start(json(201, JOIN_RESPONSE));
    await firstValueFrom(coordinatorJoin$(options({ create: true, location: 'AMS', data: { custom: { a: 1 } } })));
    const [req] = server!.requests;
    expect(req!.method).to.equal('POST');
    expect(req!.url).to.equal('/video/call/default/abc/join?api_key=key-1');
    expect(req!.headers.authorization).to.equal(USER_JWT);
    expect(req!.headers['stream-auth-type']).to.equal('jwt');
    expect(req!.headers['content-type']).to.equal('application/json');
    expect(JSON.parse(req!.body.toString('utf8'))).to.deep.equal({
      create: true, data: { custom: { a: 1 } }, ring: false, notify: false, video: true, location: 'AMS',
    });
  });

  it('parses the snake_case answer into camelCase credentials', async () => {
    const options = await start(json(200, JOIN_RESPONSE));
    const results = await lastValueFrom(coordinatorJoin$(options()).pipe(toArray()));
    expect(results).to.have.length(1);
    expect(results[0]).to.deep.equal({
      credentials: {
        server: { url: 'http://127.0.0.1:1/twirp', wsEndpoint: 'ws://127.0.0.1:1/ws', edgeName: 'sfu-a' },
        token: SFU_TOKEN,
        iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: 'u', password: 'p' }],
      },
      call: JOIN_RESPONSE.call,
      members: JOIN_RESPONSE.members,
      ownCapabilities: ['send-audio', 'join-call'],
      created: true,
      statsOptions: { reportingIntervalMs: 10000, enableRtcStats: true },
    });
  });

  it('passes migrating_from and migrating_from_list through (MIGRATE)', async () => {
    const options = await start(json(200, JOIN_RESPONSE));
    await firstValueFrom(coordinatorJoin$(options({ migratingFrom: 'sfu-a', migratingFromList: ['sfu-a', 'sfu-b'], membersLimit: 5 })));
    const body = JSON.parse(server!.requests[0]!.body.toString('utf8'));
    expect(body.migrating_from).to.equal('sfu-a');
    expect(body.migrating_from_list).to.deep.equal(['sfu-a', 'sfu-b']);
    expect(body.members_limit).to.equal(5);
    expect(body).not.to.have.property('create');
  });

  it('percent-encodes call type and id and keeps a base path prefix', async () => {
    const options = await start(json(200, JOIN_RESPONSE));
    await firstValueFrom(coordinatorJoin$(options({ baseUrl: `${server!.origin}/api/`, callType: 'live stream', callId: 'a/b?c' })));
    expect(server!.requests[0]!.url).to.equal('/api/video/call/live%20stream/a%2Fb%3Fc/join?api_key=key-1');
  });

  it('401 with Stream error JSON → RXSFU_ERR_UNAUTHORIZED keeping code, status and message', async () => {
    const options = await start(json(401, {
      code: 40, message: 'JWTAuth error: token has expired', StatusCode: 401, duration: '0.1ms', more_info: 'https://x',
    }));
    const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options())));
    expect(err.code).to.equal('RXSFU_ERR_UNAUTHORIZED');
    expect(err.httpStatus).to.equal(401);
    expect(err.serverCode).to.equal(40);
    expect(err.message).to.contain('token has expired');
    expect(err.message).not.to.contain(USER_JWT);
  });

  it('a 403 naming JoinEndedCall (the call has ended) → RXSFU_ERR_CALL_ENDED, not UNAUTHORIZED: the call is over (R13)', async () => {
    const options = await start(json(403, {
      code: 17, StatusCode: 403, unrecoverable: true,
      message: 'JoinCall failed with error: "User \'agent\' with role \'user\' is not allowed to perform action JoinEndedCall in scope \'video:default\'"',
    }));
    const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options())));
    expect(err.code).to.equal('RXSFU_ERR_CALL_ENDED');
    expect(err).to.include({ httpStatus: 403, serverCode: 17 });
    expect(err.message).to.contain('JoinEndedCall');
    // Any other refusal to act stays a credentials problem.
    await server!.close();
    const other = await start(json(403, { code: 17, StatusCode: 403, message: 'User \'agent\' is not allowed to perform action JoinCall' }));
    expect((await rxsfuFailure(firstValueFrom(coordinatorJoin$(other())))).code).to.equal('RXSFU_ERR_UNAUTHORIZED');
  });

  it('other Stream errors → RXSFU_ERR_COORDINATOR with serverCode', async () => {
    const options = await start(json(404, { code: 16, message: 'call not found', StatusCode: 404 }));
    const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options())));
    expect(err.code).to.equal('RXSFU_ERR_COORDINATOR');
    expect(err.httpStatus).to.equal(404);
    expect(err.serverCode).to.equal(16);
  });

  it('garbage bodies → RXSFU_ERR_COORDINATOR (non-JSON 2xx, HTML 502, wrong content type)', async () => {
    const options = await start((_req, res, index) => {
      if (index === 0) reply(res, 200, 'application/json', '{"credentials":');
      else if (index === 1) reply(res, 502, 'text/html', '<html>bad gateway</html>');
      else reply(res, 200, 'text/plain', JSON.stringify(JOIN_RESPONSE));
    });
    for (let i = 0; i < 3; i++) {
      const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options())));
      expect(err.code).to.equal('RXSFU_ERR_COORDINATOR');
    }
  });

  for (const [what, mutate] of [
    ['credentials', (r: any) => delete r.credentials],
    ['credentials.server.url', (r: any) => delete r.credentials.server.url],
    ['credentials.server.ws_endpoint', (r: any) => (r.credentials.server.ws_endpoint = '')],
    ['credentials.token', (r: any) => (r.credentials.token = 42)],
    ['ice_servers', (r: any) => (r.credentials.ice_servers = [{ username: 'x' }])],
  ] as const) {
    it(`a join answer without ${what} → RXSFU_ERR_COORDINATOR "malformed join response"`, async () => {
      const broken = structuredClone(JOIN_RESPONSE);
      mutate(broken);
      const options = await start(json(200, broken));
      const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options())));
      expect(err.code).to.equal('RXSFU_ERR_COORDINATOR');
      expect(err.message).to.contain('malformed join response');
    });
  }

  it('a server that never answers → RXSFU_ERR_COORDINATOR timeout, and the socket is released', async () => {
    const options = await start(() => undefined);
    // Taken with the server up, and checked before it closes: closing it would also close our
    // socket from the far side and hide a leak of ours.
    const before = await resourceBaseline(['TCPSocketWrap', 'Timeout']);
    const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options({ timeoutMs: 50 }))));
    expect(err.code).to.equal('RXSFU_ERR_COORDINATOR');
    expect(err.message).to.contain('timed out');
    expect(await resourceGrowth(before)).to.deep.equal({});
    await server!.close();
    server = undefined;
  });

  it('connection refused → RXSFU_ERR_COORDINATOR with the cause', async () => {
    const options = await start(() => undefined);
    await server!.close();
    const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options())));
    server = undefined;
    expect(err.code).to.equal('RXSFU_ERR_COORDINATOR');
    expect((err.cause as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
  });

  it('is cold, and bad options fail on subscription with RXSFU_ERR_INVALID_ARGUMENT', async () => {
    const options = await start(json(200, JOIN_RESPONSE));
    const join$ = coordinatorJoin$(options());
    expect(server!.requests).to.have.length(0);
    await firstValueFrom(join$);
    expect(server!.requests).to.have.length(1);
    const err = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options({ callId: '' }))));
    expect(err.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
    const bad = await rxsfuFailure(firstValueFrom(coordinatorJoin$(options({ baseUrl: 'not a url' }))));
    expect(bad.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
  });
});

describe('coordinator: joinRequestBody', () => {
  it('always sends ring/notify false and video true, and omits what was not given', () => {
    expect(joinRequestBody({ baseUrl: 'x', apiKey: 'k', token: 't', callType: 'a', callId: 'b' }))
      .to.deep.equal({ ring: false, notify: false, video: true });
  });
});
