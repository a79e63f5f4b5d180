/**
 * The ws adapter (real sockets) and the frame decoder (byte fixtures, no network).
 */
import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, map, of, Subject, tap, toArray } from 'rxjs';
import { testScheduler } from './marbles.js';
import { ProtocolError, type RxsfuError } from '../../lib/errors.js';
import { encodeSfuEvent, encodeSfuRequest } from '../../lib/protocol/index.js';
import { decodeSfuFrames, sfuEvents$, SignalCloseCode, webSocket$, type CloseRequest, type SignalFrame, type SocketSignal } from '../../lib/signaling/index.js';
import { refusingUrl, useTestSfu } from './test-sfu.js';
import { until } from '../emulator/support/until.js';

describe('decodeSfuFrames', () => {
  const good = encodeSfuEvent({ healthCheckResponse: { participantCount: { total: 3 } } });
  const signals: Record<string, SocketSignal> = {
    o: { kind: 'open' },
    g: { kind: 'message', data: good, isBinary: true },
    b: { kind: 'message', data: new Uint8Array([0x0a, 0xff]), isBinary: true },
    t: { kind: 'message', data: new TextEncoder().encode('{"x":1}'), isBinary: false },
    c: { kind: 'close', code: 1000, reason: 'bye' },
  };

  it('decodes binary frames, reports bad and text frames as malformed values, passes the rest through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('  o-g-b-t-g-c|', signals);
      const expected = '     o-G-B-T-G-c|';
      const frames$ = source.pipe(decodeSfuFrames());
      expectObservable(frames$.pipe(decodeSummary())).toBe(expected, {
        o: 'open',
        G: 'event healthCheckResponse total=3',
        B: 'malformed SfuEvent 2',
        T: 'malformed SfuEvent 7',
        c: 'close 1000 bye',
      });
    });
  });

  it('carries a ProtocolError with the byte length and never the bytes', async () => {
    const frames = await lastValueFrom(of(signals.b).pipe(decodeSfuFrames(), toArray()));
    const frame = frames[0];
    expect(frame.kind).to.equal('malformed');
    if (frame.kind !== 'malformed') return;
    expect(frame.error).to.be.instanceOf(ProtocolError);
    expect(frame.error.code).to.equal('RXSFU_ERR_MALFORMED_FRAME');
    expect(frame.error.byteLength).to.equal(2);
  });
});

/** One readable line per frame, so marbles compare meaning, not object identity. */
function decodeSummary() {
  return map((f: SignalFrame): string => {
    if (f.kind === 'event') return `event ${f.event.eventPayload} total=${f.event.healthCheckResponse?.participantCount?.total}`;
    if (f.kind === 'malformed') return `malformed ${f.error.messageType} ${f.error.byteLength}`;
    if (f.kind === 'close') return `close ${f.code} ${f.reason}`;
    return f.kind;
  });
}

describe('webSocket$ / sfuEvents$ (real sockets)', () => {
  const testSfu = useTestSfu();

  it('opens on subscribe, writes outgoing$ after open, and closes with the unsubscribe code', async () => {
    const outgoing = of(encodeSfuRequest({ healthCheckRequest: {} }));
    const subscription = webSocket$(testSfu().url, { outgoing$: outgoing, unsubscribeCloseCode: SignalCloseCode.DISPOSE }).subscribe();
    const server = await testSfu().sockets.next();
    expect((await server.requests.next()).requestPayload).to.equal('healthCheckRequest');
    subscription.unsubscribe();
    expect((await server.closed).code).to.equal(SignalCloseCode.DISPOSE);
  });

  it('closes on close$ with its code, and completes after the close event', async () => {
    const close$ = new Subject<CloseRequest>();
    // Ask for the close once the server's frame arrived.
    const closeOnEvent = tap((f: SignalFrame) => f.kind === 'event' && close$.next({ code: SignalCloseCode.UNHEALTHY, reason: 'unhealthy' }));
    const signals = lastValueFrom(sfuEvents$(testSfu().url, { close$ }).pipe(closeOnEvent, toArray()));
    const server = await testSfu().sockets.next();
    server.send({ participantLeft: { callCid: 'default:1' } });
    expect(await server.closed).to.deep.equal({ code: 4001, reason: 'unhealthy' });
    const kinds = (await signals).map((s) => s.kind);
    expect(kinds).to.deep.equal(['open', 'event', 'close']);
  });

  it('bytesRead: every chunk the TCP socket reads counts, also bytes that make no message (a ping: liveness, issue 13)', async () => {
    const chunks: number[] = [];
    const signals: string[] = [];
    const subscription = webSocket$(testSfu().url, { bytesRead: { next: (n) => chunks.push(n) } }).subscribe((s) => signals.push(s.kind));
    const server = await testSfu().sockets.next();
    await until(() => signals.includes('open'));
    const before = chunks.length;
    server.ws.ping(Buffer.from('still here'));
    await until(() => chunks.length > before);
    expect(chunks.slice(before).reduce((a, b) => a + b, 0), 'the ping frame: 2 header bytes + 10').to.equal(12);
    expect(signals, 'a ping is no message').to.deep.equal(['open']);
    subscription.unsubscribe();
    await server.closed;
  });

  it('reports a refused connection as an error signal followed by a close signal', async () => {
    const signals = await lastValueFrom(webSocket$(await refusingUrl()).pipe(toArray()));
    expect(signals.map((s) => s.kind)).to.deep.equal(['error', 'close']);
    expect((signals[0] as { error: RxsfuError }).error.code).to.equal('RXSFU_ERR_SOCKET_ERROR');
  });

  it('errors with RXSFU_ERR_INVALID_ARGUMENT on a URL ws cannot use', async () => {
    const err = await firstValueFrom(webSocket$('not a url')).catch((e: RxsfuError) => e);
    expect((err as RxsfuError).code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
  });
});
