/**
 * The episode state's pure transitions (R3–R5, R8, R14, R15), without a scheduler: plain values in,
 * plain values out. The engine marble specs check the same rules through the loop.
 */
import { expect } from 'chai';
import { rxsfuError } from '../../lib/errors.js';
import { resolveReconnectOptions, strategyRank, withSfuId, type AttemptStrategy } from '../../lib/reconnect/index.js';
import {
  attemptAdopted, attemptEnded, attemptFailed, attemptJoined, beginAttempt, endEpisode, initialEngineState, planAttempt, requestDuringEpisode, startEpisode,
  type AttemptRequest, type EngineState, type PlanFacts,
} from '../../lib/reconnect/episode-state.js';
import { req } from './helpers.js';

const options = resolveReconnectOptions({ fastAttempts: 2, fastDeadlineMs: 100 });
const facts = (now: number, canRestartIce = true, limited = options): PlanFacts => ({ now, options: limited, canRestartIce });
/** One REJOIN/MIGRATE per 100 ms (R8). */
const strict = resolveReconnectOptions({ rateLimit: { max: 1, windowMs: 100 } });
const started = (trigger: AttemptRequest = req.fast): EngineState => startEpisode(initialEngineState({ sfuId: 'sfu-a' }), trigger, 0);

/** Plan, begin and fail one attempt; returns the state and the strategy that ran. */
function failOnce(state: EngineState, failed: AttemptStrategy | undefined, now: number): { state: EngineState; ran: AttemptStrategy } {
  const plan = planAttempt(state, failed, facts(now));
  if (!plan.admitted) throw new Error('refused');
  const begun = beginAttempt(plan.state, plan.strategy);
  return { state: attemptFailed(begun.state, rxsfuError('RXSFU_ERR_SFU_ERROR', 'boom')), ran: plan.strategy };
}

describe('episode state transitions (escalation as values)', () => {
  it('I3/R3/R4: over any mix of failures and requests, the rank of successive attempts never decreases', () => {
    const requests = [req.ice, req.fast, req.migrate, req.fast, req.ice, req.rejoin, req.fast];
    let state = started(req.ice);
    let last: AttemptStrategy | undefined;
    const ranks: number[] = [];
    requests.forEach((request, i) => {
      state = requestDuringEpisode(state, request);
      const step = failOnce(state, last, i * 10);
      state = step.state;
      last = step.ran;
      ranks.push(strategyRank(step.ran));
      expect(strategyRank(state.episode!.floor)).to.be.at.least(strategyRank(step.ran));
    });
    expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
    expect(ranks.at(-1)).to.equal(strategyRank('rejoin'));
  });

  it('R3: a request during an episode raises the floor and never lowers it; disconnect and no episode change nothing', () => {
    const migrating = requestDuringEpisode(started(), req.migrate);
    expect(migrating.episode!.floor).to.equal('migrate');
    expect(requestDuringEpisode(migrating, req.fast).episode!.floor).to.equal('migrate');
    expect(requestDuringEpisode(migrating, req.disconnect)).to.equal(migrating);
    const idle = initialEngineState(undefined);
    expect(requestDuringEpisode(idle, req.rejoin)).to.equal(idle);
  });

  it('R5: a go_away lists the current SFU at once; a tagged failure blames the SFU it names, twice lists it', () => {
    expect(startEpisode(initialEngineState({ sfuId: 'sfu-a' }), req.migrate, 0).episode!.exclusion.migratingFromList).to.deep.equal(['sfu-a']);
    let state = started();
    for (let i = 0; i < 2; i++) state = attemptFailed(state, withSfuId(rxsfuError('RXSFU_ERR_SFU_ERROR', 'x'), 'sfu-c'));
    expect(state.episode!.exclusion.migratingFromList).to.deep.equal(['sfu-c']);
  });

  it('R4: FAST until fastAttempts are used, then REJOIN; R14: an ICE restart without its executor is a REJOIN', () => {
    let state = started();
    const ran: AttemptStrategy[] = [];
    let last: AttemptStrategy | undefined;
    for (let i = 0; i < 3; i++) ({ state, ran: last } = failOnce(state, last, i), ran.push(last));
    expect(ran).to.deep.equal(['fast', 'fast', 'rejoin']);
    const plan = planAttempt(started(req.ice), undefined, facts(0, false));
    expect(plan.admitted && plan.strategy).to.equal('rejoin');
  });

  it('R8: a refused REJOIN keeps the raised floor and the pruned history; R6: the announced state counts the attempt', () => {
    const first = planAttempt(started(req.rejoin), undefined, facts(0, true, strict));
    expect(first.admitted && first.announce).to.deep.equal({ kind: 'reconnecting', strategy: 'rejoin', attempt: 1 });
    const refused = planAttempt(beginAttempt(first.state, 'rejoin').state, 'rejoin', facts(10, true, strict));
    expect(refused.admitted).to.equal(false);
    expect(refused.state.rateHistory).to.deep.equal([0]);
    const later = planAttempt(refused.state, 'rejoin', facts(110, true, strict));
    expect(later.admitted && later.announce).to.deep.equal({ kind: 'reconnecting', strategy: 'rejoin', attempt: 2 });
  });

  it('R15: attempt counters and the current SFU follow the transitions; an ICE restart keeps the last join', () => {
    const plan = planAttempt(started(), undefined, facts(0));
    const { state, ctx } = beginAttempt(plan.state, 'fast');
    expect(ctx).to.include({ attempt: 1, reconnectAttempt: 1, fromSfuId: 'sfu-a', reason: req.fast.detail });
    const joined = attemptJoined(state, 'fast', { sfuId: 'sfu-b' });
    expect(joined).to.deep.include({ lastJoin: { sfuId: 'sfu-b' }, reconnectAttempt: 1, episode: undefined });
    expect(attemptJoined(started(req.ice), 'ice-restart', undefined).lastJoin).to.deep.equal({ sfuId: 'sfu-a' });
    expect(endEpisode(state).episode).to.equal(undefined);
  });

  it('R16: once the running attempt adopted its connection, a same-rank request is a loss of it; a late adopted() or an ICE restart is not', () => {
    const begun = beginAttempt((planAttempt(started(), undefined, facts(0)) as { state: EngineState }).state, 'fast');
    const beforeAdoption = requestDuringEpisode(begun.state, req.fast);
    expect(beforeAdoption.episode!.lostAfterAdoption, 'not adopted yet: dropped as before').to.equal(undefined);
    const adopted = attemptAdopted(begun.state, begun.ctx.attempt, { sfuId: 'sfu-b' });
    expect(adopted.lastJoin).to.deep.equal({ sfuId: 'sfu-b' });
    expect(requestDuringEpisode(adopted, req.ice).episode!.lostAfterAdoption).to.equal(undefined);
    expect(requestDuringEpisode(adopted, req.fast).episode!.lostAfterAdoption).to.equal(req.fast);
    expect(requestDuringEpisode(adopted, req.rejoin).episode, 'a higher rank escalates instead (R3)').to.include({ floor: 'rejoin', lostAfterAdoption: undefined });
    const ended = attemptEnded(adopted);
    expect(ended.episode).to.include({ running: undefined, adopted: false });
    expect(attemptAdopted(ended, begun.ctx.attempt, { sfuId: 'sfu-c' })).to.equal(ended);
  });
});
