/**
 * R1 at the call, in virtual time: the call's trigger streams → one stream of reconnect requests
 * (`reconnectRequests$`), and the call's streams → those triggers (`callTriggers`: the current
 * connection's peer states, the media-stall check). Events are decoded from real SfuEvent bytes.
 */
import { asyncScheduler, map, NEVER, type Observable } from 'rxjs';
import { isRxsfuError } from '../../lib/errors.js';
import {
  CallEndedReason, decodeSfuEvent, encodeSfuEvent, GoAwayReason, PeerType, type SfuEvent, type SfuEventInit, WebsocketReconnectStrategy,
} from '../../lib/protocol/index.js';
import type { ReconnectRequest } from '../../lib/reconnect/index.js';
import { reconnectRequests$, type PeerStateChange } from '../../lib/reconnect/call-side/requests.js';
import { callTriggers } from '../../lib/reconnect/call-side/call-triggers.js';
import type { SfuConnection } from '../../lib/call/sfu-connection.js';
import type { CallRemoteTrack } from '../../lib/call/remote-tracks.js';
import type { ConnectionLost } from '../../lib/signaling/index.js';
import { testScheduler } from './helpers.js';

const S = WebsocketReconnectStrategy;
const wire = (event: SfuEventInit): SfuEvent => decodeSfuEvent(encodeSfuEvent(event));
const sfuError = (strategy: number) => wire({ error: { reconnectStrategy: strategy, error: { code: 500, message: 'boom' } } });

/** What R1 decides, without the cause objects: `strategy/source[/peer]`. */
const summary = (r: ReconnectRequest) => `${r.strategy}/${r.source}${r.peer ? `/${r.peer}` : ''}`;

const events: Record<string, SfuEvent> = {
  e: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN),
  f: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_FAST),
  m: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE),
  d: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT),
  u: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_UNSPECIFIED),
  g: wire({ goAway: { reason: GoAwayReason.GO_AWAY_REASON_SHUTTING_DOWN } }),
  i: wire({ iceRestart: { peerType: PeerType.PEER_TYPE_SUBSCRIBER } }),
  c: wire({ callEnded: { reason: CallEndedReason.CALL_ENDED_REASON_ENDED } }),
  h: wire({ healthCheckResponse: {} }),
  j: wire({ participantJoined: { callCid: 'default:x', participant: { sessionId: 's-2', userId: 'u-2' } } }),
};
const lost: Record<string, ConnectionLost> = {
  l: { kind: 'close', closeCode: 1006, detail: 'abnormal' },
  t: { kind: 'heartbeat-timeout', detail: 'silent' },
};
const peers: Record<string, PeerStateChange> = {
  p: { peer: 'publisher', layer: 'connection', state: 'failed' },
  s: { peer: 'subscriber', layer: 'connection', state: 'failed' },
  x: { peer: 'publisher', layer: 'ice', state: 'failed' },
  y: { peer: 'subscriber', layer: 'ice', state: 'failed' },
  k: { peer: 'publisher', layer: 'connection', state: 'connected' },
  z: { peer: 'subscriber', layer: 'ice', state: 'disconnected' },
};

describe('reconnectRequests$ (R1 trigger mapping at the call, marbles)', () => {
  it('R1: each trigger family becomes its one request, in arrival order', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const requests$ = reconnectRequests$({
        connectionLost$: hot('-l---------t----', lost),
        events$: hot('        --e-f-m-g-i--d-c', events),
        peerStates$: hot('    ---p-s-x-y------', peers),
        mediaStalls$: hot('   ------------a---', { a: { silentMs: 8000 } }),
      }).pipe(map(summary));
      expectObservable(requests$).toBe('-lebfcmqgrijdn-o', {
        l: 'fast/connection-lost', e: 'rejoin/sfu-error', b: 'rejoin/peer-failed/publisher', f: 'fast/sfu-error',
        c: 'rejoin/peer-failed/subscriber', m: 'migrate/sfu-error', q: 'ice-restart/ice-failed/publisher', g: 'migrate/go-away',
        r: 'ice-restart/ice-failed/subscriber', i: 'ice-restart/ice-restart-event/subscriber', j: 'fast/connection-lost',
        d: 'rejoin/media-stalled/subscriber', n: 'disconnect/sfu-error', o: 'disconnect/call-ended',
      });
    });
  });

  it('R1: SFU errors that name no strategy, other events and peer states other than failed ask for nothing', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const requests$ = reconnectRequests$({
        connectionLost$: hot('------', lost),
        events$: hot('        -u-h-j', events),
        peerStates$: hot('    --k-z-', peers),
        mediaStalls$: NEVER,
      });
      expectObservable(requests$).toBe('------');
    });
  });

  it('R1/R13: the requests carry their causes: the loss, the SFU error typed, call_ended as RXSFU_ERR_CALL_ENDED', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const requests$ = reconnectRequests$({
        connectionLost$: hot('l---', lost),
        events$: hot('        -e-c', events),
        peerStates$: NEVER,
        mediaStalls$: hot('   --a-', { a: { silentMs: 1500 } }),
      }).pipe(map((r) => [r.cause === lost.l || isRxsfuError(r.cause) ? (r.cause as { code?: string }).code ?? 'lost' : 'none', r.detail]));
      expectObservable(requests$).toBe('abcd', {
        a: ['lost', 'close 1006: abnormal'],
        b: ['RXSFU_ERR_SFU_ERROR', 'SFU error 500: boom'],
        c: ['none', 'no inbound RTP for 1500 ms'],
        d: ['RXSFU_ERR_CALL_ENDED', 'call_ended CALL_ENDED_REASON_ENDED'],
      });
    });
  });
});

