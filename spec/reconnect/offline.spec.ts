/**
 * R17 offline, in virtual time. With OPTIONS and random 0.5: probe waits 2 (probeBackoff 4/4),
 * probe timeout 3, FAST deadline 100 unless overridden.
 */
import { expect } from 'chai';
import { map, type Observable } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import { reconnectEpisodes, type ReconnectOptions, type ReconnectRequest } from '../../lib/reconnect/index.js';
import { executors, flat, J, OPTIONS, req, S, scripted, testScheduler, type ScriptedExecutors } from './helpers.js';

const lost = rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'no answer');
const OFFLINE_OPTIONS: ReconnectOptions = { ...OPTIONS, probeTimeoutMs: 3, probeBackoff: { baseMs: 4, maxDelayMs: 4 }, outageBudgetMs: 1000 };

/** A probe that returns the n-th scripted Observable on its n-th call. */
function probes(...script: Observable<unknown>[]) {
  let calls = 0;
  const probe = (): Observable<unknown> => {
    const next = script[calls++];
    if (!next) throw new Error(`probe called ${calls} times, scripted for ${script.length}`);
    return next;
  };
  return Object.assign(probe, { calls: () => calls });
}

function run$(requests$: Observable<ReconnectRequest>, ex: ScriptedExecutors, probe: () => Observable<unknown>, options: ReconnectOptions = {}, heard$?: Observable<unknown>) {
  const networkHeard$ = heard$ ? { networkHeard$: () => heard$ } : {};
  return reconnectEpisodes(requests$, { ...ex, probe, ...networkHeard$ }, { ...OFFLINE_OPTIONS, ...options }).pipe(map(flat));
}

const record = (outcome: string, tried: string, durationMs: number, extra: Record<string, unknown> = {}) => ({
  outcome, tried, attempts: tried.split(',').length, durationMs, source: 'connection-lost', ...extra,
});

