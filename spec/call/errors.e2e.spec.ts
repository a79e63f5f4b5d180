import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { joinCall, joinCall$, type JoinCallOptions } from '../../lib/call/index.js';
import { createUserToken$ } from '../../lib/coordinator/index.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { RxsfuError, type RxsfuErrorCode } from '../../lib/errors.js';
import { resourceBaseline, resourceGrowth, type ResourceCounts } from '../support/resources.js';
import { CALL_TYPE, collectUnhandledRejections, until } from './e2e-fixture.js';

/** The error `joinCall` rejects with; fails the test if it resolves or rejects with anything but an RxsfuError. */
async function joinError(options: JoinCallOptions): Promise<RxsfuError> {
  const outcome = await joinCall(options).then(
    async (call) => (await call.leave('unexpected join'), new Error('joinCall resolved')),
    (err: unknown) => err,
  );
  expect(outcome, String(outcome)).to.be.instanceOf(RxsfuError);
  return outcome as RxsfuError;
}

function expectCode(err: RxsfuError, code: RxsfuErrorCode): void {
  expect(err.code, err.message).to.equal(code);
}

/** A coordinator that answers every request with `body` (status 200, `contentType`). */
async function garbageCoordinator(contentType: string, body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': contentType, connection: 'close' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('call e2e: bad input fails with a typed error and leaves nothing running', function () {
  this.timeout(30000);
  let rejections: ReturnType<typeof collectUnhandledRejections>;
  let baseline: ResourceCounts;
  let emu: Emulator;
  /** Counts with the emulator up and idle: what the client opened must be gone again before the emulator closes (closing it would hide a client-side leak). */
  let idle: ResourceCounts;
  const expectClientClean = async () => expect(await resourceGrowth(idle), 'client resources before the emulator closes').to.deep.equal({});
  const options = (extra: Partial<JoinCallOptions> = {}): JoinCallOptions => ({
    ...emu.agentOptions('agent', 'bad', CALL_TYPE), ...extra,
  });

  before(() => {
    rejections = collectUnhandledRejections();
  });
  after(() => {
    expect(rejections.stop(), 'unhandled rejections during this file').to.deep.equal([]);
  });
  beforeEach(async () => {
    baseline = await resourceBaseline();
    emu = await startEmulator({ host: '127.0.0.1', sfuCount: 1 });
    idle = await resourceBaseline();
  });
  afterEach(async function () {
    await emu.close();
    if (this.currentTest?.state !== 'passed') return;
    expect(await resourceGrowth(baseline), 'sockets, UDP ports and timers after close').to.deep.equal({});
    expect(emu.liveSessions()).to.deep.equal([]);
  });

  it('a wrong API secret → RXSFU_ERR_UNAUTHORIZED', async () => {
    const err = await joinError(options({ apiSecret: 'not-the-emulator-secret' }));
    expectCode(err, 'RXSFU_ERR_UNAUTHORIZED');
    expect(err.httpStatus).to.equal(401);
    expect(err.message).not.to.include('not-the-emulator-secret');
  });

  it('a user token of another app → RXSFU_ERR_UNAUTHORIZED', async () => {
    const token = await firstValueFrom(createUserToken$({ apiSecret: 'another-app-secret', userId: 'agent' }));
    const err = await joinError(options({ apiSecret: undefined, token }));
    expectCode(err, 'RXSFU_ERR_UNAUTHORIZED');
    expect(err.serverCode).to.equal(43);
    expect(err.message).not.to.include(token);
  });

  it('an expired user token → RXSFU_ERR_UNAUTHORIZED', async () => {
    const token = await emu.createUserToken('agent', -60);
    const err = await joinError(options({ apiSecret: undefined, token }));
    expectCode(err, 'RXSFU_ERR_UNAUTHORIZED');
    expect(err.serverCode).to.equal(40);
  });

  it('an unknown call with create: false → RXSFU_ERR_COORDINATOR keeping the server code', async () => {
    const err = await joinError(options({ callId: 'no-such-call', create: false }));
    expectCode(err, 'RXSFU_ERR_COORDINATOR');
    expect(err.httpStatus).to.equal(404);
    expect(err.serverCode).to.equal(16);
    expect(emu.records.joins, 'no SFU was asked').to.deep.equal([]);
  });

  it('an SFU that never answers the join → RXSFU_ERR_JOIN_TIMEOUT', async () => {
    emu.faults.sfu(emu.sfus[0]!.id).rejectJoins(1, 'never-answer');
    const err = await joinError(options({ joinTimeoutMs: 500 }));
    expectCode(err, 'RXSFU_ERR_JOIN_TIMEOUT');
    await until(() => emu.records.sockets.length === 1, 5000, 'the abandoned socket closed at the SFU');
    await expectClientClean();
  });

  it('a full SFU → RXSFU_ERR_JOIN_REJECTED with sfuErrorCode 700', async () => {
    emu.faults.sfu(emu.sfus[0]!.id).rejectJoins(1, 'sfu-full');
    const err = await joinError(options());
    expectCode(err, 'RXSFU_ERR_JOIN_REJECTED');
    expect(err.sfuErrorCode).to.equal(700);
  });

  it('a coordinator that answers garbage → RXSFU_ERR_COORDINATOR', async () => {
    for (const [type, body] of [['text/html', '<html>hello</html>'], ['application/json', '{"not":"a join response"}'], ['application/json', '{trunc']]) {
      const fake = await garbageCoordinator(type!, body!);
      try {
        const err = await joinError(options({ baseUrl: fake.url }));
        expectCode(err, 'RXSFU_ERR_COORDINATOR');
      } finally {
        await fake.close();
      }
    }
  });

  it('a coordinator that never answers → RXSFU_ERR_COORDINATOR after coordinatorTimeoutMs', async () => {
    emu.faults.coordinator.stallJoins(1);
    const err = await joinError(options({ coordinatorTimeoutMs: 500 }));
    expectCode(err, 'RXSFU_ERR_COORDINATOR');
    expect(emu.records.coordinatorJoins.map((j) => j.fault)).to.deep.equal(['stall']);
    await expectClientClean();
  });

  it('missing options → RXSFU_ERR_INVALID_ARGUMENT, before any request', async () => {
    const bare = { baseUrl: emu.coordinatorUrl, apiKey: emu.apiKey, callType: CALL_TYPE, callId: 'bad' };
    for (const incomplete of [{}, { ...bare, callId: undefined }, { ...bare, apiKey: undefined }, bare, { ...bare, apiSecret: emu.apiSecret }] as JoinCallOptions[]) {
      expectCode(await joinError(incomplete), 'RXSFU_ERR_INVALID_ARGUMENT');
    }
    expect(emu.records.coordinatorJoins).to.deep.equal([]);
  });

  it('joinCall$ unsubscribed while the coordinator is answering → nothing left open', async () => {
    emu.faults.coordinator.stallJoins(1);
    const subscription = joinCall$(options()).subscribe({ error: (err: unknown) => expect.fail(String(err)) });
    await until(() => emu.records.coordinatorJoins.length === 1, 5000, 'the coordinator join to arrive');
    subscription.unsubscribe();
    await expectClientClean();
  });

  it('joinCall$ unsubscribed while the SFU is answering → the socket is closed and no session stays', async () => {
    emu.faults.sfu(emu.sfus[0]!.id).rejectJoins(1, 'never-answer');
    const subscription = joinCall$(options()).subscribe({ error: (err: unknown) => expect.fail(String(err)) });
    await until(() => emu.records.joins.length === 1, 5000, 'the SFU join to arrive');
    subscription.unsubscribe();
    await until(() => emu.records.sockets.length === 1, 5000, 'the socket closed at the SFU');
    expect(emu.records.sockets[0]!.code).not.to.equal(1006);
    await expectClientClean();
  });
});
