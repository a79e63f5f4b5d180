/**
 * The invariants of docs/RECONNECT.md that hold over whole runs, not one rule: I1 (one executor at a
 * time), I3 (ranks never decrease within an episode), I5 (the engine never logs; errors carry causes,
 * never tokens). Marbles in virtual time over a busy script of triggers and failures.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { defer, finalize, type Observable } from 'rxjs';
import { rxsfuError } from '../../lib/errors.js';
import {
  reconnectEpisodes, strategyRank, type AttemptContext, type ReconnectExecutors, type ReconnectionEvent, type ReconnectionRecord,
  type ReconnectRequest,
} from '../../lib/reconnect/index.js';
import { J, OPTIONS, req, testScheduler } from './helpers.js';

/**
 * Executors that fail their first `failures` attempts (after 3 frames) and then join (after 2),
 * counting how many executor subscriptions are alive at once.
 */
type Cold = (marbles: string, values?: { [marble: string]: unknown }, error?: unknown) => Observable<unknown>;

function countingExecutors(failures: number, cold: Cold) {
  let alive = 0;
  let calls = 0;
  const stats = { maxAlive: 0, calls: 0, strategies: [] as string[] };
  const run = (ctx: AttemptContext): Observable<never> => defer(() => {
    alive += 1;
    calls += 1;
    stats.calls = calls;
    stats.maxAlive = Math.max(stats.maxAlive, alive);
    stats.strategies.push(ctx.strategy);
    const script = calls <= failures ? cold('---#', undefined, rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset')) : cold('--j|', { j: J });
    return (script as Observable<never>).pipe(finalize(() => { alive -= 1; }));
  });
  const executors: ReconnectExecutors = { fast: run, rejoin: run, migrate: run, iceRestart: (_peer, ctx) => run(ctx) };
  return { executors, stats };
}

/** Triggers of every rank, bunched so that many arrive during attempts and backoff waits. */
const busy = {
  f: req.fast, r: req.rejoin, m: req.migrate, i: req.ice,
} satisfies Record<string, ReconnectRequest>;
const BUSY = `i-f--f-m-i--f---r-f-----i--f-f---m--------r--f----i${'-'.repeat(150)}f-f--i-r---f${'-'.repeat(150)}m--f-i`;

function recordsOf(events: ReconnectionEvent[]): ReconnectionRecord[] {
  return events.flatMap((e) => (e.type === 'record' ? [e.record] : []));
}

describe('reconnect invariants (docs/RECONNECT.md, Invariants)', () => {
  it('I1: at most one executor subscription is alive at any time, through escalations, failures, backoffs and new episodes', () => {
    const events: ReconnectionEvent[] = [];
    let stats = { maxAlive: 0, calls: 0, strategies: [] as string[] };
    testScheduler().run(({ hot, cold, flush }) => {
      const counting = countingExecutors(6, cold);
      stats = counting.stats;
      reconnectEpisodes(hot(BUSY, busy), counting.executors, { ...OPTIONS, fastDeadlineMs: 1000 }).subscribe((e) => events.push(e));
      flush();
    });
    expect(stats.calls, 'the script is busy enough to test anything').to.be.greaterThan(6);
    expect(recordsOf(events).length, 'several episodes').to.be.greaterThan(1);
    expect(stats.maxAlive).to.equal(1);
  });

  it('I3: within each episode the rank of successive attempts never decreases, whatever arrives meanwhile', () => {
    const events: ReconnectionEvent[] = [];
    testScheduler().run(({ hot, cold, flush }) => {
      const { executors } = countingExecutors(8, cold);
      reconnectEpisodes(hot(BUSY, busy), executors, { ...OPTIONS, fastDeadlineMs: 1000 }).subscribe((e) => events.push(e));
      flush();
    });
    const records = recordsOf(events);
    expect(records.some((r) => new Set(r.strategiesTried).size > 1), 'some episode escalated').to.equal(true);
    for (const record of records) {
      const ranks = record.strategiesTried.map(strategyRank);
      expect(ranks, record.strategiesTried.join(',')).to.deep.equal([...ranks].sort((a, b) => a - b));
    }
  });

  it('I5: the engine writes nothing to the console over a whole run, failures included', () => {
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    const written: string[] = [];
    methods.forEach((m) => { console[m] = (...args: unknown[]) => { written.push(`${m}: ${args.join(' ')}`); }; });
    try {
      testScheduler().run(({ hot, cold, flush }) => {
        const { executors } = countingExecutors(100, cold);
        reconnectEpisodes(hot(BUSY, busy), executors, { ...OPTIONS, disconnectionTimeoutMs: 40 }).subscribe();
        flush();
      });
    } finally {
      methods.forEach((m, i) => { console[m] = saved[i]!; });
    }
    expect(written).to.deep.equal([]);
  });

  it('I5: the pure core has no logger and no console (lib/reconnect/*.ts; the call side logs for it)', () => {
    const dir = new URL('../../lib/reconnect/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(10);
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).to.not.match(/console\.|from '\.\.\/logger\.js'|Logger\b/);
    }
  });

  it('I5: a failed episode\'s error carries the trigger\'s cause as a value, and no token reaches its message or record', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.secret-sfu-token.sig';
    const trigger: ReconnectRequest = { strategy: 'rejoin', source: 'peer-failed', detail: 'publisher: peer connection failed', cause: { token } };
    const events: ReconnectionEvent[] = [];
    testScheduler().run(({ hot, cold, flush }) => {
      const refused = rxsfuError('RXSFU_ERR_UNAUTHORIZED', 'token expired', { httpStatus: 401, cause: { token } });
      const ex: ReconnectExecutors = { fast: () => cold('-'), migrate: () => cold('-'), rejoin: () => cold('-#', undefined, refused) };
      reconnectEpisodes(hot('r', { r: trigger }), ex, OPTIONS).subscribe((e) => events.push(e));
      flush();
    });
    const [record] = recordsOf(events);
    expect(record!.failure!.cause).to.equal(trigger.cause);
    expect(record!.failure!.lastError?.cause, 'the attempt error keeps its cause too').to.deep.equal({ token });
    const texts = [record!.failure!.message, record!.failure!.lastError!.message, record!.trigger.detail, String(record!.failure)];
    for (const text of texts) expect(text).to.not.include(token);
  });
});
