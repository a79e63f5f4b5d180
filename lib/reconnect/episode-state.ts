/**
 * Escalation as values: the engine's state is one immutable `EngineState`, and every change to it is
 * a pure transition below (R3–R5, R8, R11, R14, R15). The attempt loop (`episode.ts`) only applies
 * them, in the order the design card fixes; nothing here reads a clock (times are arguments).
 *
 * ```
 * idle ─startEpisode─▶ episode{floor: trigger, planned: –}
 *      ─planAttempt──▶ planned: s (floor := max(floor, s)) | refused (R8)
 *      ─beginAttempt─▶ tried += s, reconnectAttempt += 1, running → AttemptContext
 *      ─attemptAdopted▶ lastJoin, adopted (R16)   ─attemptEnded▶ running, adopted, lost cleared
 *      ─attemptFailed▶ lastError, exclusion (R5)          ─planAttempt … (R4)
 *      ─attemptJoined▶ idle, lastJoin (R15)   or  ─endEpisode▶ idle (give up, leave, DISCONNECT)
 * requests during the episode: ─requestDuringEpisode▶ floor := max(floor, request) (R3), go_away listed (R5),
 *                                or, once adopted, lostAfterAdoption := request (R16)
 * ```
 */
import type { RxsfuError } from '../errors.js';
import type { ReconnectFailedError } from './failed-error.js';
import { sfuIdOf } from './failed-error.js';
import { escalate, nextStrategy, strategyRank } from './next-strategy.js';
import { WebsocketReconnectStrategy } from '../protocol/index.js';
import { fastDeadlineMs, type ResolvedReconnectOptions } from './options.js';
import { admitRejoin, type RateLimitHistory } from './rate-limit.js';
import { blameSfu, excludeSfu, NO_EXCLUSION, type SfuExclusion } from './sfu-exclusion.js';
import type {
  AttemptContext, AttemptStrategy, JoinedInfo, OutageAnsweredBy, OutageRecord, ReconnectionRecord, ReconnectOutcome, ReconnectRequest, ReconnectState,
} from './types.js';

/** A request that starts an episode (anything but `disconnect`). */
export type AttemptRequest = ReconnectRequest & { readonly strategy: AttemptStrategy };

/** One running episode: what its next attempt and its record are made of. */
export interface EpisodeState {
  readonly trigger: AttemptRequest;
  /** Scheduler time of the trigger. */
  readonly startedAt: number;
  /** R3: the least strategy still allowed; only rises. */
  readonly floor: AttemptStrategy;
  /** The strategy of the next (or running) attempt; undefined before the first plan. */
  readonly planned: AttemptStrategy | undefined;
  /** R11: each subscribed executor's strategy, in order. */
  readonly strategiesTried: readonly AttemptStrategy[];
  readonly lastError: RxsfuError | undefined;
  /** R5: the SFUs later attempts avoid. */
  readonly exclusion: SfuExclusion;
  /** Whether a `reconnecting`/`migrating` state was announced (then success announces `joined`). */
  readonly leftJoined: boolean;
  /** The running attempt's number (`attempt`), from its executor's start to its end; else undefined. */
  readonly running: number | undefined;
  /** R16: the running attempt made its new connection current (`ctx.adopted`). */
  readonly adopted: boolean;
  /** R16: a loss of the connection the running attempt adopted; it fails that attempt. */
  readonly lostAfterAdoption: ReconnectRequest | undefined;
  /** R17: finished outages of the episode, in order. */
  readonly outages: readonly OutageRecord[];
  /** R17: when the running outage began (the episode is `offline`); else undefined. */
  readonly offlineSince: number | undefined;
  /** R17: the next attempt follows an outage: no backoff before it. */
  readonly resumeAtOnce: boolean;
}

