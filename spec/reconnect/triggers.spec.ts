/**
 * R1: every trigger family maps to its request, on messages decoded from real SfuEvent bytes.
 */
import { expect } from 'chai';
import { map } from 'rxjs';
import { isRxsfuError } from '../../lib/errors.js';
import {
  CallEndedReason, decodeSfuEvent, encodeSfuEvent, ErrorCode, GoAwayReason, PeerType, type SfuEventInit, WebsocketReconnectStrategy,
} from '../../lib/protocol/index.js';
import {
  fromCallEnded, fromConnectionLost, fromGoAway, fromIceFailed, fromIceRestartEvent, fromMediaStalled, fromPeerFailed, fromPeerStuck, fromSfuError,
  mergeTriggers,
} from '../../lib/reconnect/index.js';
import { testScheduler } from './helpers.js';

/** Through the wire: encode, decode, so defaults (enum 0, absent fields) are what the SFU would send. */
function wire(event: SfuEventInit) {
  return decodeSfuEvent(encodeSfuEvent(event));
}

function sfuError(strategy: number, code = ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR) {
  return wire({ error: { reconnectStrategy: strategy, error: { code, message: 'boom', shouldRetry: true } } }).error!;
}

describe('reconnect triggers (R1)', () => {
  it('R1: every ConnectionLost kind → FAST, with the close code in the detail and the loss as cause', () => {
    const lost = { kind: 'close', closeCode: 1006, detail: 'abnormal' } as const;
    expect(fromConnectionLost(lost)).to.deep.equal({ strategy: 'fast', source: 'connection-lost', detail: 'close 1006: abnormal', cause: lost });
    expect(fromConnectionLost({ kind: 'heartbeat-timeout', detail: 'silent 12000 ms' }).strategy).to.equal('fast');
    expect(fromConnectionLost({ kind: 'error', detail: 'ECONNRESET' }).detail).to.equal('error: ECONNRESET');
  });

  it('R1: SFU error FAST / REJOIN / MIGRATE → that strategy, cause RXSFU_ERR_SFU_ERROR with the SFU fields', () => {
    const S = WebsocketReconnectStrategy;
    const cases = [[S.WEBSOCKET_RECONNECT_STRATEGY_FAST, 'fast'], [S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, 'rejoin'], [S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE, 'migrate']] as const;
    for (const [strategy, expected] of cases) {
      const request = fromSfuError(sfuError(strategy, ErrorCode.ERROR_CODE_SFU_FULL))!;
      expect(request.strategy).to.equal(expected);
      expect(request.source).to.equal('sfu-error');
      expect(request.detail).to.equal('SFU error 700: boom');
      expect(isRxsfuError(request.cause, 'RXSFU_ERR_SFU_ERROR')).to.equal(true);
      expect(request.cause).to.include({ sfuErrorCode: 700, shouldRetry: true, reconnectStrategy: strategy });
    }
  });

  it('R1/R13: SFU error DISCONNECT → disconnect, cause RXSFU_ERR_CALL_ENDED', () => {
    const request = fromSfuError(sfuError(WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT))!;
    expect(request.strategy).to.equal('disconnect');
    expect(isRxsfuError(request.cause, 'RXSFU_ERR_CALL_ENDED')).to.equal(true);
  });

  it('R1: SFU error UNSPECIFIED (or an unknown number) → no request', () => {
    expect(fromSfuError(sfuError(WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED))).to.equal(undefined);
    expect(fromSfuError(wire({ error: {} }).error!)).to.equal(undefined);
    expect(fromSfuError({ reconnectStrategy: 99 as WebsocketReconnectStrategy })).to.equal(undefined);
  });

  it('R1: go_away → MIGRATE naming the reason', () => {
    const request = fromGoAway(wire({ goAway: { reason: GoAwayReason.GO_AWAY_REASON_REBALANCE } }).goAway!);
    expect(request).to.include({ strategy: 'migrate', source: 'go-away', detail: 'go_away GO_AWAY_REASON_REBALANCE' });
  });

  it('R1/R14: the SFU ice_restart event → ICE restart of the named peer (publisher is enum 0)', () => {
    const sub = fromIceRestartEvent(wire({ iceRestart: { peerType: PeerType.PEER_TYPE_SUBSCRIBER } }).iceRestart!);
    const pub = fromIceRestartEvent(wire({ iceRestart: { peerType: PeerType.PEER_TYPE_PUBLISHER_UNSPECIFIED } }).iceRestart!);
    expect(sub).to.include({ strategy: 'ice-restart', source: 'ice-restart-event', peer: 'subscriber' });
    expect(pub).to.include({ strategy: 'ice-restart', peer: 'publisher' });
  });

  it('R1: ICE failed → ICE restart; peer connection failed and media stalled → REJOIN', () => {
    expect(fromIceFailed('publisher')).to.deep.equal({ strategy: 'ice-restart', source: 'ice-failed', detail: 'publisher: ICE connection failed', peer: 'publisher' });
    expect(fromPeerFailed('subscriber')).to.deep.equal({ strategy: 'rejoin', source: 'peer-failed', detail: 'subscriber: peer connection failed', peer: 'subscriber' });
    expect(fromPeerStuck('publisher', 'connecting', 10000)).to.deep.equal({ strategy: 'ice-restart', source: 'peer-stuck', detail: 'publisher: connecting for 10000 ms', peer: 'publisher' });
    expect(fromMediaStalled('no RTP for 10 s')).to.deep.equal({ strategy: 'rejoin', source: 'media-stalled', detail: 'no RTP for 10 s' });
  });

  it('R1/R13: call_ended → disconnect (never reconnect), cause RXSFU_ERR_CALL_ENDED', () => {
    const request = fromCallEnded(wire({ callEnded: { reason: CallEndedReason.CALL_ENDED_REASON_KICKED } }).callEnded!);
    expect(request).to.include({ strategy: 'disconnect', source: 'call-ended', detail: 'call_ended CALL_ENDED_REASON_KICKED' });
    expect(isRxsfuError(request.cause, 'RXSFU_ERR_CALL_ENDED')).to.equal(true);
  });

  it('R1: mergeTriggers merges the families and drops the SFU errors that ask for nothing', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const lost = hot('   ---a---|', { a: { kind: 'close', closeCode: 1006, detail: 'x' } as const });
      const errors = hot(' -u---m-|', {
        u: sfuError(WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED),
        m: sfuError(WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE),
      });
      const expected = '   ---a-m-|';
      const merged$ = mergeTriggers(lost.pipe(map(fromConnectionLost)), errors.pipe(map(fromSfuError))).pipe(map((r) => r.strategy));
      expectObservable(merged$).toBe(expected, { a: 'fast', m: 'migrate' });
      expectSubscriptions(errors.subscriptions).toBe('^------!');
    });
  });
});
