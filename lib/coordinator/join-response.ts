/**
 * The coordinator's join answer, read from its snake_case JSON into the camelCase shapes the rest
 * of the SDK uses (WIRE.md "coordinator join"). Validation happens here, once: anything the SFU
 * connection cannot do without (server url, ws endpoint, token) missing → RXSFU_ERR_COORDINATOR.
 */
import { rxsfuError, type RxsfuError } from '../errors.js';
import type { IceServer } from '../rtc/ice-server.js';

/** Where and how to reach the SFU that the coordinator picked. */
export interface Credentials {
  server: {
    /** Twirp base URL; already ends in `/twirp`. */
    url: string;
    /** Signaling WebSocket URL. */
    wsEndpoint: string;
    /** The SFU's name: `from_sfu_id` on reconnect, `migrating_from` on MIGRATE. */
    edgeName: string;
  };
  /** SFU token for `JoinRequest.token` and Twirp `Authorization`. Never log it. */
  token: string;
  iceServers: IceServer[];
}

/** What a coordinator join returns: the SFU credentials, and the call as the coordinator describes it. */
export interface CoordinatorJoinResult {
  credentials: Credentials;
  /** The call as the coordinator describes it (not interpreted here). */
  call: unknown;
  members: unknown[];
  ownCapabilities: string[];
  /** Whether this join created the call. */
  created: boolean;
  statsOptions?: { reportingIntervalMs: number; enableRtcStats: boolean };
}

type Json = { [k: string]: unknown };

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function malformed(what: string): RxsfuError {
  return rxsfuError('RXSFU_ERR_COORDINATOR', `malformed join response: ${what}`);
}

/** Parsed join JSON → result; throws RXSFU_ERR_COORDINATOR naming the first thing missing. */
export function parseJoinResponse(json: unknown): CoordinatorJoinResult {
  if (!isObject(json)) throw malformed('not a JSON object');
  const credentials = parseCredentials(json.credentials);
  return {
    credentials,
    call: json.call,
    members: Array.isArray(json.members) ? json.members : [],
    ownCapabilities: Array.isArray(json.own_capabilities) ? json.own_capabilities.filter(nonEmptyString) : [],
    created: json.created === true,
    ...parseStatsOptions(json.stats_options),
  };
}

function parseCredentials(value: unknown): Credentials {
  if (!isObject(value)) throw malformed('no credentials');
  const server = value.server;
  if (!isObject(server)) throw malformed('no credentials.server');
  if (!nonEmptyString(server.url)) throw malformed('no credentials.server.url');
  if (!nonEmptyString(server.ws_endpoint)) throw malformed('no credentials.server.ws_endpoint');
  if (!nonEmptyString(value.token)) throw malformed('no credentials.token');
  return {
    server: {
      url: server.url,
      wsEndpoint: server.ws_endpoint,
      edgeName: typeof server.edge_name === 'string' ? server.edge_name : '',
    },
    token: value.token,
    iceServers: parseIceServers(value.ice_servers),
  };
}

function parseIceServers(value: unknown): IceServer[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed('credentials.ice_servers is not a list');
  return value.map((entry, i) => {
    const urls = isObject(entry) ? entry.urls : undefined;
    const validUrls = nonEmptyString(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(nonEmptyString));
    if (!isObject(entry) || !validUrls) throw malformed(`credentials.ice_servers[${i}] has no urls`);
    return {
      urls: urls as string | string[],
      ...(typeof entry.username === 'string' ? { username: entry.username } : {}),
      ...(typeof entry.password === 'string' ? { password: entry.password } : {}),
    };
  });
}

function parseStatsOptions(value: unknown): Pick<CoordinatorJoinResult, 'statsOptions'> {
  if (!isObject(value)) return {};
  return {
    statsOptions: {
      reportingIntervalMs: typeof value.reporting_interval_ms === 'number' ? value.reporting_interval_ms : 0,
      enableRtcStats: value.enable_rtc_stats === true,
    },
  };
}