/** A connection with only the peer states `callTriggers` reads. */
function connectionWith(states: { pub: Observable<string>; sub: Observable<string>; pubIce: Observable<string>; subIce: Observable<string> }): SfuConnection {
  return {
    publisher: { connectionState$: states.pub, iceConnectionState$: states.pubIce },
    subscriber: { connectionState$: states.sub, iceConnectionState$: states.subIce },
  } as unknown as SfuConnection;
}

const track = (id: string, rtp$: Observable<unknown>) => ({ id, rtp$ }) as unknown as CallRemoteTrack;

describe('callTriggers (the call\'s streams → R1 triggers, marbles)', () => {
  it('R1: peer failures are read from the current connection only (a replaced connection says nothing more)', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const first = connectionWith({ pub: cold('--f', { f: 'failed' }), sub: NEVER, pubIce: cold('-----f', { f: 'failed' }), subIce: NEVER });
      const second = connectionWith({ pub: NEVER, sub: cold('--f', { f: 'failed' }), pubIce: NEVER, subIce: NEVER });
      const triggers = callTriggers({
        connection$: hot('a--b', { a: first, b: second }),
        connectionLost$: NEVER, events$: NEVER, remoteTracks$: NEVER, wantedTrackIds$: NEVER, joined$: NEVER,
      }, 0, asyncScheduler);
      // The first connection's ICE failure (at 5) never comes: the second replaced it at 3.
      expectObservable(reconnectRequests$(triggers).pipe(map(summary))).toBe('--p--s', {
        p: 'rejoin/peer-failed/publisher', s: 'rejoin/peer-failed/subscriber',
      });
    });
  });

  it('R1 media-stalled: joined and subscribed to a track that delivered media, then silence → one REJOIN', () => {
    testScheduler().run(({ hot, cold, expectObservable, time }) => {
      const stall = time('----|');
      // As the call's: remote tracks replayed to each subscriber, their packets hot.
      const rtp$ = hot('   -r-r--------', { r: {} });
      const triggers = callTriggers({
        connection$: NEVER, connectionLost$: NEVER, events$: NEVER,
        remoteTracks$: cold('a', { a: track('s-2:1', rtp$) }),
        wantedTrackIds$: hot('w-----------', { w: ['s-2:1'] }),
        joined$: hot('       t-----------', { t: true }),
      }, stall, asyncScheduler);
      // Last packet at 3, stall 4 ms later; one stall gives one request (no packet, no repeat).
      expectObservable(reconnectRequests$(triggers).pipe(map((r) => r.detail))).toBe('-------s----', { s: 'no inbound RTP for 4 ms' });
    });
  });

  it('R1 media-stalled: nothing while not joined, for a track never seen, or with the check off (0)', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const silent = track('s-2:1', cold('r-------', { r: {} }));
      const sources = {
        connection$: NEVER, connectionLost$: NEVER, events$: NEVER,
        remoteTracks$: hot('a--------', { a: silent }),
        wantedTrackIds$: hot('w--------', { w: ['s-3:1'] }),
        joined$: hot('       t--------', { t: true }),
      };
      expectObservable(reconnectRequests$(callTriggers(sources, 2, asyncScheduler))).toBe('---------');
      const notJoined = { ...sources, wantedTrackIds$: hot('w-', { w: ['s-2:1'] }), joined$: hot('f-', { f: false }) };
      expectObservable(reconnectRequests$(callTriggers(notJoined, 2, asyncScheduler))).toBe('---------');
      const off = { ...sources, wantedTrackIds$: hot('w-', { w: ['s-2:1'] }) };
      expectObservable(reconnectRequests$(callTriggers(off, 0, asyncScheduler))).toBe('---------');
    });
  });

  it('R1 media-stalled: the same sources with the check on do stall (the negative cases above are not vacuous)', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const silent = track('s-2:1', cold('r-------', { r: {} }));
      const triggers = callTriggers({
        connection$: NEVER, connectionLost$: NEVER, events$: NEVER,
        remoteTracks$: hot('a--------', { a: silent }),
        wantedTrackIds$: hot('w--------', { w: ['s-2:1'] }),
        joined$: hot('       t--------', { t: true }),
      }, 2, asyncScheduler);
      expectObservable(reconnectRequests$(triggers).pipe(map((r) => r.strategy))).toBe('--r------', { r: 'rejoin' });
    });
  });
});
