/**
 * What the call layer reports after a reconnection: `SendStats{telemetry{reconnection{time_seconds,
 * strategy}}}`, as the official JS client does. Pure: a record in, the proto3 fields out.
 */
import { WebsocketReconnectStrategy } from '../protocol/index.js';
import type { AttemptStrategy, ReconnectionRecord } from './types.js';

/** `signal.Reconnection` fields: how long the episode took and the strategy that rejoined. */
export interface ReconnectionTelemetry {
  readonly timeSeconds: number;
  readonly strategy: WebsocketReconnectStrategy;
}

const WIRE_STRATEGY: Readonly<Record<Exclude<AttemptStrategy, 'ice-restart'>, WebsocketReconnectStrategy>> = {
  fast: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_FAST,
  rejoin: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN,
  migrate: WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE,
};

/**
 * The telemetry of a `joined` record whose last attempt was FAST, REJOIN or MIGRATE; `undefined`
 * for failed/cancelled episodes and for ICE-restart-only ones (no socket was rebuilt).
 *
 * ```
 * records:    ─R(joined, fast,rejoin, 2500 ms)─I(joined, ice-restart)─F(failed)─
 * telemetry:  ─{ timeSeconds: 2.5, strategy: REJOIN }─undefined─undefined─
 * ```
 */
export function reconnectionTelemetry(record: ReconnectionRecord): ReconnectionTelemetry | undefined {
  const last = record.strategiesTried.at(-1);
  if (record.outcome !== 'joined' || last === undefined || last === 'ice-restart') return undefined;
  return { timeSeconds: record.durationMs / 1000, strategy: WIRE_STRATEGY[last] };
}