describe('R17 offline (docs/RECONNECT.md)', () => {
  it('R17: a failed attempt whose probe answers goes on as before (R4/R6): no offline', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const requests = hot('f', { f: req.fast });
      const ex = executors({ fast: scripted(cold('--#', {}, lost), cold('--j|', { j: J })) });
      const probe = probes(cold('a'));
      expectObservable(run$(requests, ex, probe)).toBe('a-b---(Rj)', { a: S.fast(1), b: S.fast(2), R: record('joined', 'fast,fast', 6), j: S.joined });
    });
  });

  it('R17: nothing answers → offline, no attempt while offline; the network answers inside the FAST window → FAST at once', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const requests = hot('f------f', { f: req.fast });
      const fast2 = cold('--j|', { j: J });
      const ex = executors({ fast: scripted(cold('--#', {}, lost), fast2) });
      // silent (timeout 3) → offline at 5; wait 2, error at 7; wait 2, answer at 9
      const probe = probes(cold('-'), cold('#'), cold('a'));
      expectObservable(run$(requests, ex, probe)).toBe('a----o---b-(Rj)', {
        a: S.fast(1), o: S.offline, b: S.fast(2), j: S.joined,
        R: record('joined', 'fast,fast', 11, { outages: '4:network-back:probe' }),
      });
      expectSubscriptions(fast2.subscriptions).toBe('---------^-!');
    });
  });

  it('R17/R10: an outage longer than the deadline and the FAST window ends joined through REJOIN; the deadline is paused while offline', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const requests = hot('f', { f: req.fast });
      const ex = executors({ fast: scripted(cold('--#', {}, lost)), rejoin: scripted(cold('--j|', { j: J })) });
      // offline at 5, then 12 failed probes (7, 9, … 29), the 13th answers at 31
      const probe = probes(cold('-'), ...Array.from({ length: 12 }, () => cold('#')), cold('a'));
      const expected = 'a----o' + '-'.repeat(25) + 'b-(Rj)';
      expectObservable(run$(requests, ex, probe, { disconnectionTimeoutMs: 20, fastDeadlineMs: 10 })).toBe(expected, {
        a: S.fast(1), o: S.offline, b: S.rejoin(2), j: S.joined,
        R: record('joined', 'fast,rejoin', 33, { outages: '26:network-back:probe' }),
      });
    });
  });

  it('R17: offline longer than outageBudgetMs fails with reason offline; no REJOIN is spent', () => {
    const ex = executors();
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const requests = hot('f', { f: req.fast });
      Object.assign(ex, { fast: scripted(cold('--#', {}, lost)) });
      const probe = () => cold('#');
      expectObservable(run$(requests, ex, probe, { outageBudgetMs: 10 })).toBe('a-o---------(Rx|)', {
        a: S.fast(1), o: S.offline, x: S.failed,
        R: record('failed', 'fast', 12, { reason: 'offline', lastError: 'RXSFU_ERR_JOIN_TIMEOUT', outages: '10:budget' }),
      });
    });
    expect(ex.rejoin.calls).to.deep.equal([]);
  });

  it('R17/R12: leave() during offline ends at once: record cancelled with the outage, state left, probing stops', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const requests = hot('f', { f: req.fast });
      const leave = hot('  ------l');
      const ex = executors({ fast: scripted(cold('--#', {}, lost)) });
      const silent = cold('-');
      const probe = probes(cold('#'), silent);
      // offline at 2 (the first probe errors), the second probe runs from 4, leave at 6
      expectObservable(run$(requests, ex, probe, { leave$: leave })).toBe('a-o---(Rl|)', {
        a: S.fast(1), o: S.offline, l: S.left('RXSFU_ERR_LEFT'),
        R: record('cancelled', 'fast', 6, { outages: '4:cancelled' }),
      });
      expectSubscriptions(silent.subscriptions).toBe('----^-!');
    });
  });

  it('R17: outageBudgetMs 0 turns offline off (no probe)', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const requests = hot('f', { f: req.fast });
      const ex = executors({ fast: scripted(cold('--#', {}, lost), cold('--j|', { j: J })) });
      expectObservable(run$(requests, ex, probes(), { outageBudgetMs: 0 })).toBe('a-b---(Rj)', {
        a: S.fast(1), b: S.fast(2), R: record('joined', 'fast,fast', 6), j: S.joined,
      });
    });
  });
  it('R17: a probe unanswered while a path is heard (media, signaling) is no outage: the attempts go on', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const requests = hot('f', { f: req.fast });
      const heard = hot('   ---h', { h: 'rtcp' });
      const ex = executors({ fast: scripted(cold('--#', {}, lost), cold('--j|', { j: J })) });
      // the probe (from 2) stays silent, but the SFU's RTCP is heard at 3: online, FAST 2 after the backoff (2)
      expectObservable(run$(requests, ex, probes(cold('-')), {}, heard)).toBe('a--b---(Rj)', {
        a: S.fast(1), b: S.fast(2), R: record('joined', 'fast,fast', 7), j: S.joined,
      });
    });
  });

  it('R17: while offline, a path heard again ends the outage at once, without waiting for a probe to answer', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const requests = hot('f', { f: req.fast });
      const heard = hot('   --------h', { h: 'rtp' });
      const fast2 = cold('--j|', { j: J });
      const ex = executors({ fast: scripted(cold('--#', {}, lost), fast2) });
      const second = cold('-');
      // silent probe → offline at 5; the next probe (from 7) is silent too; RTP heard at 8 → FAST at once
      expectObservable(run$(requests, ex, probes(cold('-'), second), {}, heard)).toBe('a----o--b-(Rj)', {
        a: S.fast(1), o: S.offline, b: S.fast(2), j: S.joined,
        R: record('joined', 'fast,fast', 10, { outages: '3:network-back:path' }),
      });
      expectSubscriptions(second.subscriptions).toBe('-------^!');
      expectSubscriptions(fast2.subscriptions).toBe('--------^-!');
    });
  });

  it('R17: an attempt that failed on an answer (an HTTP status, an SFU error) heard the network: no probe, no offline', () => {
    const refused = rxsfuError('RXSFU_ERR_COORDINATOR', 'join refused', { httpStatus: 503 });
    const probe = probes();
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const requests = hot('f', { f: req.fast });
      const ex = executors({ fast: scripted(cold('--#', {}, refused), cold('--j|', { j: J })) });
      expectObservable(run$(requests, ex, probe)).toBe('a-b---(Rj)', {
        a: S.fast(1), b: S.fast(2), R: record('joined', 'fast,fast', 6), j: S.joined,
      });
    });
    expect(probe.calls()).to.equal(0);
  });
});
