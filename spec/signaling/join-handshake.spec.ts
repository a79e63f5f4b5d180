/**
 * Marble tests for joinHandshake$: open timeout, join timeout, SFU rejection, socket failures.
 */
import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { isRxsfuError, rxsfuError, type RxsfuError } from '../../lib/errors.js';
import { decodeSfuEvent, encodeSfuEvent, type SfuEvent, type SfuEventInit } from '../../lib/protocol/index.js';
import { joinHandshake$ } from '../../lib/signaling/index.js';

/** A real decoded SfuEvent (with `eventPayload` set), as the socket would deliver it. */
const event = (init: SfuEventInit): SfuEvent => decodeSfuEvent(encodeSfuEvent(init));

const evs: Record<string, SfuEvent> = {
  r: event({ joinResponse: { fastReconnectDeadlineSeconds: 30 } }),
  x: event({ error: { error: { code: 700, message: 'full', shouldRetry: true }, reconnectStrategy: 4 } }),
  p: event({ participantJoined: { callCid: 'default:1' } }),
  h: event({ healthCheckResponse: {} }),
  k: event({ callEnded: { reason: 1 } }),
};
const failures: Record<string, RxsfuError> = {
  e: rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'signaling socket error: ECONNREFUSED'),
  c: rxsfuError('RXSFU_ERR_SOCKET_CLOSED', 'closed', { closeCode: 1011 }),
};
const options = { openTimeoutMs: 5, joinTimeoutMs: 4 };

/** TestScheduler compares errors by their fields: keep only what the contract fixes. */
function errorShape(err: unknown): unknown {
  if (err instanceof Error && !isRxsfuError(err)) return err; // a foreign error never matches a shape
  const e = err as Partial<RxsfuError>;
  const shape = { code: e.code, sfuErrorCode: e.sfuErrorCode, reconnectStrategy: e.reconnectStrategy, shouldRetry: e.shouldRetry, closeCode: e.closeCode };
  return Object.fromEntries(Object.entries(shape).filter(([, value]) => value !== undefined));
}

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    // Also called for subscription logs, which carry no notification.
    const shape = (frames: { notification?: { kind: string; error?: unknown } }[]) =>
      frames.map((f) => (f.notification?.kind === 'E' ? { ...f, notification: { ...f.notification, error: errorShape(f.notification.error) } } : f));
    expect(shape(actual)).to.deep.equal(shape(expected));
  });
}

const shapeOf = (code: RxsfuError['code'], extra: Partial<RxsfuError> = {}) => ({ code, ...extra });

describe('joinHandshake$', () => {
  it('emits the JoinResponse once when it comes in time, ignoring other events', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const opened = hot('  --o---------', { o: true });
      const events = hot('  ---phr-r----', evs);
      const eventsSubs = '  --^--!      ';
      const expected = '    -----(R|)   ';
      const join$ = joinHandshake$({ opened$: opened, events$: events, failures$: hot('-') }, options);
      expectObservable(join$).toBe(expected, { R: evs.r.joinResponse });
      expectSubscriptions(events.subscriptions).toBe(eventsSubs);
    });
  });

  it('fails with RXSFU_ERR_SOCKET_OPEN_TIMEOUT at exactly openTimeoutMs', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const opened = hot('  ---------o');
      const openedSubs = '  ^----!    ';
      const expected = '    -----#    ';
      const join$ = joinHandshake$({ opened$: opened, events$: hot('-', evs), failures$: hot('-') }, options);
      expectObservable(join$).toBe(expected, undefined, shapeOf('RXSFU_ERR_SOCKET_OPEN_TIMEOUT'));
      expectSubscriptions(opened.subscriptions).toBe(openedSubs);
    });
  });

  it('fails with RXSFU_ERR_JOIN_TIMEOUT at exactly joinTimeoutMs after the open', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const opened = hot('  --o--------', { o: true });
      const events = hot('  ---p-----r-', evs);
      const expected = '    ------#    ';
      const join$ = joinHandshake$({ opened$: opened, events$: events, failures$: hot('-') }, options);
      expectObservable(join$).toBe(expected, undefined, shapeOf('RXSFU_ERR_JOIN_TIMEOUT'));
    });
  });

  it('fails with RXSFU_ERR_JOIN_REJECTED on an SFU error event, keeping code, strategy and shouldRetry', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const opened = hot('  o-------', { o: true });
      const events = hot('  --x-r---', evs);
      const expected = '    --#     ';
      const join$ = joinHandshake$({ opened$: opened, events$: events, failures$: hot('-') }, options);
      expectObservable(join$).toBe(expected, undefined, shapeOf('RXSFU_ERR_JOIN_REJECTED', { sfuErrorCode: 700, reconnectStrategy: 4, shouldRetry: true }));
    });
  });

  it('fails with RXSFU_ERR_CALL_ENDED (final) when call_ended comes before the join_response (issue 9)', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const join$ = joinHandshake$({ opened$: hot('o'), events$: hot('--k-r', evs), failures$: hot('-') }, options);
      expectObservable(join$).toBe('--#', undefined, shapeOf('RXSFU_ERR_CALL_ENDED'));
    });
  });

  it('fails with the socket failure when the socket errors or closes before the answer', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const before = joinHandshake$({ opened$: hot('-------o'), events$: hot('-', evs), failures$: hot('--e---', failures) }, options);
      expectObservable(before).toBe('--#', undefined, shapeOf('RXSFU_ERR_SOCKET_ERROR'));
      const during = joinHandshake$({ opened$: hot('o'), events$: hot('----r', evs), failures$: hot('---c', failures) }, options);
      expectObservable(during).toBe('---#', undefined, shapeOf('RXSFU_ERR_SOCKET_CLOSED', { closeCode: 1011 }));
    });
  });

  it('ignores failures after it succeeded', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const failuresIn = hot('  ---c--', failures);
      const failuresSubs = '    ^-!   ';
      const join$ = joinHandshake$({ opened$: hot('o'), events$: hot('--r', evs), failures$: failuresIn }, options);
      expectObservable(join$).toBe('--(R|)', { R: evs.r.joinResponse });
      expectSubscriptions(failuresIn.subscriptions).toBe(failuresSubs);
    });
  });

  it('cancels both timeouts on early unsubscribe', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const opened = hot('  -o------', { o: true });
      const events = hot('  --------', evs);
      const eventsSubs = '  -^-!    ';
      expectObservable(joinHandshake$({ opened$: opened, events$: events, failures$: hot('-') }, options), '^--!').toBe('----');
      expectSubscriptions(events.subscriptions).toBe(eventsSubs);
    });
  });

  it('uses 5 s for both timeouts by default', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const join$ = joinHandshake$({ opened$: hot('1s o', { o: true }), events$: hot('-', evs), failures$: hot('-') });
      expectObservable(join$).toBe('1000ms 5000ms #', undefined, shapeOf('RXSFU_ERR_JOIN_TIMEOUT'));
    });
  });
});
