/**
 * R18 as an operator (`supervise`), in virtual time, over stand-in calls (state$ + final state):
 * backoff bounds 4 and random 0.5, so every wait is 2.
 */
import { asyncScheduler, catchError, defer, map, type Observable, of, throwError } from 'rxjs';
import { supervise, type SupervisedCall } from '../../lib/call/index.js';
import { rxsfuError } from '../../lib/errors.js';
import { ReconnectFailedError, type ReconnectFailureReason } from '../../lib/reconnect/index.js';
import { req, testScheduler } from '../reconnect/helpers.js';

const OPTIONS = { maxRestarts: 1, windowMs: 1000, backoff: { baseMs: 4, maxDelayMs: 4 } };
type FakeCall = SupervisedCall & { name: string };
const ended = (name: string, state$: Observable<unknown>, state: string, reason?: ReconnectFailureReason): FakeCall => ({
  name, state$, state, ...(reason ? { failure: new ReconnectFailedError(reason, req.fast) } : {}),
});

/** A joinCall$ stand-in: each subscription "joins" the next scripted call (or fails with the scripted error). */
function joins(...script: (FakeCall | Error)[]): Observable<FakeCall> {
  let n = 0;
  return defer(() => {
    const next = script[n++];
    if (!next) return throwError(() => new Error('join not scripted'));
    return next instanceof Error ? throwError(() => next) : of(next);
  });
}

const names = (source: Observable<FakeCall>) => source.pipe(
  supervise<FakeCall>(OPTIONS, asyncScheduler, () => 0.5),
  map((call) => call.name),
  catchError((e: Error) => of(e instanceof ReconnectFailedError ? `${e.reason}<${(e.cause as ReconnectFailedError).reason}` : e.message)),
);

describe('supervise (R18 for joinCall$ pipelines)', () => {
  it('R18: a call whose reconnection gave up (deadline) is replaced by a fresh join after the backoff', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = joins(ended('a', cold('--|'), 'reconnecting-failed', 'deadline'), ended('b', cold('-'), 'joined'));
      expectObservable(names(source)).toBe('a---b', { a: 'a', b: 'b' });
    });
  });

  it('R18: beyond the budget the stream errors with supervisor-budget, the give-up as cause', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = joins(ended('a', cold('--|'), 'reconnecting-failed', 'rate-limit'), ended('b', cold('--|'), 'reconnecting-failed', 'offline'));
      expectObservable(names(source)).toBe('a---b-(x|)', { a: 'a', b: 'b', x: 'supervisor-budget<offline' });
    });
  });

  it('R18: a call left by the user, or failed for a reason no restart cures, ends the stream', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(names(joins(ended('a', cold('--|'), 'left')))).toBe('a-|', { a: 'a' });
      expectObservable(names(joins(ended('a', cold('--|'), 'reconnecting-failed', 'unauthorized')))).toBe('a-|', { a: 'a' });
    });
  });

  it('R18: a join that fails with a non-final error is tried again; a final one (401) is passed on', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const unreachable = rxsfuError('RXSFU_ERR_COORDINATOR', 'coordinator unreachable');
      expectObservable(names(joins(unreachable, ended('b', cold('-'), 'joined')))).toBe('--b', { b: 'b' });
      const denied = rxsfuError('RXSFU_ERR_UNAUTHORIZED', 'no');
      expectObservable(names(joins(denied))).toBe('(x|)', { x: 'no' });
    });
  });
});
