/**
 * `JoinCallOptions` checked and defaulted once, at the door: `resolveJoinOptions` either returns
 * the complete object the `Call` is built from, or throws `RXSFU_ERR_INVALID_ARGUMENT` naming the
 * first unusable field (before anything opens). Ranges are in docs/API.md ("JoinCallOptions").
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { silentLogger, type Logger } from '../logger.js';
import type { Credentials } from '../coordinator/index.js';
import { resolveReconnectOptions, resolveSupervisorOptions, type ResolvedReconnectOptions, type ResolvedSupervisorOptions } from '../reconnect/index.js';
import {
  booleanOption, checked, durationOption, invalidArgument, isRecord, methodsOption, MIN_PERIOD_MS, oneOfOption, recordOption, stringOption,
} from '../validate.js';
import type { CallTarget } from './credentials.js';
import type { ConnectionSettings } from './sfu-connection.js';
import { validateSubscriptionPolicy } from './subscription-policy.js';
import type { SubscriptionPolicy } from './subscriptions.js';
import { DEFAULT_HEALTH_CHECK_INTERVAL_MS, DEFAULT_NETWORK_DEAD_AFTER_MS, DEFAULT_UNHEALTHY_AFTER_MS } from '../signaling/index.js';
import { DEFAULT_MEDIA_STALL_AFTER_MS } from '../reconnect/call-side/media-stall.js';
import { networkTarget } from './network-options.js';
import type { TokenProvider } from './user-token.js';
import { DEFAULT_PEER_CONNECT_TIMEOUT_MS } from '../reconnect/call-side/peer-stuck.js';

/** Everything a `Call` runs on, every default applied (docs/API.md "JoinCallOptions"). */
export interface ResolvedJoinOptions {
  /** Where the call is: direct `credentials`, or every coordinator field it needs. */
  readonly target: CallTarget;
  readonly settings: ConnectionSettings;
  readonly subscriptions: SubscriptionPolicy;
  readonly reconnect: ResolvedReconnectOptions;
  /** R18; `enabled: false` when the caller turned it off. */
  readonly supervisor: ResolvedSupervisorOptions;
  /** 0: off. */
  readonly mediaStallAfterMs: number;
  /** undefined: the coordinator's period, or 10000 with direct credentials; 0: off. */
  readonly statsIntervalMs: number | undefined;
  /** Keep a frame log of the reconnection core (`call.frameLog()`). */
  readonly recordFrames: boolean;
}

/** Checks and defaults `joinCall`'s options; throws `RXSFU_ERR_INVALID_ARGUMENT` (any input, never a TypeError). */
export function resolveJoinOptions(input: unknown): ResolvedJoinOptions {
  return checked('joinCall options', () => resolveChecked(input));
}

function resolveChecked(input: unknown): ResolvedJoinOptions {
  const options = recordOption('joinCall options', input);
  const settings = resolveSettings(options);
  return {
    target: resolveTarget(options),
    settings,
    subscriptions: options.subscriptions === undefined ? {} : validateSubscriptionPolicy(options.subscriptions, 'subscriptions'),
    reconnect: resolveReconnectOptions(options.reconnect),
    supervisor: resolveSupervisorOptions(options.supervisor ?? true),
    mediaStallAfterMs: durationOption('mediaStallAfterMs', options.mediaStallAfterMs, DEFAULT_MEDIA_STALL_AFTER_MS, MIN_PERIOD_MS, true),
    statsIntervalMs: options.statsIntervalMs === undefined ? undefined : durationOption('statsIntervalMs', options.statsIntervalMs, 0, MIN_PERIOD_MS, true),
    recordFrames: booleanOption('recordFrames', options.recordFrames, false),
  };
}

