/**
 * createSignalConnection against real sockets: a `ws` server on port 0 plays the SFU.
 */
import { expect } from 'chai';
import { firstValueFrom, interval, lastValueFrom, Subject, toArray } from 'rxjs';
import { isRxsfuError, type RxsfuError } from '../../lib/errors.js';
import { ErrorCode, WebsocketReconnectStrategy, type JoinRequest } from '../../lib/protocol/index.js';
import { createSignalConnection, SignalCloseCode, type SignalConnectionOptions } from '../../lib/signaling/index.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';
import { refusingUrl, SilentTcpServer, useTestSfu } from './test-sfu.js';

const joinRequest: JoinRequest = { token: 'sfu-token-secret', sessionId: 'session-1' };
const joinResponse = { joinResponse: { reconnected: false, fastReconnectDeadlineSeconds: 30 } };

async function expectError(promise: Promise<unknown>): Promise<RxsfuError> {
  try {
    await promise;
  } catch (err) {
    expect(isRxsfuError(err), String(err)).to.equal(true);
    return err as RxsfuError;
  }
  throw new Error('expected an error');
}

describe('createSignalConnection (real sockets)', () => {
  const testSfu = useTestSfu();

  const connect = (options: Partial<SignalConnectionOptions> = {}) => createSignalConnection({ url: testSfu().url, ...options });

  /** Opens, lets the server answer the join, returns both sides. */
  async function joined(options: Partial<SignalConnectionOptions> = {}) {
    const signal = connect(options);
    const response = firstValueFrom(signal.join$(joinRequest));
    const server = await testSfu().sockets.next();
    await server.requests.next();
    server.send(joinResponse);
    await response;
    return { signal, server };
  }

  it('sends the JoinRequest as the first frame and emits the JoinResponse once', async () => {
    const signal = connect();
    const states = lastValueFrom(signal.state$.pipe(toArray()));
    const responses = lastValueFrom(signal.join$(joinRequest).pipe(toArray()));
    const server = await testSfu().sockets.next();
    const first = await server.requests.next();
    expect(first.requestPayload).to.equal('joinRequest');
    expect(first.joinRequest?.token).to.equal('sfu-token-secret');
    expect(first.joinRequest?.sessionId).to.equal('session-1');
    server.send(joinResponse);
    expect((await responses).map((r) => r.fastReconnectDeadlineSeconds)).to.deep.equal([30]);
    signal.close(SignalCloseCode.LEAVE, 'done');
    expect(await states).to.deep.equal(['connecting', 'open', 'joined', 'closed']);
  });

  it('fails the join with RXSFU_ERR_JOIN_REJECTED keeping the SFU code and strategy, and closes with 4101', async () => {
    const signal = connect();
    const result = expectError(firstValueFrom(signal.join$(joinRequest)));
    const server = await testSfu().sockets.next();
    await server.requests.next();
    server.send({
      error: {
        error: { code: ErrorCode.ERROR_CODE_SFU_FULL, message: 'full', shouldRetry: true },
        reconnectStrategy: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE,
      },
    });
    const err = await result;
    expect(err.code).to.equal('RXSFU_ERR_JOIN_REJECTED');
    expect(err.sfuErrorCode).to.equal(700);
    expect(err.reconnectStrategy).to.equal(4);
    expect(err.shouldRetry).to.equal(true);
    expect((await server.closed).code).to.equal(SignalCloseCode.JOIN_FAILED);
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
  });

  it('fails with RXSFU_ERR_JOIN_TIMEOUT when the server accepts and never answers, and leaves nothing behind', async () => {
    const before = await resourceBaseline(['TCPSocketWrap', 'Timeout']);
    const signal = connect({ joinTimeoutMs: 200 });
    const err = await expectError(firstValueFrom(signal.join$(joinRequest)));
    expect(err.code).to.equal('RXSFU_ERR_JOIN_TIMEOUT');
    expect(await lastValueFrom(signal.state$)).to.equal('closed');
    const server = await testSfu().sockets.next();
    expect(server.received.map((r) => r.requestPayload)).to.deep.equal(['joinRequest']);
    expect((await server.closed).code).to.equal(SignalCloseCode.JOIN_FAILED);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('fails with RXSFU_ERR_SOCKET_OPEN_TIMEOUT when the upgrade never completes, and drops the TCP connection', async () => {
    const tcp = await SilentTcpServer.start();
    try {
      const signal = createSignalConnection({ url: tcp.url, openTimeoutMs: 200 });
      const err = await expectError(firstValueFrom(signal.join$(joinRequest)));
      expect(err.code).to.equal('RXSFU_ERR_SOCKET_OPEN_TIMEOUT');
      await tcp.closes.next();
      expect(tcp.openConnections).to.equal(0);
      expect(await lastValueFrom(signal.state$)).to.equal('closed');
    } finally {
      await tcp.stop();
    }
  });

  it('fails the join with RXSFU_ERR_SOCKET_ERROR when nothing listens, and reports no loss', async () => {
    const signal = createSignalConnection({ url: await refusingUrl() });
    const err = await expectError(firstValueFrom(signal.join$(joinRequest)));
    expect(err.code).to.equal('RXSFU_ERR_SOCKET_ERROR');
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
  });

  it('fails the join with RXSFU_ERR_SOCKET_CLOSED when the server closes before answering', async () => {
    const signal = connect();
    const result = expectError(firstValueFrom(signal.join$(joinRequest)));
    const server = await testSfu().sockets.next();
    await server.requests.next();
    server.ws.close(1011, 'boom');
    const err = await result;
    expect(err.code).to.equal('RXSFU_ERR_SOCKET_CLOSED');
    expect(err.closeCode).to.equal(1011);
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
  });

  it('delivers every frame in order, then reports a server close (1011) as one loss of kind close and completes events$', async () => {
    const { signal, server } = await joined();
    const events = lastValueFrom(signal.events$.pipe(toArray()));
    server.send({ participantJoined: { participant: { userId: 'a' } } });
    server.send({ participantLeft: { participant: { userId: 'b' } } });
    server.ws.close(1011, 'internal');
    const losses = await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(losses).to.have.length(1);
    expect(losses[0]).to.include({ kind: 'close', closeCode: 1011 });
    expect((await events).map((e) => e.eventPayload)).to.deep.equal(['participantJoined', 'participantLeft']);
    expect(await lastValueFrom(signal.state$)).to.equal('closed');
  });

  it('reports a TCP connection destroyed without a close frame as one loss', async () => {
    const { signal, server } = await joined();
    server.ws.terminate();
    const losses = await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(losses).to.have.length(1);
    expect(losses[0].kind).to.be.oneOf(['close', 'error']);
    if (losses[0].kind === 'close') expect(losses[0].closeCode).to.equal(1006);
  });

  it('surfaces a malformed frame as a ProtocolError and keeps the socket and later frames', async () => {
    const { signal, server } = await joined();
    const protocolErrors = firstValueFrom(signal.protocolErrors$);
    const nextEvent = firstValueFrom(signal.events$);
    server.sendRaw(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    server.send({ participantJoined: { callCid: 'default:1', participant: { userId: 'u2', sessionId: 's2' } } });
    const protocolError = await protocolErrors;
    expect(protocolError.code).to.equal('RXSFU_ERR_MALFORMED_FRAME');
    expect(protocolError.byteLength).to.equal(4);
    const event = await nextEvent;
    expect(event.participantJoined?.participant?.userId).to.equal('u2');
    signal.close(SignalCloseCode.LEAVE, 'done');
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
  });

  it('treats a text frame as malformed, not as a crash', async () => {
    const { signal, server } = await joined();
    const protocolErrors = firstValueFrom(signal.protocolErrors$);
    server.sendRaw('hello');
    expect((await protocolErrors).code).to.equal('RXSFU_ERR_MALFORMED_FRAME');
    signal.close(SignalCloseCode.LEAVE, 'done');
  });

  it('sends frames queued before open after the JoinRequest, in order', async () => {
    const signal = connect();
    signal.send({ leaveCallRequest: { sessionId: 'a', reason: 'first' } });
    signal.send({ leaveCallRequest: { sessionId: 'b', reason: 'second' } });
    const response = firstValueFrom(signal.join$(joinRequest));
    const server = await testSfu().sockets.next();
    const frames = [await server.requests.next(), await server.requests.next(), await server.requests.next()];
    expect(frames.map((f) => f.requestPayload)).to.deep.equal(['joinRequest', 'leaveCallRequest', 'leaveCallRequest']);
    expect(frames.slice(1).map((f) => f.leaveCallRequest?.sessionId)).to.deep.equal(['a', 'b']);
    server.send(joinResponse);
    await response;
    signal.close(SignalCloseCode.LEAVE, 'done');
  });

  it('sends health checks every interval once joined and stays healthy while the server answers', async () => {
    const { signal, server } = await joined({ healthCheckIntervalMs: 30, unhealthyAfterMs: 5000 });
    server.answerHealthChecks();
    for (let i = 0; i < 3; i++) expect((await server.requests.next()).requestPayload).to.equal('healthCheckRequest');
    signal.close(SignalCloseCode.LEAVE, 'done');
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
    expect((await server.closed).code).to.equal(1000);
  });

  it('reports a heartbeat timeout on a silent server, then closes with 4001', async () => {
    const { signal, server } = await joined({ healthCheckIntervalMs: 10_000, unhealthyAfterMs: 150 });
    const losses = await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(losses).to.deep.equal([{ kind: 'heartbeat-timeout', detail: 'no frame for 150 ms' }]);
    expect((await server.closed).code).to.equal(SignalCloseCode.UNHEALTHY);
    expect(await lastValueFrom(signal.state$)).to.equal('closed');
    expect(() => signal.send({ healthCheckRequest: {} })).to.throw().with.property('code', 'RXSFU_ERR_SOCKET_CLOSED');
  });

  it('reports network-dead when the server and the media fall silent together, then closes with 4001 (issue 13)', async () => {
    const media = new Subject<void>();
    const { signal, server } = await joined({ healthCheckIntervalMs: 10_000, unhealthyAfterMs: 10_000, mediaHeard$: media, networkDeadAfterMs: 150 });
    // Media flows for a while after the join, then stops with the (already silent) server.
    for (let i = 0; i < 5; i += 1) {
      media.next();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const losses = await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(losses).to.deep.equal([{ kind: 'network-dead', detail: 'no frame and no media for 150 ms' }]);
    expect((await server.closed).code).to.equal(SignalCloseCode.UNHEALTHY);
  });

  it('while media flows, a silent server is the heartbeat\'s to judge (never network-dead)', async () => {
    const { signal } = await joined({ healthCheckIntervalMs: 10_000, unhealthyAfterMs: 300, mediaHeard$: interval(10), networkDeadAfterMs: 100 });
    const losses = await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(losses).to.deep.equal([{ kind: 'heartbeat-timeout', detail: 'no frame for 300 ms' }]);
  });

  it('closes with our code on close(), reports no loss, and rejects later sends and joins', async () => {
    const { signal, server } = await joined();
    signal.close(SignalCloseCode.LEAVE, 'bye');
    signal.close(SignalCloseCode.DISPOSE, 'ignored: already closed');
    expect(await server.closed).to.deep.equal({ code: 1000, reason: 'bye' });
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
    expect(() => signal.send({ healthCheckRequest: {} })).to.throw().with.property('code', 'RXSFU_ERR_SOCKET_CLOSED');
    const err = await expectError(firstValueFrom(signal.join$(joinRequest)));
    expect(err.code).to.equal('RXSFU_ERR_SOCKET_CLOSED');
  });

  it('fails a join in progress with RXSFU_ERR_SOCKET_CLOSED on close(), closing with the code given', async () => {
    const signal = connect();
    const result = expectError(firstValueFrom(signal.join$(joinRequest)));
    const server = await testSfu().sockets.next();
    await server.requests.next();
    signal.close(SignalCloseCode.DISPOSE, 'replaced');
    expect((await result).code).to.equal('RXSFU_ERR_SOCKET_CLOSED');
    expect((await server.closed).code).to.equal(SignalCloseCode.DISPOSE);
  });

  it('does not report the close that follows call_ended as a loss', async () => {
    const { signal, server } = await joined();
    server.send({ callEnded: { reason: 1 } });
    await firstValueFrom(signal.events$);
    server.ws.close(1000, 'call ended');
    expect(await lastValueFrom(signal.connectionLost$.pipe(toArray()))).to.deep.equal([]);
  });

  it('fails the join with RXSFU_ERR_CALL_ENDED when call_ended comes before the join_response, and closes with 4101 (issue 9)', async () => {
    const signal = connect();
    const result = expectError(firstValueFrom(signal.join$(joinRequest)));
    const server = await testSfu().sockets.next();
    await server.requests.next();
    server.send({ callEnded: { reason: 1 } });
    server.send(joinResponse);
    expect((await result).code).to.equal('RXSFU_ERR_CALL_ENDED');
    expect((await server.closed).code).to.equal(SignalCloseCode.JOIN_FAILED);
  });

  it('reports a protocol error from ws after the join (bad opcode) as one loss of kind error, not two', async () => {
    const { signal, server } = await joined();
    const rawSocket = (server.ws as unknown as { _socket: { write(bytes: Uint8Array): void } })._socket;
    rawSocket.write(new Uint8Array([0x83, 0x00])); // FIN + reserved opcode 3: ws errors, then closes with 1002
    const losses = await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(losses).to.have.length(1);
    expect(losses[0].kind).to.equal('error');
    expect(losses[0].detail).to.match(/opcode/i);
  });

  it('allows one join per connection: a second join$ fails with RXSFU_ERR_INVALID_ARGUMENT', async () => {
    const { signal } = await joined();
    const err = await expectError(firstValueFrom(signal.join$(joinRequest)));
    expect(err.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
    signal.close(SignalCloseCode.LEAVE, 'done');
  });

  it('closes with 4101 when the join is abandoned (join$ unsubscribed before the answer)', async () => {
    const signal = connect();
    const subscription = signal.join$(joinRequest).subscribe({ error: () => {} });
    const server = await testSfu().sockets.next();
    await server.requests.next();
    subscription.unsubscribe();
    expect((await server.closed).code).to.equal(SignalCloseCode.JOIN_FAILED);
    expect(await lastValueFrom(signal.state$)).to.equal('closed');
  });

  it('passes extra ws options (headers) to the upgrade request', async () => {
    const { signal, server } = await joined({ wsOptions: { headers: { 'x-agent': 'rxsfu-test' } } });
    expect(server.headers['x-agent']).to.equal('rxsfu-test');
    signal.close(SignalCloseCode.LEAVE, 'done');
  });

  it('never hands the SFU token to the logger', async () => {
    const lines: string[] = [];
    const record = (message: string, fields?: Record<string, unknown>) => void lines.push(message + JSON.stringify(fields ?? {}));
    const { signal, server } = await joined({ logger: { debug: record, info: record, warn: record }, healthCheckIntervalMs: 10 });
    await server.requests.next();
    server.sendRaw(new Uint8Array([0xff]));
    server.ws.close(1011, 'bye');
    await lastValueFrom(signal.connectionLost$.pipe(toArray()));
    expect(lines.length).to.be.greaterThan(3);
    expect(lines.filter((line) => line.includes('sfu-token-secret'))).to.deep.equal([]);
  });

  it('leaves no timer or socket behind after close', async () => {
    const before = await resourceBaseline(['TCPSocketWrap', 'Timeout']);
    const { signal, server } = await joined({ healthCheckIntervalMs: 20 });
    server.answerHealthChecks();
    await server.requests.next();
    signal.close(SignalCloseCode.LEAVE, 'done');
    await server.closed;
    expect(await resourceGrowth(before)).to.deep.equal({});
  });
});
