/**
 * Test helpers for the reconnection marble specs: a TestScheduler with chai deep equality, scripted
 * executors (one cold Observable per call, contexts recorded), and a flat view of engine events that
 * marble values can spell out.
 */
import { expect } from 'chai';
import { filter, type Observable, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { isRxsfuError } from '../../lib/errors.js';
import type {
  AttemptContext, JoinedInfo, PeerSide, ReconnectExecutors, ReconnectionEvent, ReconnectOptions, ReconnectRequest,
} from '../../lib/reconnect/index.js';

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}

/** An executor that returns the n-th Observable on its n-th call, and records each context. */
export interface ScriptedExecutor<T> {
  (ctx: AttemptContext): Observable<T>;
  readonly calls: AttemptContext[];
}

export function scripted<T = JoinedInfo>(...script: Observable<unknown>[]): ScriptedExecutor<T> {
  const calls: AttemptContext[] = [];
  const executor = (ctx: AttemptContext): Observable<T> => {
    calls.push(ctx);
    const next = script[calls.length - 1];
    if (!next) throw new Error(`executor called ${calls.length} times, scripted for ${script.length}`);
    return next as Observable<T>;
  };
  return Object.assign(executor, { calls });
}

export interface ScriptedExecutors extends ReconnectExecutors {
  readonly fast: ScriptedExecutor<JoinedInfo>;
  readonly rejoin: ScriptedExecutor<JoinedInfo>;
  readonly migrate: ScriptedExecutor<JoinedInfo>;
}

/** Executors that fail loudly when called without a script. */
export function executors(
  parts: Partial<Pick<ScriptedExecutors, 'fast' | 'rejoin' | 'migrate'>> & { iceRestart?: (peer: PeerSide, ctx: AttemptContext) => Observable<unknown> } = {},
): ScriptedExecutors {
  return {
    fast: parts.fast ?? scripted<JoinedInfo>(),
    rejoin: parts.rejoin ?? scripted<JoinedInfo>(),
    migrate: parts.migrate ?? scripted<JoinedInfo>(),
    ...(parts.iceRestart ? { iceRestart: parts.iceRestart } : {}),
  };
}

/** Small numbers so marble strings stay short: backoff waits 2, 4, 8, 8 … with random 0.5. */
export const OPTIONS: ReconnectOptions = {
  fastAttempts: 3,
  fastDeadlineMs: 100,
  attemptTimeoutMs: 20,
  migrationTimeoutMs: 10,
  backoff: { baseMs: 4, maxDelayMs: 16 },
  disconnectionTimeoutMs: 1000,
  random: () => 0.5,
  initial: { sfuId: 'sfu-a' },
};

export const J: JoinedInfo = { sfuId: 'sfu-b', fastReconnectDeadlineSeconds: 30 };

export const req = {
  fast: { strategy: 'fast', source: 'connection-lost', detail: 'close 1006: gone', cause: { kind: 'close', closeCode: 1006, detail: 'gone' } },
  rejoin: { strategy: 'rejoin', source: 'peer-failed', detail: 'publisher: peer connection failed', peer: 'publisher' },
  migrate: { strategy: 'migrate', source: 'go-away', detail: 'go_away GO_AWAY_REASON_REBALANCE' },
  ice: { strategy: 'ice-restart', source: 'ice-failed', detail: 'subscriber: ICE connection failed', peer: 'subscriber' },
  disconnect: { strategy: 'disconnect', source: 'sfu-error', detail: 'SFU error 0: bye' },
} satisfies Record<string, ReconnectRequest>;

/** A flat, comparable view of an event: states as `{ state, strategy?, attempt? , error? }`, records summarised. */
export function flat(event: ReconnectionEvent): Record<string, unknown> {
  if (event.type === 'state') {
    const { kind, ...rest } = event.state as { kind: string; strategy?: string; attempt?: number; error?: unknown };
    const error = rest.error;
    return { state: kind, ...(rest.strategy ? { strategy: rest.strategy } : {}), ...(rest.attempt ? { attempt: rest.attempt } : {}),
      ...(error && isRxsfuError(error) ? { error: error.code } : {}) };
  }
  const { record } = event;
  return {
    outcome: record.outcome,
    tried: record.strategiesTried.join(','),
    attempts: record.attempts,
    durationMs: record.durationMs,
    source: record.trigger.source,
    ...(record.failure ? { reason: record.failure.reason, lastError: record.failure.lastError?.code } : {}),
    ...(record.outages ? { outages: record.outages.map((o) => [o.durationMs, o.ended, o.answeredBy].filter((x) => x !== undefined).join(':')).join(',') } : {}),
  };
}

/** Marble values for the common states. */
export const S = {
  fast: (attempt: number) => ({ state: 'reconnecting', strategy: 'fast', attempt }),
  rejoin: (attempt: number) => ({ state: 'reconnecting', strategy: 'rejoin', attempt }),
  migrating: (attempt: number) => ({ state: 'migrating', attempt }),
  joined: { state: 'joined' },
  failed: { state: 'reconnecting-failed', error: 'RXSFU_ERR_RECONNECT_FAILED' },
  offline: { state: 'offline' },
  left: (code: string) => ({ state: 'left', error: code }),
};

/** Marble value: the executor makes its connection current here (`ctx.adopted(J)`, R16). */
export const ADOPT = 'adopt';

/** Like `scripted`, but an `ADOPT` value calls `ctx.adopted(J)` instead of being emitted. */
export function adopting(...script: Observable<unknown>[]): ScriptedExecutor<JoinedInfo> {
  const inner = scripted<unknown>(...script);
  const executor = (ctx: AttemptContext): Observable<JoinedInfo> => inner(ctx).pipe(
    tap((value) => { if (value === ADOPT) ctx.adopted(J); }),
    filter((value): value is JoinedInfo => value !== ADOPT),
  );
  return Object.assign(executor, { calls: inner.calls });
}