/** What outlives episodes (R8, R15), plus the running episode if any. */
export interface EngineState {
  /** The last successful join: current SFU and FAST window (R15). */
  readonly lastJoin: JoinedInfo | undefined;
  /** R15: attempts over the engine's life. */
  readonly reconnectAttempt: number;
  /** R8: start times of recent REJOIN/MIGRATE attempts. */
  readonly rateHistory: RateLimitHistory;
  /** R8: start times of recent FAST attempts (FAST's own window, `fastRateLimit`). */
  readonly fastHistory: RateLimitHistory;
  readonly episode: EpisodeState | undefined;
}

export function initialEngineState(initial: JoinedInfo | undefined): EngineState {
  return { lastJoin: initial, reconnectAttempt: 0, rateHistory: [], fastHistory: [], episode: undefined };
}

/** The running episode; a transition that needs one and finds none is a bug of the loop. */
function running(state: EngineState): EpisodeState {
  if (!state.episode) throw new Error('reconnect engine: no episode is running');
  return state.episode;
}

/** R2: `trigger` starts an episode at its own strategy; a `go_away` lists the current SFU at once (R5). */
export function startEpisode(state: EngineState, trigger: AttemptRequest, now: number): EngineState {
  const episode: EpisodeState = {
    trigger, startedAt: now, floor: trigger.strategy, planned: undefined, strategiesTried: [], lastError: undefined,
    exclusion: NO_EXCLUSION, leftJoined: false, running: undefined, adopted: false, lostAfterAdoption: undefined,
    outages: [], offlineSince: undefined, resumeAtOnce: false,
  };
  return { ...state, episode: noteGoAway(episode, trigger, state.lastJoin) };
}

function noteGoAway(episode: EpisodeState, request: ReconnectRequest, lastJoin: JoinedInfo | undefined): EpisodeState {
  return request.source === 'go-away' ? { ...episode, exclusion: excludeSfu(episode.exclusion, lastJoin?.sfuId) } : episode;
}

/**
 * R3/R5/R16: a request that arrives while an episode runs raises the floor; a `go_away` also lists
 * the current SFU. One that does not raise the floor, after the running attempt adopted its new
 * connection, is a loss of that connection (R16: rank ≥ FAST). `disconnect` is the engine's (R13),
 * and with no episode there is nothing to change.
 */
export function requestDuringEpisode(state: EngineState, request: ReconnectRequest): EngineState {
  if (!state.episode || request.strategy === 'disconnect') return state;
  const episode = noteGoAway(state.episode, request, state.lastJoin);
  const floor = escalate(episode.floor, request.strategy);
  if (floor !== episode.floor) return { ...state, episode: { ...episode, floor } };
  const lost = episode.adopted && request.strategy !== 'ice-restart' && episode.lostAfterAdoption === undefined;
  return { ...state, episode: lost ? { ...episode, lostAfterAdoption: request } : episode };
}

/** R3: the floor is ranked above `strategy` (the running or planned attempt must give way). */
export function floorAbove(episode: EpisodeState, strategy: AttemptStrategy): boolean {
  return strategyRank(episode.floor) > strategyRank(strategy);
}

/** Whether the next attempt must be planned now: none is, or R3 raised the floor above the plan. */
export function needsPlan(episode: EpisodeState): boolean {
  return episode.planned === undefined || floorAbove(episode, episode.planned);
}

/** Facts a plan reads besides the state. */
export interface PlanFacts {
  readonly now: number;
  readonly options: ResolvedReconnectOptions;
  /** Whether an `iceRestart` executor exists (R14: else an ICE restart is a REJOIN). */
  readonly canRestartIce: boolean;
}

/** The outcome of planning: the next attempt and the state it announces, or R8's refusal. */
export type Plan =
  | { readonly admitted: true; readonly state: EngineState; readonly strategy: AttemptStrategy; readonly announce: ReconnectState | undefined }
  | { readonly admitted: false; readonly state: EngineState };

/**
 * R4/R14: choose the next attempt (`failed`: the strategy that just failed; undefined for the first
 * attempt or after R3), a FAST beyond FAST's window becomes REJOIN (R8), raise the floor to it, admit it (R8) and say which state it announces (R6:
 * announced when its wait begins; an ICE restart stays `joined`).
 */
