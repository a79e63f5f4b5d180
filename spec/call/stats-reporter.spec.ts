/**
 * The periodic SendStats pipeline in virtual time: one report per interval on the current
 * connection, moved (not duplicated) when the connection changes, never piling up, surviving a
 * failed report, and stopping on unsubscribe. Connections are plain objects with cold Observables:
 * the pipeline only sees `sessionId`, `rpc.sendStats$` and the peers' `stats$()`.
 */
import { expect } from 'chai';
import { Observable, defer, of, throwError, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Logger } from '../../lib/logger.js';
import type { SendStatsRequestInit } from '../../lib/rpc/index.js';
import type { PeerStats } from '../../lib/rtc/index.js';
import {
  DEFAULT_STATS_INTERVAL_MS, resolveStatsInterval, statsReports$, type StatsConnection, type StatsReporterOptions,
} from '../../lib/call/stats-reporter.js';

const PUBLISHER_STATS: PeerStats = [{ id: 'OT01', type: 'outbound-rtp', packetsSent: 50 }];
const SUBSCRIBER_STATS: PeerStats = [{ id: 'IT01', type: 'inbound-rtp', packetsReceived: 48 }];

interface FakeConnection extends StatsConnection {
  /** Every request handed to `sendStats$`, in order (also the failed ones). */
  readonly sent: SendStatsRequestInit[];
}

/** A connection whose `sendStats$` answers with `replies[i]` (the last one repeats) for the i-th request. */
function connection(sessionId: string, replies: (() => Observable<unknown>)[], stats = () => of(PUBLISHER_STATS)): FakeConnection {
  const sent: SendStatsRequestInit[] = [];
  return {
    sessionId,
    sent,
    rpc: {
      sendStats$: (req) => defer(() => {
        sent.push(req);
        return replies[Math.min(sent.length - 1, replies.length - 1)]!();
      }) as ReturnType<StatsConnection['rpc']['sendStats$']>,
    },
    publisher: { stats$: stats },
    subscriber: { stats$: () => of(SUBSCRIBER_STATS) },
  };
}

