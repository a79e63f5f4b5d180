/**
 * The engine on the real async scheduler: `createReconnectEngine` shares one run between `state$`
 * and `reconnections$`, and nothing (timer) is left behind after an episode, a leave or an
 * unsubscribe (I4). Waits on events (`lastValueFrom`), never on sleeps; no timing assertions.
 */
import { expect } from 'chai';
import { defer, filter, firstValueFrom, lastValueFrom, map, Subject, throwError, timer, toArray } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import { createReconnectEngine, reconnectEpisodes, type ReconnectRequest } from '../../lib/reconnect/index.js';
import { resourceBaseline, resourceCounts, resourceGrowth } from '../support/resources.js';
import { executors, J, req, scripted } from './helpers.js';

const FAST_OPTIONS = { attemptTimeoutMs: 200, backoff: { baseMs: 2, maxDelayMs: 4 }, disconnectionTimeoutMs: 2000, initial: { sfuId: 'sfu-a' } };

const timers = (): number => resourceCounts(['Timeout']).Timeout!;

describe('reconnect engine on the real scheduler', () => {
  it('R11/I4: state$ and reconnections$ share one run (executors subscribed once); no timer left after the episode', async () => {
    const before = await resourceBaseline(['Timeout']);
    const requests = new Subject<ReconnectRequest>();
    const ex = executors({
      fast: scripted(defer(() => throwError(() => rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset')))),
      rejoin: scripted(timer(5).pipe(map(() => J))),
    });
    const engine = createReconnectEngine(requests, ex, { ...FAST_OPTIONS, fastAttempts: 1 });
    const states = lastValueFrom(engine.state$.pipe(map((s) => s.kind), toArray()));
    const record = firstValueFrom(engine.reconnections$);
    requests.next(req.fast);
    expect(await record).to.include({ outcome: 'joined', attempts: 2 });
    requests.complete();
    expect(await states).to.deep.equal(['reconnecting', 'reconnecting', 'joined']);
    expect(ex.fast.calls).to.have.length(1);
    expect(ex.rejoin.calls).to.have.length(1);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('R12/I4: leave during a real backoff wait cancels, and no timer survives', async () => {
    const before = await resourceBaseline(['Timeout']);
    const leave = new Subject<void>();
    const ex = executors({ fast: scripted(defer(() => throwError(() => rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset')))) });
    const events = lastValueFrom(reconnectEpisodes(new Subject<ReconnectRequest>(), ex, { ...FAST_OPTIONS, leave$: leave }).pipe(toArray()));
    leave.next();
    expect((await events).map((e) => e.type === 'state' && e.state.kind)).to.deep.equal(['left']);

    const requests = new Subject<ReconnectRequest>();
    const leave2 = new Subject<void>();
    const ex2 = executors({
      fast: scripted(defer(() => throwError(() => rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset')))),
    });
    const engine = createReconnectEngine(requests, ex2, { ...FAST_OPTIONS, backoff: { baseMs: 60_000, maxDelayMs: 60_000 }, leave$: leave2 });
    const done = lastValueFrom(engine.events$.pipe(toArray()));
    const waiting = firstValueFrom(engine.state$.pipe(filter((s) => s.kind === 'reconnecting' && s.attempt === 2)));
    requests.next(req.fast);
    await waiting;
    expect(timers()).to.be.greaterThan(before.Timeout!);
    leave2.next();
    const kinds = (await done).map((e) => (e.type === 'state' ? e.state.kind : e.record.outcome));
    expect(kinds).to.deep.equal(['reconnecting', 'reconnecting', 'cancelled', 'left']);
    expect(ex2.fast.calls).to.have.length(1);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('R7: the executor starts on the scheduler, never inside the emission of the request that caused it', async () => {
    const before = await resourceBaseline(['Timeout']);
    const requests = new Subject<ReconnectRequest>();
    const ex = executors({ fast: scripted(timer(1).pipe(map(() => J))) });
    const engine = createReconnectEngine(requests, ex, FAST_OPTIONS);
    const record = firstValueFrom(engine.reconnections$);
    const states: string[] = [];
    const stateSubscription = engine.state$.subscribe((s) => states.push(s.kind));
    requests.next(req.fast);
    expect(states).to.deep.equal(['reconnecting']);
    expect(ex.fast.calls).to.have.length(0);
    expect(await record).to.include({ outcome: 'joined', attempts: 1 });
    expect(ex.fast.calls).to.have.length(1);
    stateSubscription.unsubscribe();
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('I4: unsubscribing mid-attempt releases the executor and its timeout timer', async () => {
    const before = await resourceBaseline(['Timeout']);
    const requests = new Subject<ReconnectRequest>();
    const hanging = new Subject<never>();
    let subscribed!: () => void;
    const executorSubscribed = new Promise<void>((resolve) => (subscribed = resolve));
    const ex = executors({ fast: scripted(defer(() => (subscribed(), hanging))) });
    const subscription = reconnectEpisodes(requests, ex, FAST_OPTIONS).subscribe();
    requests.next(req.fast);
    await executorSubscribed;
    expect(hanging.observed).to.equal(true);
    expect(timers()).to.be.greaterThan(before.Timeout!);
    subscription.unsubscribe();
    expect(hanging.observed).to.equal(false);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });
});