export function planAttempt(state: EngineState, failed: AttemptStrategy | undefined, facts: PlanFacts, given?: AttemptStrategy): Plan {
  const episode = running(state);
  const { options, now } = facts;
  const chosen = given ?? nextStrategy({
    floor: episode.floor,
    failed,
    fastAttemptsMade: episode.strategiesTried.filter((s) => s === 'fast').length,
    elapsedMs: now - episode.startedAt,
    fastDeadlineMs: fastDeadlineMs(options, state.lastJoin),
    fastAttempts: options.fastAttempts,
  });
  const possible = chosen === 'ice-restart' && !facts.canRestartIce ? 'rejoin' : chosen;
  // R8: a FAST beyond its own window escalates to REJOIN (which R8 limits in turn): FASTs that each
  // succeed and are lost at once can never loop.
  let fastHistory = state.fastHistory;
  let strategy = possible;
  if (possible === 'fast') {
    const decision = admitRejoin(fastHistory, now, options.fastRateLimit);
    fastHistory = decision.history;
    if (!decision.admitted) strategy = 'rejoin';
  }
  const raised: EpisodeState = { ...episode, floor: escalate(episode.floor, strategy) };
  let rateHistory = state.rateHistory;
  if (strategy === 'rejoin' || strategy === 'migrate') {
    const decision = admitRejoin(rateHistory, now, options.rateLimit);
    rateHistory = decision.history;
    if (!decision.admitted) return { admitted: false, state: { ...state, rateHistory, fastHistory, episode: raised } };
  }
  const announce = announcement(strategy, episode.strategiesTried.length + 1);
  const planned: EpisodeState = { ...raised, planned: strategy, leftJoined: raised.leftJoined || announce !== undefined };
  return { admitted: true, state: { ...state, rateHistory, fastHistory, episode: planned }, strategy, announce };
}

function announcement(strategy: AttemptStrategy, attempt: number): ReconnectState | undefined {
  if (strategy === 'ice-restart') return undefined;
  return strategy === 'migrate' ? { kind: 'migrating', attempt } : { kind: 'reconnecting', strategy, attempt };
}

/** The context of an attempt, without the `adopted` callback (the loop binds it to the store). */
export type PlainAttemptContext = Omit<AttemptContext, 'adopted'>;

/** R11/R15: the planned attempt's executor is subscribed; its context. */
export function beginAttempt(state: EngineState, strategy: AttemptStrategy): { readonly state: EngineState; readonly ctx: PlainAttemptContext } {
  const episode = running(state);
  const strategiesTried = [...episode.strategiesTried, strategy];
  const reconnectAttempt = state.reconnectAttempt + 1;
  const { trigger } = episode;
  const ctx: PlainAttemptContext = {
    strategy,
    attempt: strategiesTried.length,
    reconnectAttempt,
    trigger,
    reason: trigger.detail,
    migratingFromList: episode.exclusion.migratingFromList,
    ...(state.lastJoin ? { fromSfuId: state.lastJoin.sfuId } : {}),
    ...(episode.lastError ? { previousError: episode.lastError } : {}),
    ...(trigger.peer ? { peer: trigger.peer } : {}),
  };
  return { state: { ...state, reconnectAttempt, episode: { ...episode, strategiesTried, running: strategiesTried.length } }, ctx };
}

/**
 * R16/R15: attempt `attempt` made its new connection current (`ctx.adopted`): it is the SFU now in
 * use, and from now a loss of it fails the attempt. A late call (the attempt ended) changes nothing.
 */
export function attemptAdopted(state: EngineState, attempt: number, info: JoinedInfo): EngineState {
  if (!state.episode || state.episode.running !== attempt) return state;
  return { ...state, lastJoin: info, episode: { ...state.episode, adopted: true } };
}

