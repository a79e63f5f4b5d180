import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { httpRequest$, isHttpTransportError, mediaType } from '../../lib/http/request.js';
import { eventually, reply, rxsfuFailure, startTestServer, type TestServer } from './test-server.js';

describe('http: httpRequest$ (real HTTP)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends method, headers and body; emits status, headers and the whole body once', async () => {
    server = await startTestServer((req, res) => reply(res, 418, 'text/plain; charset=utf-8', `echo:${req.body.toString()}`));
    const response = await firstValueFrom(httpRequest$({
      url: `${server.origin}/p?q=1`, method: 'POST', headers: { 'x-test': 'yes' }, body: 'hello', errorCode: 'RXSFU_ERR_RPC',
    }));
    expect(response.status).to.equal(418);
    expect(response.body.toString()).to.equal('echo:hello');
    expect(mediaType(response.headers)).to.equal('text/plain');
    expect(server.requests[0]!.headers['x-test']).to.equal('yes');
    expect(server.requests[0]!.headers['content-length']).to.equal('5');
    expect(server.requests[0]!.url).to.equal('/p?q=1');
  });

  it('without an agent, the connection is closed after the response (nothing pooled)', async () => {
    server = await startTestServer((_req, res) => reply(res, 200, 'text/plain', 'ok'));
    await firstValueFrom(httpRequest$({ url: server.origin, method: 'GET', errorCode: 'RXSFU_ERR_COORDINATOR' }));
    expect(await eventually(() => server!.openConnections() === 0)).to.equal(true);
  });

  it('unsubscribing before the answer destroys the request', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    server = await startTestServer(() => arrived());
    const subscription = httpRequest$({ url: server.origin, method: 'POST', errorCode: 'RXSFU_ERR_RPC' }).subscribe();
    await requestArrived;
    expect(server.openConnections()).to.equal(1);
    subscription.unsubscribe();
    expect(await eventually(() => server!.openConnections() === 0)).to.equal(true);
  });

  it('a body over maxResponseBytes fails with the caller\'s code', async () => {
    server = await startTestServer((_req, res) => reply(res, 200, 'application/octet-stream', Buffer.alloc(64 * 1024)));
    const err = await rxsfuFailure(firstValueFrom(httpRequest$({
      url: server.origin, method: 'GET', errorCode: 'RXSFU_ERR_COORDINATOR', maxResponseBytes: 1024,
    })));
    expect(err.code).to.equal('RXSFU_ERR_COORDINATOR');
    expect(err.message).to.contain('larger than 1024');
  });

  it('a connection closed mid-body is a transport error, not a short body', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial', () => res.socket?.destroy());
    });
    const err = await rxsfuFailure(firstValueFrom(httpRequest$({ url: server.origin, method: 'GET', errorCode: 'RXSFU_ERR_RPC' })));
    expect(isHttpTransportError(err)).to.equal(true);
    expect(err.code).to.equal('RXSFU_ERR_RPC');
  });

  it('refused connections are transport errors; the message carries no query string', async () => {
    server = await startTestServer(() => undefined);
    const origin = server.origin;
    await server.close();
    server = undefined;
    const err = await rxsfuFailure(firstValueFrom(httpRequest$({ url: `${origin}/x?api_key=k`, method: 'GET', errorCode: 'RXSFU_ERR_COORDINATOR' })));
    expect(isHttpTransportError(err)).to.equal(true);
    expect(err.message).not.to.contain('api_key');
  });

  it('an unsupported scheme is RXSFU_ERR_INVALID_ARGUMENT', async () => {
    const err = await rxsfuFailure(firstValueFrom(httpRequest$({ url: 'ftp://127.0.0.1/', method: 'GET', errorCode: 'RXSFU_ERR_RPC' })));
    expect(err.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
    const notUrl = await rxsfuFailure(firstValueFrom(httpRequest$({ url: 'not a url', method: 'GET', errorCode: 'RXSFU_ERR_RPC' })));
    expect(notUrl.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
  });
});
