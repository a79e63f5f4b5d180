/**
 * Failures replay in virtual time (issue 9 item 4): `replayFrameLog(log)` drives the reconnection
 * engine through the inputs a frame log recorded (requests, leave, backoff draws, each attempt's
 * adoption and outcome after the same delay from its start) on a VirtualTimeScheduler, and returns
 * the states and records it emits, with times on the log's clock. Deterministic: the same log gives
 * the same output, every time, in no wall time; on a log of a real run it gives the recorded states
 * and records in the same order (times within the real timers' slack of a few ms).
 */
import {
  defer, EMPTY, ignoreElements, map, merge, mergeMap, NEVER, type Observable, of, tap, timer, VirtualAction, VirtualTimeScheduler,
} from 'rxjs';
import { rxsfuError, type RxsfuErrorCode } from '../errors.js';
import { reconnectEpisodes } from './engine.js';
import { withSfuId } from './failed-error.js';
import { loggedRecord, loggedState, type FrameLog, type FrameLogEntry, type LoggedError } from './frame-log.js';
import type { AttemptContext, JoinedInfo, ReconnectExecutors, ReconnectRequest } from './types.js';

/** What an engine output looks like in a log: a `state` or `record` entry. */
export type ReplayedEntry = Extract<FrameLogEntry, { kind: 'state' | 'record' }>;

/** The state and record entries of `log`, in order (what a replay must reproduce). */
export function loggedOutputs(log: FrameLog): ReplayedEntry[] {
  return log.entries.filter((e): e is ReplayedEntry => e.kind === 'state' || e.kind === 'record');
}

/** Runs the engine on the log's inputs in virtual time; the outputs, timed on the log's clock. */
export function replayFrameLog(log: FrameLog): ReplayedEntry[] {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  const at = (entry: FrameLogEntry) => Math.max(0, entry.at - log.startedAt);
  const requests$ = merge(...log.entries.flatMap((e) => (e.kind === 'request' ? [timer(at(e), scheduler).pipe(map(() => revivedRequest(e.request)))] : [])));
  const leave = log.entries.find((e) => e.kind === 'leave');
  const draws = log.entries.flatMap((e) => (e.kind === 'random' ? [e.value] : []));
  let draw = 0;
  const out: ReplayedEntry[] = [];
  const { iceRestart, probe, heard, ...options } = log.options;
  const executors = {
    ...replayedExecutors(log, scheduler, iceRestart),
    ...(probe ? { probe: replayedProbe(log, scheduler) } : {}),
    ...(heard ? { networkHeard$: replayedHeard(log, scheduler) } : {}),
  };
  reconnectEpisodes(requests$, executors, {
    ...options,
    random: () => draws[draw++] ?? 0.5,
    leave$: leave ? timer(at(leave), scheduler) : NEVER,
  }, scheduler).subscribe((event) => out.push({
    at: scheduler.now() + log.startedAt,
    ...(event.type === 'state' ? { kind: 'state', state: loggedState(event.state) } : { kind: 'record', record: loggedRecord(event.record) }),
  } as ReplayedEntry));
  scheduler.flush();
  return out;
}

interface LoggedAttempt {
  readonly startedAt: number;
  adopted?: { at: number; info: JoinedInfo };
  outcome?: { at: number; info?: JoinedInfo; error?: LoggedError };
}