function expected(sessionId: string): SendStatsRequestInit {
  return {
    sessionId, unifiedSessionId: 'unified-1', sdk: 'rxsfu', sdkVersion: '9.9.9', webrtcVersion: 'werift',
    publisherStats: JSON.stringify(PUBLISHER_STATS), subscriberStats: JSON.stringify(SUBSCRIBER_STATS),
  };
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => undefined;
  return { warnings, debug: none, info: none, error: none, warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields)}`) };
}

const options = (extra: Partial<StatsReporterOptions> = {}): StatsReporterOptions => ({ intervalMs: 10, unifiedSessionId: 'unified-1', sdkVersion: '9.9.9', ...extra });

describe('call: statsReports$ (periodic SendStats)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expectedValue) => {
      expect(actual).to.deep.equal(expectedValue);
    });
  });

  it('sends one SendStats per interval with ids, sdk and both peers\' stats as JSON', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const a = connection('session-a', [() => cold('-r|')]);
      // Ticks at 10, 20, 30; each answer one frame later.
      expectObservable(statsReports$(cold('a', { a }), options(), scheduler), '^ 34ms !')
        .toBe('11ms x 9ms x 9ms x', { x: expected('session-a') });
    });
  });

  it('a new connection restarts the ticking on its own rpc; the old one gets nothing more (not duplicated)', () => {
    const a = connection('session-a', [() => of('ok')]);
    const b = connection('session-b', [() => of('ok')]);
    scheduler.run(({ cold, expectObservable }) => {
      // a at 0 (tick at 10), b at 15 (ticks at 25, 35, 45); a would have ticked at 20, 30, 40 too.
      expectObservable(statsReports$(cold('a 14ms b', { a, b }), options(), scheduler), '^ 49ms !')
        .toBe('10ms x 14ms y 9ms y 9ms y', { x: expected('session-a'), y: expected('session-b') });
    });
    expect(a.sent).to.have.length(1);
    expect(b.sent).to.have.length(3);
  });

  it('a report in flight when the connection changes is abandoned, not delivered late', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('8ms r|');
      const a = connection('session-a', [() => slow]);
      const b = connection('session-b', [() => of('ok')]);
      expectObservable(statsReports$(cold('a 12ms b', { a, b }), options(), scheduler), '^ 25ms !')
        .toBe('23ms y', { y: expected('session-b') });
      expectSubscriptions(slow.subscriptions).toBe('10ms ^ 2ms !');
    });
  });

  it('a failed report is logged and the next tick reports again', () => {
    const logger = recordingLogger();
    scheduler.run(({ cold, expectObservable }) => {
      const a = connection('session-a', [() => cold('-#', undefined, new Error('twirp 503')), () => cold('-r|')]);
      expectObservable(statsReports$(cold('a', { a }), options({ logger }), scheduler), '^ 34ms !')
        .toBe('21ms x 9ms x', { x: expected('session-a') });
    });
    expect(logger.warnings).to.have.length(1);
    expect(logger.warnings[0]).to.match(/SendStats failed.*twirp 503/);
  });

  it('a peer whose stats fail (closed) skips that report without stopping the reporter', () => {
    const logger = recordingLogger();
    let calls = 0;
    const flaky = () => (++calls === 1 ? throwError(() => new Error('publisher getStats failed')) : of(PUBLISHER_STATS));
    const a = connection('session-a', [() => of('ok')], flaky);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(statsReports$(cold('a', { a }), options({ logger }), scheduler), '^ 24ms !')
        .toBe('20ms x', { x: expected('session-a') });
    });
    expect(a.sent).to.have.length(1);
    expect(logger.warnings[0]).to.match(/getStats failed/);
  });

  it('reports never pile up: ticks while a report is on its way are dropped', () => {
    let a: FakeConnection | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      a = connection('session-a', [() => cold('25ms r|')]);
      // Tick 10 sends (answer at 35); ticks 20 and 30 are dropped; tick 40 sends (answer at 65).
      expectObservable(statsReports$(cold('a', { a }), options(), scheduler), '^ 69ms !')
        .toBe('35ms x 29ms x', { x: expected('session-a') });
    });
    expect(a!.sent).to.have.length(2);
  });

  it('unsubscribing stops the ticking and cancels the report in flight', () => {
    let subscription: Subscription | undefined;
    scheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold('5ms r|');
      const a = connection('session-a', [() => slow]);
      scheduler.schedule(() => (subscription = statsReports$(cold('a', { a }), options(), scheduler).subscribe()), 0);
      scheduler.schedule(() => subscription!.unsubscribe(), 12);
      expectSubscriptions(slow.subscriptions).toBe('10ms ^ 1ms !');
    });
    expect(subscription!.closed).to.equal(true);
  });

  it('no connection yet: nothing is sent', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(statsReports$(cold('u', { u: undefined }), options(), scheduler), '^ 50ms !').toBe('');
    });
  });

  it('interval 0 disables reporting: completes at once without ticking', () => {
    const a = connection('session-a', [() => of('ok')]);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(statsReports$(cold('a', { a }), options({ intervalMs: 0 }), scheduler)).toBe('|');
    });
    expect(a.sent).to.have.length(0);
  });

  it('a negative or non-finite interval is RXSFU_ERR_INVALID_ARGUMENT', () => {
    for (const intervalMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => statsReports$(of(undefined), options({ intervalMs }), scheduler), String(intervalMs))
        .to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    }
  });

  describe('resolveStatsInterval', () => {
    it('the caller\'s option wins, then the coordinator\'s value (0 = off), then 10000', () => {
      expect(resolveStatsInterval(200, 5000)).to.equal(200);
      expect(resolveStatsInterval(0, 5000)).to.equal(0);
      expect(resolveStatsInterval(undefined, 5000)).to.equal(5000);
      expect(resolveStatsInterval(undefined, 0)).to.equal(0);
      expect(resolveStatsInterval(undefined, undefined)).to.equal(DEFAULT_STATS_INTERVAL_MS);
      expect(DEFAULT_STATS_INTERVAL_MS).to.equal(10000);
    });

    it('a hostile coordinator period (1 ms, 2**40, fractions, NaN) is ignored: the default, never a timer Node would clamp', () => {
      for (const bad of [1, 99, 2 ** 40, 2 ** 31, 1000.5, Number.NaN, -5, Number.POSITIVE_INFINITY]) {
        expect(resolveStatsInterval(undefined, bad), String(bad)).to.equal(DEFAULT_STATS_INTERVAL_MS);
      }
      expect(resolveStatsInterval(undefined, 2 ** 31 - 1)).to.equal(2 ** 31 - 1);
      expect(resolveStatsInterval(undefined, 100)).to.equal(100);
    });

    it('rejects a bad option with RXSFU_ERR_INVALID_ARGUMENT', () => {
      expect(() => resolveStatsInterval(-5, 5000)).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    });
  });
});
