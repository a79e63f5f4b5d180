import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { createSignalServerClient, type SignalServerClient } from '../../lib/rpc/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { models, parseProto3Json, PeerType, signal, toProto3Json, TrackType, ErrorCode } from '../../lib/protocol/index.js';
import { eventually, reply, rxsfuFailure, startTestServer, type TestHandler, type TestServer } from '../http/test-server.js';
import { resourceBaseline, resourceGrowth } from '../support/resources.js';

const TOKEN = 'sfu-token-secret';
const PATH = '/twirp/stream.video.sfu.signal.SignalServer';
const noDelay = () => 0;

describe('rpc: SignalServer Twirp client (real HTTP)', () => {
  let server: TestServer | undefined;
  let client: SignalServerClient | undefined;
  const start = async (handler: TestHandler, options: Partial<Parameters<typeof createSignalServerClient>[0]> = {}) => {
    server = await startTestServer(handler);
    client = createSignalServerClient({ url: `${server.origin}/twirp`, token: TOKEN, backoff: noDelay, ...options });
    return client;
  };
  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('SetPublisher round trip in protobuf: path, bearer token, content type, body decoded by the server', async () => {
    const rpc = await start((req, res) => {
      const decoded = signal.SetPublisherRequest.decode(req.body);
      reply(res, 200, 'application/protobuf', signal.SetPublisherResponse.encode({
        sdp: `answer-for:${decoded.sdp}`, sessionId: decoded.sessionId, iceRestart: true,
      }).finish());
    });
    const response = await firstValueFrom(rpc.setPublisher$({
      sdp: 'v=0 offer', sessionId: 's-1', tracks: [{ trackId: 't1', trackType: TrackType.TRACK_TYPE_AUDIO, mid: '0' }],
    }));
    expect(response.sdp).to.equal('answer-for:v=0 offer');
    expect(response.sessionId).to.equal('s-1');
    expect(response.iceRestart).to.equal(true);
    const [req] = server!.requests;
    expect(req!.method).to.equal('POST');
    expect(req!.url).to.equal(`${PATH}/SetPublisher`);
    expect(req!.headers.authorization).to.equal(`Bearer ${TOKEN}`);
    expect(req!.headers['content-type']).to.equal('application/protobuf');
    const sent = signal.SetPublisherRequest.decode(req!.body);
    expect(sent.tracks[0]!.trackId).to.equal('t1');
    expect(sent.tracks[0]!.trackType).to.equal(TrackType.TRACK_TYPE_AUDIO);
  });

  it('IceTrickle round trip in canonical proto3 JSON (enum names, lowerCamelCase)', async () => {
    const rpc = await start((_req, res) => {
      reply(res, 200, 'application/json; charset=utf-8', JSON.stringify({}));
    }, { encoding: 'json' });
    const response = await firstValueFrom(rpc.iceTrickle$({
      peerType: PeerType.PEER_TYPE_SUBSCRIBER, iceCandidate: '{"candidate":"c"}', sessionId: 's-2',
    }));
    expect(response.error ?? undefined).to.equal(undefined);
    expect(server!.requests[0]!.url).to.equal(`${PATH}/IceTrickle`);
    expect(server!.requests[0]!.headers['content-type']).to.equal('application/json');
    const text = server!.requests[0]!.body.toString('utf8');
    expect(JSON.parse(text)).to.deep.equal({ peerType: 'PEER_TYPE_SUBSCRIBER', iceCandidate: '{"candidate":"c"}', sessionId: 's-2' });
    expect(parseProto3Json(models.ICETrickle, 'ICETrickle', text).peerType).to.equal(PeerType.PEER_TYPE_SUBSCRIBER);
  });

  it('decodes by the response content type (JSON answer to a protobuf request)', async () => {
    const rpc = await start((_req, res) => {
      reply(res, 200, 'application/json', JSON.stringify(toProto3Json(signal.SetPublisherResponse, { sdp: 'a', sessionId: 'x' })));
    });
    const response = await firstValueFrom(rpc.setPublisher$({ sdp: 'o' }));
    expect(response.sdp).to.equal('a');
  });

  it('every method posts to its own Twirp path and emits exactly one value', async () => {
    const rpc = await start((_req, res) => reply(res, 200, 'application/protobuf', new Uint8Array()));
    const calls = [
      rpc.sendAnswer$({ peerType: PeerType.PEER_TYPE_SUBSCRIBER, sdp: 'a', sessionId: 's', negotiationId: 3 }),
      rpc.updateSubscriptions$({ sessionId: 's', tracks: [] }),
      rpc.updateMuteStates$({ sessionId: 's', muteStates: [{ trackType: TrackType.TRACK_TYPE_AUDIO, muted: true }] }),
      rpc.iceRestart$({ sessionId: 's', peerType: PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED }),
      rpc.sendStats$({ sessionId: 's', sdk: 'rxsfu' }),
    ];
    for (const call$ of calls) expect(await lastValueFrom(call$.pipe(toArray()))).to.have.length(1);
    expect(server!.requests.map((r) => r.url)).to.deep.equal(
      ['SendAnswer', 'UpdateSubscriptions', 'UpdateMuteStates', 'IceRestart', 'SendStats'].map((m) => `${PATH}/${m}`));
    expect(signal.SendAnswerRequest.decode(server!.requests[0]!.body).negotiationId).to.equal(3);
  });

  it('is cold: nothing is sent until subscription', async () => {
    const rpc = await start((_req, res) => reply(res, 200, 'application/protobuf', new Uint8Array()));
    const call$ = rpc.iceRestart$({ sessionId: 's' });
    expect(server!.requests).to.have.length(0);
    await firstValueFrom(call$);
    await firstValueFrom(call$);
    expect(server!.requests).to.have.length(2);
  });

  it('Twirp error JSON → RXSFU_ERR_RPC with httpStatus and serverCode, not retried', async () => {
    const rpc = await start((_req, res) =>
      reply(res, 400, 'application/json', JSON.stringify({ code: 'invalid_argument', msg: 'sdp is empty', meta: {} })));
    const err = await rxsfuFailure(firstValueFrom(rpc.setPublisher$({ sdp: '' })));
    expect(err.code).to.equal('RXSFU_ERR_RPC');
    expect(err.httpStatus).to.equal(400);
    expect(err.serverCode).to.equal('invalid_argument');
    expect(err.message).to.contain('sdp is empty');
    expect(server!.requests).to.have.length(1);
  });

  for (const [status, code] of [[401, 'unauthenticated'], [403, 'permission_denied'], [400, 'unauthenticated']] as const) {
    it(`HTTP ${status} / Twirp ${code} → RXSFU_ERR_UNAUTHORIZED, never retried, token not in the message`, async () => {
      const rpc = await start((_req, res) => reply(res, status, 'application/json', JSON.stringify({ code, msg: 'bad token' })));
      const err = await rxsfuFailure(firstValueFrom(rpc.updateSubscriptions$({ sessionId: 's' })));
      expect(err.code).to.equal('RXSFU_ERR_UNAUTHORIZED');
      expect(err.httpStatus).to.equal(status);
      expect(err.serverCode).to.equal(code);
      expect(err.message).not.to.contain(TOKEN);
      expect(server!.requests).to.have.length(1);
    });
  }

  it('2xx with models.Error should_retry=true is retried, then succeeds', async () => {
    const rpc = await start((_req, res, index) => {
      const error = index < 2 ? { code: ErrorCode.ERROR_CODE_PARTICIPANT_MIGRATING, message: 'busy', shouldRetry: true } : undefined;
      reply(res, 200, 'application/protobuf', signal.SetPublisherResponse.encode({ sdp: `answer-${index}`, error }).finish());
    });
    const response = await firstValueFrom(rpc.setPublisher$({ sdp: 'o' }));
    expect(response.sdp).to.equal('answer-2');
    expect(server!.requests).to.have.length(3);
  });

  it('2xx with models.Error should_retry=false fails at once with sfuErrorCode and shouldRetry', async () => {
    const rpc = await start((_req, res) => reply(res, 200, 'application/json', JSON.stringify({
      error: { code: 'ERROR_CODE_PARTICIPANT_NOT_FOUND', message: 'who?', shouldRetry: false },
    })));
    const err = await rxsfuFailure(firstValueFrom(rpc.updateMuteStates$({ sessionId: 's' })));
    expect(err.code).to.equal('RXSFU_ERR_RPC');
    expect(err.sfuErrorCode).to.equal(ErrorCode.ERROR_CODE_PARTICIPANT_NOT_FOUND);
    expect(err.shouldRetry).to.equal(false);
    expect(err.message).to.contain('who?');
    expect(server!.requests).to.have.length(1);
  });

  it('should_retry=true on every attempt: fails after maxAttempts with the SFU error', async () => {
    const rpc = await start((_req, res) => reply(res, 200, 'application/protobuf', signal.SendStatsResponse.encode({
      error: { code: ErrorCode.ERROR_CODE_SFU_FULL, message: 'full', shouldRetry: true },
    }).finish()), { maxAttempts: 4 });
    const err = await rxsfuFailure(firstValueFrom(rpc.sendStats$({ sessionId: 's' })));
    expect(err.sfuErrorCode).to.equal(ErrorCode.ERROR_CODE_SFU_FULL);
    expect(server!.requests).to.have.length(4);
  });

  it('transport failure (connection destroyed) is retried on a new connection', async () => {
    const rpc = await start((req, res, index) => {
      if (index === 0) {
        res.socket?.destroy();
        return;
      }
      reply(res, 200, 'application/protobuf', signal.ICERestartResponse.encode({}).finish());
    });
    await firstValueFrom(rpc.iceRestart$({ sessionId: 's' }));
    expect(server!.requests).to.have.length(2);
  });

  it('connection refused on every attempt → RXSFU_ERR_RPC transport error after maxAttempts', async () => {
    const probe = await startTestServer(() => undefined);
    const url = `${probe.origin}/twirp`;
    await probe.close(); // nothing listens there any more
    const rpc = createSignalServerClient({ url, token: TOKEN, backoff: noDelay, maxAttempts: 2 });
    try {
      const err = await rxsfuFailure(firstValueFrom(rpc.iceRestart$({ sessionId: 's' })));
      expect(err.code).to.equal('RXSFU_ERR_RPC');
      expect((err.cause as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
    } finally {
      rpc.close();
    }
  });

  it('per-attempt timeout: a server that never answers → RXSFU_ERR_RPC_TIMEOUT after maxAttempts attempts', async () => {
    const rpc = await start(() => undefined, { timeoutMs: 50, maxAttempts: 3 });
    const err = await rxsfuFailure(firstValueFrom(rpc.setPublisher$({ sdp: 'o' })));
    expect(err.code).to.equal('RXSFU_ERR_RPC_TIMEOUT');
    expect(server!.requests).to.have.length(3);
  });

  it('garbage body → RXSFU_ERR_RPC caused by a ProtocolError, not retried', async () => {
    const rpc = await start((_req, res) => reply(res, 200, 'application/protobuf', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    const err = await rxsfuFailure(firstValueFrom(rpc.setPublisher$({ sdp: 'o' })));
    expect(err.code).to.equal('RXSFU_ERR_RPC');
    expect(isRxsfuError(err.cause, 'RXSFU_ERR_MALFORMED_FRAME')).to.equal(true);
    expect(server!.requests).to.have.length(1);
  });

  it('garbage JSON and unknown content types are RXSFU_ERR_RPC too', async () => {
    const rpc = await start((_req, res, index) =>
      index === 0 ? reply(res, 200, 'application/json', '{not json') : reply(res, 200, 'text/html', '<html>'));
    expect((await rxsfuFailure(firstValueFrom(rpc.sendStats$({})))).code).to.equal('RXSFU_ERR_RPC');
    expect((await rxsfuFailure(firstValueFrom(rpc.sendStats$({})))).message).to.contain('text/html');
  });

  it('a request the codec rejects → RXSFU_ERR_INVALID_ARGUMENT, nothing sent', async () => {
    const rpc = await start((_req, res) => reply(res, 200, 'application/protobuf', new Uint8Array()));
    const err = await rxsfuFailure(firstValueFrom(rpc.setPublisher$({ tracks: [{ trackType: 'NOT_A_TRACK_TYPE' as never }] })));
    expect(err.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
    expect(server!.requests).to.have.length(0);
  });

  it('close() aborts an in-flight call with RXSFU_ERR_LEFT; later calls fail RXSFU_ERR_LEFT without a request', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const rpc = await start(() => arrived());
    const pending = rxsfuFailure(firstValueFrom(rpc.setPublisher$({ sdp: 'o' })));
    await requestArrived;
    rpc.close();
    expect((await pending).code).to.equal('RXSFU_ERR_LEFT');
    const later = await rxsfuFailure(firstValueFrom(rpc.iceRestart$({ sessionId: 's' })));
    expect(later.code).to.equal('RXSFU_ERR_LEFT');
    expect(server!.requests).to.have.length(1);
  });

  it('close() during a backoff wait fails RXSFU_ERR_LEFT and sends no further attempt', async () => {
    let firstFailed!: () => void;
    const failed = new Promise<void>((resolve) => (firstFailed = resolve));
    const rpc = await start((_req, res) => {
      res.socket?.destroy();
      setImmediate(firstFailed);
    }, { backoff: () => 60_000 });
    const pending = rxsfuFailure(firstValueFrom(rpc.iceRestart$({ sessionId: 's' })));
    await failed;
    rpc.close();
    expect((await pending).code).to.equal('RXSFU_ERR_LEFT');
    expect(server!.requests).to.have.length(1);
  });

  it('leaves no socket and no timer behind after close()', async () => {
    const before = await resourceBaseline(['TCPSocketWrap', 'Timeout']);
    const rpc = await start((_req, res) => reply(res, 200, 'application/protobuf', new Uint8Array()));
    await firstValueFrom(rpc.iceRestart$({ sessionId: 's' }));
    await firstValueFrom(rpc.sendStats$({ sessionId: 's' }));
    expect(server!.openConnections()).to.equal(1); // one pooled keep-alive socket, reused
    rpc.close();
    expect(await eventually(() => server!.openConnections() === 0)).to.equal(true);
    await server!.close();
    server = undefined;
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('rejects unusable options synchronously with RXSFU_ERR_INVALID_ARGUMENT', () => {
    expect(() => createSignalServerClient({ url: 'not a url', token: 't' })).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    expect(() => createSignalServerClient({ url: 'ftp://x/twirp', token: 't' })).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    expect(() => createSignalServerClient({ url: 'http://x/twirp', token: '' })).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
  });

  it('never passes the token to the logger', async () => {
    const lines: string[] = [];
    const rpc = await start((_req, res) => reply(res, 401, 'application/json', JSON.stringify({ code: 'unauthenticated', msg: 'no' })), {
      logger: { debug: (message, fields) => lines.push(message + JSON.stringify(fields)) },
    });
    await rxsfuFailure(firstValueFrom(rpc.sendStats$({})));
    expect(lines).to.have.length(1);
    expect(lines.join('\n')).not.to.contain(TOKEN);
  });
});
