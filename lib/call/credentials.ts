/**
 * Where a call's SFU credentials come from: given directly, or from the coordinator's join
 * (with a user JWT minted from the API secret when no token is given). REJOIN and MIGRATE ask
 * again, MIGRATE naming the SFUs to avoid.
 */
import { of, map, type Observable } from 'rxjs';
import { assertSecureCoordinator, assertSecureSfu, coordinatorJoin$, DEFAULT_COORDINATOR_URL, type Credentials } from '../coordinator/index.js';
import { withUserToken$, type TokenProvider } from './user-token.js';

/** How to reach the call. Either `credentials`, or the coordinator fields. */
export interface CallTarget {
  /** Go straight to an SFU with these credentials (no coordinator). REJOIN reuses them; MIGRATE is impossible. */
  credentials?: Credentials;
  /** Coordinator base URL. @default 'https://video.stream-io-api.com' */
  baseUrl?: string;
  apiKey?: string;
  /** Mint user tokens locally (server-side agents). Never logged. */
  apiSecret?: string;
  /** A ready user JWT, instead of `apiSecret`. Never logged. */
  token?: string;
  /**
   * Gives user JWTs (a string, a Promise or an Observable of one), for tokens that expire: asked for
   * the first one when `token` is absent, again before a coordinator join when the token expires
   * within a minute, and once more when the coordinator refuses it (401/403; a refused fresh token is
   * final). Never logged.
   */
  tokenProvider?: TokenProvider;
  userId?: string;
  callType?: string;
  callId?: string;
  /** Create the call if it does not exist. @default true */
  create?: boolean;
  /** Coordinator request timeout; integer ms in [1, 2³¹−1]. @default 10000 */
  coordinatorTimeoutMs?: number;
  /**
   * The coordinator join's `location` (a CDN POP code such as `AMS`; the coordinator picks an SFU
   * near it). @default looked up once per process from `locationHintUrl`, as the official client does
   */
  location?: string;
  /** Where the location is looked up (tests point it at a local server). @default 'https://hint.stream-io-video.com/' */
  locationHintUrl?: string;
  /**
   * Accept endpoints without TLS: an `http:` coordinator, `ws:`/`http:` SFUs. Local setups only (the
   * emulator's `agentOptions` set it): tokens then travel in clear. @default false (RXSFU_ERR_INSECURE_TRANSPORT)
   */
  allowInsecure?: boolean;
}

export interface CredentialRequest {
  /** The SFU we are leaving (MIGRATE). */
  migratingFrom?: string;
  /** SFUs that failed us; the coordinator must pick another. */
  migratingFromList?: string[];
  /** A reconnect (REJOIN, MIGRATE): never wait for the location hint. */
  reconnecting?: boolean;
}


/** What a join is given: SFU credentials, and the coordinator's stats period (absent with direct credentials). */
export interface CallAccess {
  credentials: Credentials;
  /** `stats_options.reporting_interval_ms` from the coordinator's join response. */
  statsIntervalMs?: number;
  /** `own_capabilities` from the coordinator's join response. */
  ownCapabilities?: string[];
}

export function credentials$(target: CallTarget, request: CredentialRequest = {}): Observable<Credentials> {
  return callAccess$(target, request).pipe(map((access) => access.credentials));
}

/**
 * `credentials$` with the coordinator's stats options kept (the first join reads the reporting period).
 * `target` is one `resolveJoinOptions` checked.
 */
export function callAccess$(target: CallTarget, request: CredentialRequest = {}): Observable<CallAccess> {
  const allowInsecure = target.allowInsecure === true;
  if (target.credentials) {
    assertSecureSfu(target.credentials, allowInsecure, 'the given credentials');
    return of({ credentials: target.credentials });
  }
  // resolveJoinOptions checked the target: the coordinator fields are all there.
  const { apiKey, callType, callId } = target as Required<Pick<CallTarget, 'apiKey' | 'callType' | 'callId'>>;
  const baseUrl = target.baseUrl ?? DEFAULT_COORDINATOR_URL;
  assertSecureCoordinator(baseUrl, allowInsecure);
  return withUserToken$(target, (token) => coordinatorJoin$({
    baseUrl,
    apiKey,
    token,
    callType,
    callId,
    create: target.create ?? true,
    migratingFrom: request.migratingFrom,
    migratingFromList: request.migratingFromList,
    timeoutMs: target.coordinatorTimeoutMs,
    location: target.location,
    locationHintUrl: target.locationHintUrl,
    awaitLocationHint: !request.reconnecting,
  })).pipe(
    map((result) => {
      assertSecureSfu(result.credentials, allowInsecure, 'the coordinator');
      return { credentials: result.credentials, statsIntervalMs: result.statsOptions?.reportingIntervalMs, ownCapabilities: result.ownCapabilities };
    }),
  );
}
