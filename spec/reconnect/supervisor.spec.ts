/**
 * R18 the supervisor, in virtual time: engine runs and fresh joins are scripted; backoff waits 2
 * (bounds 4, random 0.5), fresh-join timeout 20.
 */
import { expect } from 'chai';
import { asyncScheduler, map, type Observable, tap } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import {
  ReconnectFailedError, resolveSupervisorOptions, superviseEpisodes, type JoinedInfo, type ReconnectFailureReason, type ReconnectionEvent,
  type SupervisorOptions,
} from '../../lib/reconnect/index.js';
import { flat, J, req, S, scripted, testScheduler } from './helpers.js';

const FIRST: JoinedInfo = { sfuId: 'sfu-a' };
const gaveUp = (reason: ReconnectFailureReason) => new ReconnectFailedError(reason, req.fast, rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'no answer'));
/** An engine run that gives up with `reason`: its failed record and state (R11). */
const failedRun = (reason: ReconnectFailureReason): Record<string, ReconnectionEvent> => {
  const error = gaveUp(reason);
  return {
    R: { type: 'record', record: { trigger: req.fast, strategiesTried: ['fast'], attempts: 1, durationMs: 2, outcome: 'failed', failure: error } },
    x: { type: 'state', state: { kind: 'reconnecting-failed', error } },
  };
};

function runs(...script: Observable<ReconnectionEvent>[]) {
  const calls: JoinedInfo[] = [];
  const run = (initial: JoinedInfo) => {
    calls.push(initial);
    const next = script[calls.length - 1];
    if (!next) throw new Error(`run ${calls.length} not scripted`);
    return next;
  };
  return Object.assign(run, { calls });
}

function supervised$(run: ReturnType<typeof runs>, freshJoin: ReturnType<typeof scripted<JoinedInfo>>, options: SupervisorOptions | false = {}) {
  return superviseEpisodes(FIRST, {
    run, freshJoin, attemptTimeoutMs: 20, random: () => 0.5, scheduler: asyncScheduler,
    options: resolveSupervisorOptions(options === false ? false : { maxRestarts: 1, windowMs: 1000, backoff: { baseMs: 4, maxDelayMs: 4 }, ...options }),
  }).pipe(map(flat));
}

const restarting = (attempt: number) => ({ state: 'restarting', attempt });
const restartRecord = (outcome: string, tried: number, durationMs: number, failure?: { reason: string; lastError?: string }) => ({
  outcome, tried: Array(tried).fill('rejoin').join(','), attempts: tried, durationMs, source: 'supervisor', ...(failure ?? {}),
});

describe('R18 supervisor (docs/RECONNECT.md)', () => {
  it('R18: an episode that gave up (deadline) → restarting → a fresh join → joined, and the engine runs again from the new join', () => {
    let run!: ReturnType<typeof runs>;
    testScheduler().run(({ cold, expectObservable }) => {
      run = runs(cold('--(Rx|)', failedRun('deadline')), cold('-'));
      const freshJoin = scripted<JoinedInfo>(cold('--j|', { j: J }));
      expectObservable(supervised$(run, freshJoin)).toBe('--(Rs)(Qj)', {
        R: flat(failedRun('deadline').R!), s: restarting(1), Q: restartRecord('joined', 1, 4), j: S.joined,
      });
    });
    expect(run.calls).to.deep.equal([FIRST, J]);
  });

  it('R18: a second give-up beyond the budget ends the call: reason supervisor-budget, cause the failure it was curing', () => {
    const events: ReconnectionEvent[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const run = runs(cold('--(Rx|)', failedRun('deadline')), cold('------(Rx|)', failedRun('rate-limit')));
      const freshJoin = scripted<JoinedInfo>(cold('--j|', { j: J }));
      const out$ = superviseEpisodes(FIRST, {
        run, freshJoin, attemptTimeoutMs: 20, random: () => 0.5, scheduler: asyncScheduler,
        options: resolveSupervisorOptions({ maxRestarts: 1, windowMs: 1000, backoff: { baseMs: 4, maxDelayMs: 4 } }),
      }).pipe(tap((e) => events.push(e)), map(flat));
      expectObservable(out$).toBe('--(Rs)(Qj)--(TFx|)', {
        R: flat(failedRun('deadline').R!), T: flat(failedRun('rate-limit').R!), s: restarting(1), Q: restartRecord('joined', 1, 4), j: S.joined,
        F: restartRecord('failed', 0, 0, { reason: 'supervisor-budget', lastError: 'RXSFU_ERR_RECONNECT_FAILED' }), x: S.failed,
      });
    });
    const last = events.at(-1)!;
    expect(last.type === 'state' && last.state.kind === 'reconnecting-failed').to.equal(true);
    const error = (last as { state: { error: ReconnectFailedError } }).state.error;
    expect(error.reason).to.equal('supervisor-budget');
    expect((error.cause as ReconnectFailedError).reason, 'the cause is the give-up it could not cure').to.equal('rate-limit');
  });

  it('R18: a failed fresh join is retried within the budget, with backoff', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const run = runs(cold('-(Rx|)', failedRun('offline')), cold('-'));
      const freshJoin = scripted<JoinedInfo>(cold('--#', {}, rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'no')), cold('--j|', { j: J }));
      // restarting 1 at 1, wait 2, fails at 5; restarting 2 at 5, wait min(4, 8)·0.5 = 2, joined at 9
      expectObservable(supervised$(run, freshJoin, { maxRestarts: 2 })).toBe('-(Rs)t---(Qj)', {
        R: flat(failedRun('offline').R!), s: restarting(1), t: restarting(2), Q: restartRecord('joined', 2, 8), j: S.joined,
      });
    });
  });

  it('R18/R13: a fresh join told the call is over (call_ended) ends the call left with RXSFU_ERR_CALL_ENDED, never reconnecting-failed', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const run = runs(cold('--(Rx|)', failedRun('deadline')));
      const freshJoin = scripted<JoinedInfo>(cold('--#', {}, rxsfuError('RXSFU_ERR_CALL_ENDED', 'the call ended before the join was answered')));
      expectObservable(supervised$(run, freshJoin, { maxRestarts: 3 })).toBe('--(Rs)(FL|)', {
        R: flat(failedRun('deadline').R!), s: restarting(1), L: S.left('RXSFU_ERR_CALL_ENDED'),
        F: restartRecord('failed', 1, 4, { reason: 'disconnected', lastError: 'RXSFU_ERR_CALL_ENDED' }),
      });
    });
  });

  for (const reason of ['unauthorized', 'disconnected'] as const) {
    it(`R18: a give-up for ${reason} is never supervised`, () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = runs(cold('--(Rx|)', failedRun(reason)));
        expectObservable(supervised$(run, scripted<JoinedInfo>())).toBe('--(Rx|)', { R: flat(failedRun(reason).R!), x: S.failed });
      });
    });
  }

  it('R18: supervisor false keeps the old behaviour (the give-up ends the call)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const run = runs(cold('--(Rx|)', failedRun('deadline')));
      expectObservable(supervised$(run, scripted<JoinedInfo>(), false)).toBe('--(Rx|)', { R: flat(failedRun('deadline').R!), x: S.failed });
    });
  });
});
