/**
 * The killable TCP proxy itself, over real sockets: it forwards, classifies, and each fault does what
 * its name says (reset: the client gets ECONNRESET; blackhole: nothing passes; half-open: only the
 * client's bytes pass), and close() leaves nothing open.
 */
import { expect } from 'chai';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { resourceBaseline, resourceGrowth } from './resources.js';
import { until } from '../emulator/support/until.js';

describe('spec support: killable TCP proxy', function () {
  this.timeout(10000);
  let echo: Server;
  let proxy: TcpProxy;
  let serverSeen: string;
  let client: Socket;
  let clientSeen: string;
  let accepted: Socket[] = [];

  beforeEach(async () => {
    serverSeen = '';
    clientSeen = '';
    echo = createServer((socket) => {
      accepted.push(socket);
      socket.on('data', (chunk) => { serverSeen += chunk.toString(); socket.write(`echo:${chunk.toString()}`); });
      socket.on('error', () => undefined);
    });
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    proxy = await startTcpProxy((echo.address() as { port: number }).port);
    client = connect(proxy.port, '127.0.0.1');
    client.on('data', (chunk) => { clientSeen += chunk.toString(); });
    client.on('error', () => undefined);
    await once(client, 'connect');
  });

  afterEach(async () => {
    client.destroy();
    await proxy.close();
    accepted.forEach((s) => s.destroy());
    accepted = [];
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards both ways and classifies an HTTP Upgrade as a websocket', async () => {
    client.write('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n');
    await until(() => clientSeen.startsWith('echo:GET /ws'), 5000, 'the echo');
    expect(proxy.latest('websocket')?.id).to.equal(1);
    expect(proxy.latest('http')).to.equal(undefined);
  });

  it('reset: the client sees ECONNRESET at once', async () => {
    client.write('hello');
    await until(() => clientSeen === 'echo:hello', 5000, 'the echo');
    const errored = once(client, 'error');
    proxy.connections()[0]!.reset();
    const [error] = await errored as [NodeJS.ErrnoException];
    expect(error.code).to.equal('ECONNRESET');
  });

  it('blackhole: the socket stays open and nothing passes; heal() forwards again', async () => {
    proxy.connections()[0]!.blackhole();
    client.write('lost');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([serverSeen, clientSeen, client.destroyed]).to.deep.equal(['', '', false]);
    proxy.connections()[0]!.heal();
    client.write('back');
    await until(() => clientSeen === 'echo:back', 5000, 'the echo after heal');
  });

  it('half-open: our bytes reach the server, nothing comes back; setMode applies to new connections', async () => {
    proxy.connections()[0]!.halfOpen();
    client.write('out');
    await until(() => serverSeen === 'out', 5000, 'the bytes at the server');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(clientSeen).to.equal('');
    proxy.setMode('blackhole');
    const second = connect(proxy.port, '127.0.0.1');
    second.on('error', () => undefined);
    await once(second, 'connect');
    second.write('x');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(serverSeen).to.equal('out');
    second.destroy();
  });

  it('close() destroys every connection: nothing is left open', async () => {
    const before = await resourceBaseline(['TCPServerWrap', 'TCPSocketWrap']);
    const extra = await startTcpProxy((echo.address() as { port: number }).port);
    const socket = connect(extra.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'connect');
    await until(() => extra.connections().length === 1, 5000, 'the connection at the proxy');
    socket.write('ping');
    await until(() => serverSeen === 'ping', 5000, 'the bytes through the new proxy');
    await extra.close();
    await until(() => socket.destroyed || socket.readyState === 'closed', 5000, 'the client closed by the proxy');
    socket.destroy();
    // The echo server's side of the connection is the test's own; close it like the other sockets.
    accepted.forEach((s) => s.destroy());
    expect(await resourceGrowth(before)).to.deep.equal({});
  });
});
