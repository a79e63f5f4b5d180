/**
 * Marble specs of the engine: every rule of docs/RECONNECT.md that spans attempts. Backoff waits with
 * OPTIONS and random 0.5: 2, 4, 8, 8 … frames; attempt timeout 20 (MIGRATE 30).
 */
import { expect } from 'chai';
import { map, NEVER, type Observable } from 'rxjs';
import { type RxsfuError, rxsfuError } from '../../lib/errors.js';
import { reconnectEpisodes, type ReconnectionEvent, type ReconnectOptions, type ReconnectRequest, withSfuId } from '../../lib/reconnect/index.js';
import { ADOPT, adopting, executors, flat, J, OPTIONS, req, S, scripted, testScheduler, type ScriptedExecutors } from './helpers.js';

const lost = rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset');

/** The engine with OPTIONS on the default scheduler, which `TestScheduler.run` makes virtual. */
function run$(requests$: Observable<ReconnectRequest>, ex: ScriptedExecutors, options: ReconnectOptions = {}) {
  return reconnectEpisodes(requests$, ex, { ...OPTIONS, ...options }, undefined).pipe(map(flat));
}

/** A flat record (see `flat`); `attempts` is the number of strategies tried. */
const record = (outcome: string, tried: string, durationMs: number, source: string, failure?: { reason: string; lastError?: string }) => ({
  outcome, tried, attempts: tried.split(',').length, durationMs, source, ...(failure ?? {}),
});