/** The running attempt's executor ended (value, error, timeout or abandonment). */
export function attemptEnded(state: EngineState): EngineState {
  if (!state.episode) return state;
  return { ...state, episode: { ...state.episode, running: undefined, adopted: false, lostAfterAdoption: undefined } };
}

/** R5/R11: an attempt failed with `error`; its SFU (tagged, else the current one) is blamed. */
export function attemptFailed(state: EngineState, error: RxsfuError): EngineState {
  const episode = running(state);
  const sfuId = sfuIdOf(error) ?? state.lastJoin?.sfuId;
  // R4: an attempt refused with a request for REJOIN (the SFU's reconnect_strategy, or a stale SFU
  // token during FAST) is followed by REJOIN, not by the same strategy again.
  const asksRejoin = error.reconnectStrategy === WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN;
  const floor = asksRejoin ? escalate(episode.floor, 'rejoin') : episode.floor;
  return { ...state, episode: { ...episode, floor, lastError: error, exclusion: blameSfu(episode.exclusion, sfuId, error) } };
}

/** R11/R15: the attempt joined; the episode ends, and a session strategy's join becomes the current one. */
export function attemptJoined(state: EngineState, strategy: AttemptStrategy, joined: unknown): EngineState {
  const lastJoin = strategy === 'ice-restart' ? state.lastJoin : (joined as JoinedInfo);
  return { ...state, lastJoin, episode: undefined };
}

/** The episode ends without a join (gave up, leave, DISCONNECT). */
export function endEpisode(state: EngineState): EngineState {
  return { ...state, episode: undefined };
}

/** R17: nothing answered the probe: the episode is `offline` from `now` (R10 paused, no attempt). */
export function goOffline(state: EngineState, now: number): EngineState {
  const episode = running(state);
  return { ...state, episode: { ...episode, offlineSince: now, leftJoined: true } };
}

/** R17: the network answered: the outage ends (`network-back`) and the next attempt goes at once. */
export function backOnline(state: EngineState, now: number, answeredBy: OutageAnsweredBy): EngineState {
  const episode = running(state);
  const outage: OutageRecord = { durationMs: now - (episode.offlineSince ?? now), ended: 'network-back', answeredBy };
  const outages = episode.offlineSince === undefined ? episode.outages : [...episode.outages, outage];
  return { ...state, episode: { ...episode, outages, offlineSince: undefined, resumeAtOnce: true } };
}

/** R17: the attempt after an outage has taken its "no backoff". */
export function backoffTaken(state: EngineState): EngineState {
  return state.episode?.resumeAtOnce ? { ...state, episode: { ...state.episode, resumeAtOnce: false } } : state;
}

/** R17: after an outage, FAST while the SFU may still hold the session (its window, from the loss), else REJOIN. */
export function strategyAfterOutage(state: EngineState, now: number, options: ResolvedReconnectOptions): AttemptStrategy {
  const episode = running(state);
  const inWindow = now - episode.startedAt < fastDeadlineMs(options, state.lastJoin);
  return inWindow && strategyRank(episode.floor) <= strategyRank('fast') ? 'fast' : 'rejoin';
}

/** R11: the record of `episode` ending now with `outcome`. */
export function episodeRecord(episode: EpisodeState, outcome: ReconnectOutcome, now: number, failure?: ReconnectFailedError): ReconnectionRecord {
  // R17: an outage still open when the episode ends ended with it.
  const open: OutageRecord[] = episode.offlineSince === undefined ? [] : [{
    durationMs: now - episode.offlineSince,
    ended: outcome === 'cancelled' ? 'cancelled' : failure?.reason === 'offline' ? 'budget' : 'disconnected',
  }];
  const outages = [...episode.outages, ...open];
  return {
    trigger: episode.trigger,
    strategiesTried: [...episode.strategiesTried],
    attempts: episode.strategiesTried.length,
    durationMs: now - episode.startedAt,
    outcome,
    ...(failure ? { failure } : {}),
    ...(outages.length > 0 ? { outages } : {}),
  };
}