/** The settings every SFU connection of the call shares. */
export function resolveSettings(options: Record<string, unknown>): ConnectionSettings {
  // Defaults from bench:outage (BENCHMARKS.md, "Outages"): a silent path is lost within 3 s p95, and a
  // path with 300 ms jitter, 800 ms spikes and 500 ms stalls of our own loop never is.
  const healthCheckIntervalMs = durationOption('healthCheckIntervalMs', options.healthCheckIntervalMs, DEFAULT_HEALTH_CHECK_INTERVAL_MS, MIN_PERIOD_MS);
  const unhealthyAfterMs = durationOption('unhealthyAfterMs', options.unhealthyAfterMs, DEFAULT_UNHEALTHY_AFTER_MS, MIN_PERIOD_MS);
  // A health check must be able to arrive before the silence limit, or healthy sockets count as lost.
  if (unhealthyAfterMs <= healthCheckIntervalMs) {
    throw invalidArgument(`unhealthyAfterMs (${unhealthyAfterMs}) must be greater than healthCheckIntervalMs (${healthCheckIntervalMs})`);
  }
  return {
    rpcEncoding: oneOfOption('rpcEncoding', options.rpcEncoding, ['protobuf', 'json'], 'protobuf'),
    rpcTimeoutMs: durationOption('rpcTimeoutMs', options.rpcTimeoutMs, 5000, 1),
    openTimeoutMs: durationOption('openTimeoutMs', options.openTimeoutMs, 5000, 1),
    joinTimeoutMs: durationOption('joinTimeoutMs', options.joinTimeoutMs, 5000, 1),
    healthCheckIntervalMs,
    unhealthyAfterMs,
    networkDeadAfterMs: durationOption('networkDeadAfterMs', options.networkDeadAfterMs, DEFAULT_NETWORK_DEAD_AFTER_MS, MIN_PERIOD_MS, true),
    peerConnectTimeoutMs: durationOption('peerConnectTimeoutMs', options.peerConnectTimeoutMs, DEFAULT_PEER_CONNECT_TIMEOUT_MS, MIN_PERIOD_MS, true),
    scheduler: methodsOption<SchedulerLike>('scheduler', options.scheduler, ['now', 'schedule'], asyncScheduler),
    logger: guardedLogger(methodsOption<Logger>('logger', options.logger, ['debug', 'info', 'warn', 'error'], silentLogger)),
    iceLoopbackOnly: booleanOption('iceLoopbackOnly', options.iceLoopbackOnly, false),
  };
}

/** `credentials`, or the coordinator fields (with a `token`, or an `apiSecret` and a `userId`). */
function resolveTarget(options: Record<string, unknown>): CallTarget {
  const coordinatorTimeoutMs = durationOption('coordinatorTimeoutMs', options.coordinatorTimeoutMs, 10_000, 1);
  const baseUrl = stringOption('baseUrl', options.baseUrl, true);
  if (baseUrl !== undefined && !/^https?:\/\//i.test(baseUrl)) throw invalidArgument('baseUrl must be an http(s) URL');
  const create = booleanOption('create', options.create, true);
  const network = networkTarget(options);
  if (options.credentials !== undefined) {
    return { credentials: checkedCredentials(options.credentials), coordinatorTimeoutMs, create, ...(baseUrl ? { baseUrl } : {}), ...network };
  }
  const apiKey = options.apiKey, callType = options.callType, callId = options.callId;
  if (apiKey === undefined || callType === undefined || callId === undefined) {
    throw invalidArgument('joinCall needs `credentials`, or `apiKey`, `callType` and `callId`');
  }
  const token = stringOption('token', options.token, true);
  const apiSecret = stringOption('apiSecret', options.apiSecret, true);
  const userId = stringOption('userId', options.userId, true);
  const tokenProvider = options.tokenProvider;
  if (tokenProvider !== undefined && typeof tokenProvider !== 'function') throw invalidArgument('tokenProvider must be a function');
  if (!token && !apiSecret && !tokenProvider) throw invalidArgument('joinCall needs a user `token`, a `tokenProvider` or an `apiSecret` to mint one');
  if (!token && !tokenProvider && !userId) throw invalidArgument('joinCall needs a `userId` to mint a user token');
  return {
    apiKey: stringOption('apiKey', apiKey),
    callType: stringOption('callType', callType),
    callId: stringOption('callId', callId),
    ...(baseUrl ? { baseUrl } : {}),
    ...(token ? { token } : {}),
    ...(apiSecret ? { apiSecret } : {}),
    ...(userId ? { userId } : {}),
    ...(tokenProvider ? { tokenProvider: tokenProvider as TokenProvider } : {}),
    create,
    coordinatorTimeoutMs,
    ...network,
  };
}

/** Direct credentials need the SFU's URLs, its name and a token (the shape the coordinator returns). */
function checkedCredentials(value: unknown): Credentials {
  const credentials = recordOption('credentials', value);
  const server = recordOption('credentials.server', credentials.server);
  stringOption('credentials.server.url', server.url);
  stringOption('credentials.server.wsEndpoint', server.wsEndpoint);
  if (typeof server.edgeName !== 'string') throw invalidArgument('credentials.server.edgeName must be a string');
  stringOption('credentials.token', credentials.token);
  const iceServers = credentials.iceServers ?? [];
  if (!Array.isArray(iceServers) || !iceServers.every((s) => isRecord(s) && (typeof s.urls === 'string' || Array.isArray(s.urls)))) {
    throw invalidArgument('credentials.iceServers must be an array of { urls }');
  }
  return { ...(credentials as unknown as Credentials), iceServers };
}

/**
 * The caller's logger, made unable to throw: the SDK logs inside Rx callbacks, where a throw would
 * be rethrown on a timer and end the process. A failing log line is dropped.
 */
function guardedLogger(logger: Logger): Logger {
  if (logger === silentLogger) return logger;
  const guard = (level: keyof Logger) => (message: string, fields?: Record<string, unknown>) => {
    try {
      logger[level](message, fields);
    } catch {
      // The caller's logger failed; the call goes on without this line.
    }
  };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}