/** The n-th executor call plays the n-th logged attempt: adoption and outcome after the logged delays. */
function replayedExecutors(log: FrameLog, scheduler: VirtualTimeScheduler, withIceRestart: boolean): ReconnectExecutors {
  const attempts: LoggedAttempt[] = [];
  for (const entry of log.entries) {
    const last = attempts.at(-1);
    if (entry.kind === 'attempt') attempts.push({ startedAt: entry.at });
    else if (entry.kind === 'adopted' && last) last.adopted = { at: entry.at, info: entry.info };
    else if (entry.kind === 'joined' && last) last.outcome = { at: entry.at, ...(entry.info ? { info: entry.info } : {}) };
    else if (entry.kind === 'failed' && last) last.outcome = { at: entry.at, error: entry.error };
  }
  let next = 0;
  const play = (ctx: AttemptContext): Observable<JoinedInfo> => defer(() => {
    const attempt = attempts[next++];
    if (!attempt) return NEVER;
    const adopt$ = attempt.adopted
      ? timer(attempt.adopted.at - attempt.startedAt, scheduler).pipe(tap(() => ctx.adopted(attempt.adopted!.info)), ignoreElements())
      : EMPTY;
    const outcome = attempt.outcome;
    const outcome$: Observable<JoinedInfo> = !outcome ? NEVER : timer(outcome.at - attempt.startedAt, scheduler).pipe(
      // An error is thrown inside the timer, so it comes at the logged time.
      map(() => {
        if (outcome.error) throw revivedError(outcome.error);
        return outcome.info ?? ({ sfuId: '' } as JoinedInfo);
      }),
    );
    return merge(adopt$, outcome$);
  });
  return {
    fast: play, rejoin: play, migrate: play,
    ...(withIceRestart ? { iceRestart: (_peer, ctx) => play(ctx) } : {}),
  };
}

/**
 * R17: the n-th probe plays the n-th logged one: its answer after the logged delay; one that was
 * cut off (the engine's probe timeout) or never logged stays silent, so the timeout replays too.
 */
function replayedProbe(log: FrameLog, scheduler: VirtualTimeScheduler): () => Observable<unknown> {
  const probes: { startedAt: number; answered?: { at: number; yes: boolean } }[] = [];
  for (const entry of log.entries) {
    if (entry.kind !== 'probe') continue;
    if (entry.started) probes.push({ startedAt: entry.at });
    else if (entry.answered !== undefined && probes.at(-1)) probes.at(-1)!.answered = { at: entry.at, yes: entry.answered };
  }
  let next = 0;
  return () => defer(() => {
    const probe = probes[next++];
    if (!probe?.answered) return NEVER;
    const { at, yes } = probe.answered;
    return timer(at - probe.startedAt, scheduler).pipe(mergeMap(() => (yes ? of(true) : EMPTY)));
  });
}

/** R17: the n-th watch of the paths plays the n-th logged one: its sign after the logged delay, or none. */
function replayedHeard(log: FrameLog, scheduler: VirtualTimeScheduler): () => Observable<unknown> {
  const watches: { startedAt: number; heardAt?: number }[] = [];
  for (const entry of log.entries) {
    if (entry.kind !== 'heard') continue;
    if (entry.started) watches.push({ startedAt: entry.at });
    else if (watches.at(-1)) watches.at(-1)!.heardAt = entry.at;
  }
  let next = 0;
  return () => defer(() => {
    const watch = watches[next++];
    return watch?.heardAt === undefined ? NEVER : timer(watch.heardAt - watch.startedAt, scheduler);
  });
}

function revivedError(logged: LoggedError): Error {
  const error = rxsfuError(logged.code as RxsfuErrorCode, logged.message, {
    ...(logged.sfuErrorCode !== undefined ? { sfuErrorCode: logged.sfuErrorCode } : {}),
    ...(logged.reconnectStrategy !== undefined ? { reconnectStrategy: logged.reconnectStrategy } : {}),
    ...(logged.httpStatus !== undefined ? { httpStatus: logged.httpStatus } : {}),
  });
  return logged.sfuId !== undefined ? withSfuId(error, logged.sfuId) : error;
}

function revivedRequest(request: Extract<FrameLogEntry, { kind: 'request' }>['request']): ReconnectRequest {
  const { cause, ...rest } = request;
  return { ...rest, ...(cause ? { cause: revivedError(cause) } : {}) } as ReconnectRequest;
}