describe('reconnect engine (docs/RECONNECT.md)', () => {
  describe('R2 one episode at a time', () => {
    it('R2/R11: a FAST trigger runs one FAST attempt and ends joined with a record', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  --f', { f: req.fast });
        const fast1 = cold('      --j|', { j: J });
        const expected = '      --a-(Rj)';
        const ex = executors({ fast: scripted(fast1) });
        expectObservable(run$(requests, ex)).toBe(expected, { a: S.fast(1), R: record('joined', 'fast', 2, 'connection-lost'), j: S.joined });
        expectSubscriptions(fast1.subscriptions).toBe('--^-!');
      });
    });

    it('R2/R15: a burst of triggers subscribes the executor once; a later trigger starts a new episode with the new SFU', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  f(ff)f----f', { f: req.fast });
        const fast1 = cold('    ------j|', { j: J });
        const fast2 = cold('              --j|', { j: J });
        const expected = '      a-----(Rj)a-(Qj)';
        Object.assign(ex, { fast: scripted(fast1, fast2) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.fast(1), j: S.joined, R: record('joined', 'fast', 6, 'connection-lost'), Q: record('joined', 'fast', 2, 'connection-lost'),
        });
        expectSubscriptions(fast1.subscriptions).toBe('^-----!');
        expectSubscriptions(fast2.subscriptions).toBe('----------^-!');
      });
      expect(ex.fast.calls.map((c) => [c.attempt, c.reconnectAttempt, c.fromSfuId])).to.deep.equal([[1, 1, 'sfu-a'], [1, 2, 'sfu-b']]);
    });

    it('R2: the engine completes when requests$ completes, after the running episode', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  f-|', { f: req.fast });
        const fast1 = cold('    ----j|', { j: J });
        const expected = '      a---(Rj|)';
        expectObservable(run$(requests, executors({ fast: scripted(fast1) }))).toBe(expected, {
          a: S.fast(1), R: record('joined', 'fast', 4, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R2: an error of requests$ is passed on, and ends a running attempt', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const fast1 = cold('    -----j', { j: J });
        expectObservable(run$(hot('f-#', { f: req.fast }), executors({ fast: scripted(fast1) }))).toBe('a-#', { a: S.fast(1) });
        expectSubscriptions(fast1.subscriptions).toBe('^-!');
      });
    });
  });

  describe('R3 sticky escalation', () => {
    it('R3: a FAST request during a REJOIN episode never brings it back to FAST', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  r-f', { r: req.rejoin, f: req.fast });
        const rejoin1 = cold('  ----#', undefined, lost);
        const rejoin2 = cold('      --j|', { j: J });
        const expected = '      a---b---(Rj)';
        Object.assign(ex, { rejoin: scripted(rejoin1, rejoin2) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.rejoin(1), b: S.rejoin(2), R: record('joined', 'rejoin,rejoin', 8, 'peer-failed'), j: S.joined,
        });
        expectSubscriptions(rejoin2.subscriptions).toBe('------^-!');
      });
      expect(ex.fast.calls).to.have.length(0);
    });

    it('R3: a REJOIN request abandons the running FAST attempt and starts REJOIN at once, without backoff', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  f-r', { r: req.rejoin, f: req.fast });
        const fast1 = cold('    -----j', { j: J });
        const rejoin1 = cold('    --j|', { j: J });
        const expected = '      a-b-(Rj)';
        expectObservable(run$(requests, executors({ fast: scripted(fast1), rejoin: scripted(rejoin1) }))).toBe(expected, {
          a: S.fast(1), b: S.rejoin(2), R: record('joined', 'fast,rejoin', 4, 'connection-lost'), j: S.joined,
        });
        expectSubscriptions(fast1.subscriptions).toBe('^-!');
        expectSubscriptions(rejoin1.subscriptions).toBe('--^-!');
      });
    });

    it('R3/R5: go_away during a FAST episode escalates to MIGRATE and lists the current SFU', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  f-m', { m: req.migrate, f: req.fast });
        const fast1 = cold('    -----j', { j: J });
        const migrate1 = cold('   --j|', { j: J });
        const expected = '      a-b-(Rj)';
        Object.assign(ex, { fast: scripted(fast1), migrate: scripted(migrate1) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.fast(1), b: S.migrating(2), R: record('joined', 'fast,migrate', 4, 'connection-lost'), j: S.joined,
        });
      });
      expect(ex.migrate.calls[0]!.migratingFromList).to.deep.equal(['sfu-a']);
      expect(ex.migrate.calls[0]!.fromSfuId).to.equal('sfu-a');
    });

    it('R3/R6: a REJOIN request during a FAST backoff wait ends the wait and starts REJOIN at once; the next backoff follows the attempts made', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  f-r', { r: req.rejoin, f: req.fast });
        const fast1 = cold('    -#', undefined, lost);
        const rejoin1 = cold('    -#', undefined, lost);
        const rejoin2 = cold('       -j|', { j: J });
        const expected = '      abcd----(Rj)';
        Object.assign(ex, { fast: scripted(fast1), rejoin: scripted(rejoin1, rejoin2) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.fast(1), b: S.fast(2), c: S.rejoin(2), d: S.rejoin(3), R: record('joined', 'fast,rejoin,rejoin', 8, 'connection-lost'), j: S.joined,
        });
        expectSubscriptions(rejoin1.subscriptions).toBe('--^!');
        expectSubscriptions(rejoin2.subscriptions).toBe('-------^!');
      });
      expect(ex.fast.calls).to.have.length(1);
      expect(ex.rejoin.calls.map((c) => [c.attempt, c.previousError?.code])).to.deep.equal([[2, 'RXSFU_ERR_SOCKET_ERROR'], [3, 'RXSFU_ERR_SOCKET_ERROR']]);
    });
  });

  describe('R4 strategy of the next attempt, R6 backoff', () => {
    it('R4/R6: FAST is retried with full-jitter waits 2, 4 then REJOIN after 3 FAST failures', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  f', { f: req.fast });
        const fast1 = cold('    -#', undefined, lost);
        const fast2 = cold('       -#', undefined, lost);
        const fast3 = cold('           -#', undefined, lost);
        const rejoin1 = cold('                 --j|', { j: J });
        const expected = '      ab--c----d---------(Rj)';
        Object.assign(ex, { fast: scripted(fast1, fast2, fast3), rejoin: scripted(rejoin1) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.fast(1), b: S.fast(2), c: S.fast(3), d: S.rejoin(4), R: record('joined', 'fast,fast,fast,rejoin', 19, 'connection-lost'), j: S.joined,
        });
        expectSubscriptions(fast1.subscriptions).toBe('^!');
        expectSubscriptions(fast2.subscriptions).toBe('---^!');
        expectSubscriptions(fast3.subscriptions).toBe('--------^!');
        expectSubscriptions(rejoin1.subscriptions).toBe('-----------------^-!');
      });
      expect(ex.fast.calls.map((c) => c.previousError?.code)).to.deep.equal([undefined, 'RXSFU_ERR_SOCKET_ERROR', 'RXSFU_ERR_SOCKET_ERROR']);
    });

    it('R4: a FAST refused with a request for REJOIN (reconnect_strategy, a stale SFU token) is followed by REJOIN, not FAST again', () => {
      const askedRejoin = rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'the SFU refused our token', { reconnectStrategy: 3 });
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  f', { f: req.fast });
        const fast1 = cold('    -#', undefined, askedRejoin);
        const rejoin1 = cold('     --j|', { j: J });
        const expected = '      ab---(Rj)';
        expectObservable(run$(requests, executors({ fast: scripted(fast1), rejoin: scripted(rejoin1) }))).toBe(expected, {
          a: S.fast(1), b: S.rejoin(2), R: record('joined', 'fast,rejoin', 5, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R4: FAST becomes REJOIN once the episode is older than the FAST deadline', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  f', { f: req.fast });
        const fast1 = cold('    ----#', undefined, lost);
        const fast2 = cold('          --#', undefined, lost);
        const rejoin1 = cold('            ----j|', { j: J });
        const expected = '      a---b---c-------(Rj)';
        expectObservable(run$(requests, executors({ fast: scripted(fast1, fast2), rejoin: scripted(rejoin1) }), { fastDeadlineMs: 5 })).toBe(expected, {
          a: S.fast(1), b: S.fast(2), c: S.rejoin(3), R: record('joined', 'fast,fast,rejoin', 16, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R4/R15: the FAST deadline comes from the last JoinedInfo when no option overrides it', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  f', { f: req.fast });
        const fast1 = cold('    600ms #', undefined, lost);
        const fast2 = cold('    600ms #', undefined, lost);
        const rejoin1 = cold('  --j|', { j: J });
        const expected = '      a 599ms b 601ms c 5ms (Rj)';
        const options = { fastDeadlineMs: undefined, attemptTimeoutMs: 5000, disconnectionTimeoutMs: 10_000, fastAttempts: 100, initial: { sfuId: 'sfu-a', fastReconnectDeadlineSeconds: 1 } };
        expectObservable(run$(requests, executors({ fast: scripted(fast1, fast2), rejoin: scripted(rejoin1) }), options)).toBe(expected, {
          a: S.fast(1), b: S.fast(2), c: S.rejoin(3), R: record('joined', 'fast,fast,rejoin', 1208, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R4: a FAST trigger with a FAST deadline of 0 starts with REJOIN', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  f', { f: req.fast });
        const rejoin1 = cold('  --j|', { j: J });
        expectObservable(run$(requests, executors({ rejoin: scripted(rejoin1) }), { fastDeadlineMs: 0 })).toBe('a-(Rj)', {
          a: S.rejoin(1), R: record('joined', 'rejoin', 2, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R4/R5: a failed MIGRATE falls back to REJOIN, which still avoids the SFU that sent go_away', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  m', { m: req.migrate });
        const migrate1 = cold(' --#', undefined, withSfuId(rxsfuError('RXSFU_ERR_COORDINATOR', 'no SFU'), 'sfu-c'));
        const rejoin1 = cold('      --j|', { j: J });
        const expected = '      a-b---(Rj)';
        Object.assign(ex, { migrate: scripted(migrate1), rejoin: scripted(rejoin1) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.migrating(1), b: S.rejoin(2), R: record('joined', 'migrate,rejoin', 6, 'go-away'), j: S.joined,
        });
      });
      expect(ex.migrate.calls.map((c) => [c.fromSfuId, c.migratingFromList, c.reason])).to.deep.equal([['sfu-a', ['sfu-a'], req.migrate.detail]]);
      expect(ex.rejoin.calls.map((c) => c.migratingFromList)).to.deep.equal([['sfu-a']]);
    });

  });

  describe('R5 avoid bad SFUs', () => {
    for (const [name, code] of [['SFU_FULL', 700], ['SFU_SHUTTING_DOWN', 600], ['CALL_PARTICIPANT_LIMIT_REACHED', 301]] as const) {
      it(`R5: an SFU that answered ${name} (${code}) goes into migratingFromList at once`, () => {
        const ex = executors();
        testScheduler().run(({ hot, cold, expectObservable }) => {
          const refused = withSfuId(rxsfuError('RXSFU_ERR_JOIN_REJECTED', name, { sfuErrorCode: code }), 'sfu-x');
          const rejoin1 = cold('--#', undefined, refused);
          const rejoin2 = cold('--j|', { j: J });
          Object.assign(ex, { rejoin: scripted(rejoin1, rejoin2) });
          expectObservable(run$(hot('r', { r: req.rejoin }), ex)).toBe('a-b---(Rj)', {
            a: S.rejoin(1), b: S.rejoin(2), R: record('joined', 'rejoin,rejoin', 6, 'peer-failed'), j: S.joined,
          });
        });
        expect(ex.rejoin.calls.map((c) => c.migratingFromList)).to.deep.equal([[], ['sfu-x']]);
      });
    }

    it('R5: an SFU that failed twice goes into migratingFromList (untagged errors blame the current SFU)', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const internal = rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'internal', { sfuErrorCode: 500 });
        Object.assign(ex, { rejoin: scripted(cold('-#', undefined, internal), cold('-#', undefined, internal), cold('-j|', { j: J })) });
        expectObservable(run$(hot('r', { r: req.rejoin }), ex)).toBe('ab--c----(Rj)', {
          a: S.rejoin(1), b: S.rejoin(2), c: S.rejoin(3), R: record('joined', 'rejoin,rejoin,rejoin', 9, 'peer-failed'), j: S.joined,
        });
      });
      expect(ex.rejoin.calls.map((c) => c.migratingFromList)).to.deep.equal([[], [], ['sfu-a']]);
    });
  });

  describe('R7 no attempt hangs', () => {
    it('R7: an executor that never emits is unsubscribed after attemptTimeoutMs and the next attempt runs', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const rejoin1 = cold('-');
        const rejoin2 = cold('--j|', { j: J });
        Object.assign(ex, { rejoin: scripted(rejoin1, rejoin2) });
        expectObservable(run$(hot('r', { r: req.rejoin }), ex)).toBe('a 19ms b 3ms (Rj)', {
          a: S.rejoin(1), b: S.rejoin(2), R: record('joined', 'rejoin,rejoin', 24, 'peer-failed'), j: S.joined,
        });
        expectSubscriptions(rejoin1.subscriptions).toBe('^ 19ms !');
      });
      expect(ex.rejoin.calls[1]!.previousError?.code).to.equal('RXSFU_ERR_ATTEMPT_TIMEOUT');
    });

    it('R7/R4: a MIGRATE that never completes times out after attemptTimeoutMs + migrationTimeoutMs and falls back to REJOIN', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const migrate1 = cold('-');
        const rejoin1 = cold('--j|', { j: J });
        expectObservable(run$(hot('m', { m: req.migrate }), executors({ migrate: scripted(migrate1), rejoin: scripted(rejoin1) }))).toBe('a 29ms b 3ms (Rj)', {
          a: S.migrating(1), b: S.rejoin(2), R: record('joined', 'migrate,rejoin', 34, 'go-away'), j: S.joined,
        });
        expectSubscriptions(migrate1.subscriptions).toBe('^ 29ms !');
      });
    });

    it('R7/R9: an executor that throws something untyped fails with RXSFU_ERR_INTERNAL, final: no retry as if the SFU had refused', () => {
      const ex = executors();
      testScheduler().run(({ hot, expectObservable }) => {
        const throwing = Object.assign(() => { throw new TypeError('boom'); }, { calls: [] });
        Object.assign(ex, { fast: throwing });
        expectObservable(run$(hot('f', { f: req.fast }), ex)).toBe('(aRF|)', {
          a: S.fast(1), F: S.failed, R: record('failed', 'fast', 0, 'connection-lost', { reason: 'internal', lastError: 'RXSFU_ERR_INTERNAL' }),
        });
      });
      expect(ex.rejoin.calls).to.deep.equal([]);
    });

    it('R7/R9: an executor that completes without a value broke its contract: RXSFU_ERR_INTERNAL, final', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = executors({ rejoin: scripted(cold('--|')) });
        expectObservable(run$(hot('r', { r: req.rejoin }), ex)).toBe('a-(RF|)', {
          a: S.rejoin(1), F: S.failed, R: record('failed', 'rejoin', 2, 'peer-failed', { reason: 'internal', lastError: 'RXSFU_ERR_INTERNAL' }),
        });
      });
    });

    it('I2/R10: executors that never answer end in reconnecting-failed at the overall deadline, never hang', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const never = () => cold('-');
        const ex = executors({ fast: scripted(never(), never(), never()), rejoin: scripted(never(), never()) });
        expectObservable(run$(hot('f', { f: req.fast }), ex, { disconnectionTimeoutMs: 100 })).toBe('a 19ms b 21ms c 23ms d 27ms e 5ms (RF|)', {
          a: S.fast(1), b: S.fast(2), c: S.fast(3), d: S.rejoin(4), e: S.rejoin(5), F: S.failed,
          R: record('failed', 'fast,fast,fast,rejoin', 100, 'connection-lost', { reason: 'deadline', lastError: 'RXSFU_ERR_ATTEMPT_TIMEOUT' }),
        });
      });
    });
  });

  describe('R8 rate limit', () => {
    it('R8: FAST has its own window: the FAST beyond it escalates to REJOIN, so FASTs that succeed and are lost at once cannot loop', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = executors({ fast: scripted(cold('-j|', { j: J }), cold('-j|', { j: J })), rejoin: scripted(cold('-j|', { j: J })) });
        expectObservable(run$(hot('f----f----f', { f: req.fast }), ex, { fastRateLimit: { max: 2, windowMs: 1000 } })).toBe('a(Rj)b(Rj)c(Qj)', {
          a: S.fast(1), b: S.fast(1), c: S.rejoin(1), j: S.joined,
          R: record('joined', 'fast', 1, 'connection-lost'), Q: record('joined', 'rejoin', 1, 'connection-lost'),
        });
      });
    });

    it('R8: the REJOIN beyond the limit is refused: the episode fails with reason rate-limit and no executor runs', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = executors({ rejoin: scripted(cold('-#', undefined, lost), cold('-#', undefined, lost)) });
        expectObservable(run$(hot('r', { r: req.rejoin }), ex, { rateLimit: { max: 2, windowMs: 1000 } })).toBe('ab--(RF|)', {
          a: S.rejoin(1), b: S.rejoin(2), F: S.failed,
          R: record('failed', 'rejoin,rejoin', 4, 'peer-failed', { reason: 'rate-limit', lastError: 'RXSFU_ERR_SOCKET_ERROR' }),
        });
      });
    });

    it('R8: the window spans episodes: a second episode inside the window is refused before any attempt', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = executors({ migrate: scripted(cold('-j|', { j: J })) });
        expectObservable(run$(hot('m-----m', { m: req.migrate }), ex, { rateLimit: { max: 1, windowMs: 1000 } })).toBe('a(Rj)-(QF|)', {
          a: S.migrating(1), j: S.joined, F: S.failed,
          R: record('joined', 'migrate', 1, 'go-away'),
          Q: { outcome: 'failed', tried: '', attempts: 0, durationMs: 0, source: 'go-away', reason: 'rate-limit', lastError: undefined },
        });
      });
    });
  });

  describe('R9 final errors, R10 deadline, R11 records', () => {
    it('R9: 401/403 (RXSFU_ERR_UNAUTHORIZED) ends the episode at once, without another attempt', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        Object.assign(ex, { fast: scripted(cold('--#', undefined, rxsfuError('RXSFU_ERR_UNAUTHORIZED', 'token expired', { httpStatus: 401 }))) });
        expectObservable(run$(hot('f', { f: req.fast }), ex)).toBe('a-(RF|)', {
          a: S.fast(1), F: S.failed, R: record('failed', 'fast', 2, 'connection-lost', { reason: 'unauthorized', lastError: 'RXSFU_ERR_UNAUTHORIZED' }),
        });
      });
      expect(ex.rejoin.calls).to.have.length(0);
    });

    it('R9/R13: an attempt answered with an SFU error carrying DISCONNECT is final, and the call is over: failed record, then left (RXSFU_ERR_CALL_ENDED)', () => {
      const events: ReconnectionEvent[] = [];
      const disconnect = rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'go away', { reconnectStrategy: 1, sfuErrorCode: 500 });
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = executors({ rejoin: scripted(cold('-#', undefined, disconnect)) });
        expectObservable(reconnectEpisodes(hot('r', { r: req.rejoin }), ex, OPTIONS).pipe(map((e) => (events.push(e), flat(e))))).toBe('a(RL|)', {
          a: S.rejoin(1), L: S.left('RXSFU_ERR_CALL_ENDED'),
          R: record('failed', 'rejoin', 1, 'peer-failed', { reason: 'disconnected', lastError: 'RXSFU_ERR_JOIN_REJECTED' }),
        });
      });
      const left = events.at(-1) as { state: { kind: 'left'; error: RxsfuError } };
      // The SFU's refusal stays reachable: the cause, its strategy and code.
      expect(left.state.error.cause).to.equal(disconnect);
      expect(left.state.error).to.include({ reconnectStrategy: 1, sfuErrorCode: 500 });
    });

    it('R9/R13: a call_ended heard by a FAST attempt\'s own connection before adoption ends left with that RXSFU_ERR_CALL_ENDED, as on the current connection', () => {
      const events: ReconnectionEvent[] = [];
      const ended = rxsfuError('RXSFU_ERR_CALL_ENDED', 'the call ended before the join was answered');
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        Object.assign(ex, { fast: scripted(cold('--#', undefined, ended)) });
        expectObservable(reconnectEpisodes(hot('f', { f: req.fast }), ex, OPTIONS).pipe(map((e) => (events.push(e), flat(e))))).toBe('a-(RL|)', {
          a: S.fast(1), L: S.left('RXSFU_ERR_CALL_ENDED'),
          R: record('failed', 'fast', 2, 'connection-lost', { reason: 'disconnected', lastError: 'RXSFU_ERR_CALL_ENDED' }),
        });
      });
      expect((events.at(-1) as { state: { error: unknown } }).state.error).to.equal(ended);
      expect(ex.rejoin.calls).to.have.length(0);
    });

    it('R13: the attempt\'s DISCONNECT and the current connection\'s, at the same moment, end the call once (one record, one left)', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const disconnect = rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'go away', { reconnectStrategy: 1 });
        const ex = executors({ fast: scripted(cold('--#', undefined, disconnect)) });
        expectObservable(run$(hot('f-d', { f: req.fast, d: req.disconnect }), ex)).toBe('a-(RL|)', {
          a: S.fast(1), L: S.left('RXSFU_ERR_CALL_ENDED'),
          R: record('failed', 'fast', 2, 'connection-lost', { reason: 'disconnected', lastError: 'RXSFU_ERR_CALL_ENDED' }),
        });
      });
    });

    it('R10/R11: the failure carries the cause that started the episode and the last attempt error', () => {
      const cause = rxsfuError('RXSFU_ERR_WEBRTC', 'publisher failed');
      const events: unknown[] = [];
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const rejoin2 = cold('-');
        const ex = executors({ rejoin: scripted(cold('-'), rejoin2) });
        const engine$ = reconnectEpisodes(hot('r', { r: { ...req.rejoin, cause } }), ex, { ...OPTIONS, attemptTimeoutMs: 40, disconnectionTimeoutMs: 50 });
        expectObservable(engine$.pipe(map((e) => (events.push(e), flat(e))))).toBe('a 39ms b 9ms (RF|)', {
          a: S.rejoin(1), b: S.rejoin(2), F: S.failed,
          R: record('failed', 'rejoin,rejoin', 50, 'peer-failed', { reason: 'deadline', lastError: 'RXSFU_ERR_ATTEMPT_TIMEOUT' }),
        });
        expectSubscriptions(rejoin2.subscriptions).toBe('42ms ^ 7ms !');
      });
      const failed = events.at(-1) as { state: { kind: string; error: { code: string; cause: unknown; reason: string } } };
      expect(failed.state.kind).to.equal('reconnecting-failed');
      expect(failed.state.error.code).to.equal('RXSFU_ERR_RECONNECT_FAILED');
      expect(failed.state.error.cause).to.equal(cause);
      expect(failed.state.error.reason).to.equal('deadline');
    });
  });

  describe('R12 leave cancels, R13 DISCONNECT is final', () => {
    it('R12: leave during an attempt unsubscribes it, records cancelled, emits left and completes', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const leave = hot('     ---x');
        const requests = hot('  f----f', { f: req.fast });
        const fast1 = cold('    -----j', { j: J });
        Object.assign(ex, { fast: scripted(fast1) });
        expectObservable(run$(requests, ex, { leave$: leave })).toBe('a--(RL|)', {
          a: S.fast(1), R: record('cancelled', 'fast', 3, 'connection-lost'), L: S.left('RXSFU_ERR_LEFT'),
        });
        expectSubscriptions(fast1.subscriptions).toBe('^--!');
      });
      expect(ex.fast.calls).to.have.length(1);
    });

    it('R12: leave during a backoff wait: the next executor is never called', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        Object.assign(ex, { fast: scripted(cold('-#', undefined, lost)) });
        expectObservable(run$(hot('f', { f: req.fast }), ex, { leave$: hot('--x') })).toBe('ab(RL|)', {
          a: S.fast(1), b: S.fast(2), R: record('cancelled', 'fast', 2, 'connection-lost'), L: S.left('RXSFU_ERR_LEFT'),
        });
      });
      expect(ex.fast.calls).to.have.length(1);
    });

    it('R12: leave with no episode running emits left and completes', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        expectObservable(run$(NEVER, executors(), { leave$: hot('--x') })).toBe('--(L|)', { L: S.left('RXSFU_ERR_LEFT') });
      });
    });

    it('R13: DISCONNECT with no episode: left with RXSFU_ERR_CALL_ENDED, no executor, later requests ignored', () => {
      const ex = executors();
      testScheduler().run(({ hot, expectObservable }) => {
        expectObservable(run$(hot('-d-f', { d: req.disconnect, f: req.fast }), ex)).toBe('-(L|)', { L: S.left('RXSFU_ERR_CALL_ENDED') });
      });
      expect(ex.fast.calls).to.have.length(0);
    });

    it('R13: DISCONNECT during an episode ends it failed (reason disconnected), then left', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const fast1 = cold('    -----j', { j: J });
        expectObservable(run$(hot('f-d', { f: req.fast, d: req.disconnect }), executors({ fast: scripted(fast1) }))).toBe('a-(RL|)', {
          a: S.fast(1), L: S.left('RXSFU_ERR_CALL_ENDED'),
          R: record('failed', 'fast', 2, 'connection-lost', { reason: 'disconnected', lastError: 'RXSFU_ERR_CALL_ENDED' }),
        });
        expectSubscriptions(fast1.subscriptions).toBe('^-!');
      });
    });
  });

  describe('R14 ICE restart is a light episode', () => {
    it('R14: an ICE restart that succeeds leaves the state alone and records ice-restart', () => {
      const peers: string[] = [];
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const ice1 = cold('--x|');
        const ex = { ...executors(), iceRestart: (peer: 'publisher' | 'subscriber') => (peers.push(peer), ice1) };
        expectObservable(run$(hot('i', { i: req.ice }), ex)).toBe('--R', { R: record('joined', 'ice-restart', 2, 'ice-failed') });
        expectSubscriptions(ice1.subscriptions).toBe('^-!');
      });
      expect(peers).to.deep.equal(['subscriber']);
    });

    it('R14/R4: a failed ICE restart escalates to REJOIN', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = { ...executors({ rejoin: scripted(cold('--j|', { j: J })) }), iceRestart: () => cold('-#', undefined, lost) };
        expectObservable(run$(hot('i', { i: req.ice }), ex)).toBe('-b---(Rj)', {
          b: S.rejoin(2), R: record('joined', 'ice-restart,rejoin', 5, 'ice-failed'), j: S.joined,
        });
      });
    });

    it('R14: without an iceRestart executor an ICE restart request is a REJOIN', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const ex = executors({ rejoin: scripted(cold('--j|', { j: J })) });
        expectObservable(run$(hot('i', { i: req.ice }), ex)).toBe('a-(Rj)', { a: S.rejoin(1), R: record('joined', 'rejoin', 2, 'ice-failed'), j: S.joined });
      });
    });

    it('R14/R3: a socket loss during an ICE restart escalates it to FAST instead of being dropped', () => {
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const ice1 = cold('-----x');
        const ex = { ...executors({ fast: scripted(cold('--j|', { j: J })) }), iceRestart: () => ice1 };
        expectObservable(run$(hot('i-f', { i: req.ice, f: req.fast }), ex)).toBe('--a-(Rj)', {
          a: S.fast(2), R: record('joined', 'ice-restart,fast', 4, 'ice-failed'), j: S.joined,
        });
        expectSubscriptions(ice1.subscriptions).toBe('^-!');
      });
    });
  });

  describe('R16 a loss of the adopted connection is never dropped', () => {
    it('R16: a FAST request after the FAST attempt adopted its connection fails that attempt at once; the next FAST starts from the new SFU', () => {
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const requests = hot('  f---f', { f: req.fast });
        const fast1 = cold('    --a----j|', { a: ADOPT, j: J });
        const fast2 = cold('          --j|', { j: J });
        const expected = '      a---b---(Rj)';
        Object.assign(ex, { fast: adopting(fast1, fast2) });
        expectObservable(run$(requests, ex)).toBe(expected, {
          a: S.fast(1), b: S.fast(2), R: record('joined', 'fast,fast', 8, 'connection-lost'), j: S.joined,
        });
        expectSubscriptions(fast1.subscriptions).toBe('^---!');
        expectSubscriptions(fast2.subscriptions).toBe('------^-!');
      });
      const second = ex.fast.calls[1]!;
      expect(second.previousError?.code).to.equal('RXSFU_ERR_SOCKET_CLOSED');
      expect(second.fromSfuId, 'the adopted SFU is the current one (R15)').to.equal('sfu-b');
    });

    it('R16: a FAST request after a REJOIN attempt adopted its connection fails it; REJOIN runs again (R3 keeps the floor)', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot('  r---f', { r: req.rejoin, f: req.fast });
        const rejoin1 = cold('  --a----j|', { a: ADOPT, j: J });
        const rejoin2 = cold('        --j|', { j: J });
        expectObservable(run$(requests, executors({ rejoin: adopting(rejoin1, rejoin2) }))).toBe('a---b---(Rj)', {
          a: S.rejoin(1), b: S.rejoin(2), R: record('joined', 'rejoin,rejoin', 8, 'peer-failed'), j: S.joined,
        });
      });
    });

    it('R16/R2: before adoption a FAST request during a FAST attempt is the same loss and changes nothing', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const fast1 = cold('    ----a--j|', { a: ADOPT, j: J });
        expectObservable(run$(hot('f-f', { f: req.fast }), executors({ fast: adopting(fast1) }))).toBe('a------(Rj)', {
          a: S.fast(1), R: record('joined', 'fast', 7, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R16/R3: an ICE restart request after adoption changes nothing (FAST restarts ICE itself)', () => {
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const fast1 = cold('    --a----j|', { a: ADOPT, j: J });
        expectObservable(run$(hot('f---i', { f: req.fast, i: req.ice }), executors({ fast: adopting(fast1) }))).toBe('a------(Rj)', {
          a: S.fast(1), R: record('joined', 'fast', 7, 'connection-lost'), j: S.joined,
        });
      });
    });

    it('R16: an SFU error after adoption fails the attempt with that error (R5 blames the adopted SFU)', () => {
      const sfuError = rxsfuError('RXSFU_ERR_SFU_ERROR', 'SFU error 500: again');
      const again: ReconnectRequest = { strategy: 'fast', source: 'sfu-error', detail: 'SFU error 500: again', cause: sfuError };
      const ex = executors();
      testScheduler().run(({ hot, cold, expectObservable }) => {
        const requests = hot<ReconnectRequest>('  f---e', { f: req.fast, e: again });
        Object.assign(ex, { fast: adopting(cold('--a----j|', { a: ADOPT, j: J }), cold('--j|', { j: J })) });
        expectObservable(run$(requests, ex)).toBe('a---b---(Rj)', {
          a: S.fast(1), b: S.fast(2), R: record('joined', 'fast,fast', 8, 'connection-lost'), j: S.joined,
        });
      });
      expect(ex.fast.calls[1]!.previousError).to.equal(sfuError);
    });
  });

  describe('options', () => {
    it('rejects unusable options with RXSFU_ERR_INVALID_ARGUMENT', () => {
      expect(() => reconnectEpisodes(NEVER, executors(), { attemptTimeoutMs: -1 })).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
      expect(() => reconnectEpisodes(NEVER, executors(), { backoff: { baseMs: Number.NaN } })).to.throw(/backoff.baseMs/);
    });
  });
});
