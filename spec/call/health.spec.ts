/**
 * `callHealth$` (docs/RECONNECT.md, "The joined invariant"): J1 the socket is joined, J2 every
 * negotiated peer is connected, only promised while `joined`; it follows the current connection.
 */
import { expect } from 'chai';
import { map } from 'rxjs';
import { callHealth$, healthProblems, type CallHealth } from '../../lib/call/index.js';
import type { SignalState } from '../../lib/signaling/index.js';
import { testScheduler } from '../reconnect/helpers.js';

const brief = (h: CallHealth) => (h.healthy ? 'H' : h.problems.join('+'));

describe('call health (the joined invariant)', () => {
  it('J1/J2: names each broken part while joined, and promises nothing in other states', () => {
    expect(healthProblems('joined', 'joined', 'connected', 'new')).to.deep.equal([]);
    expect(healthProblems('joined', 'closed', 'connecting', 'failed')).to.deep.equal([
      'J1: signaling socket is closed', 'J2: publisher is connecting', 'J2: subscriber is failed',
    ]);
    expect(healthProblems('reconnecting', 'closed', 'failed', 'failed')).to.deep.equal(['state is reconnecting']);
  });

  it('follows the current connection: a closed socket while joined is reported until the next connection is joined', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const states = { j: 'joined', r: 'reconnecting' } as const;
      const peer = () => ({ connectionState$: cold('c', { c: 'connected' }) });
      const a = { signal: { state$: cold<SignalState>('j--c', { j: 'joined', c: 'closed' }) }, publisher: peer(), subscriber: peer() };
      const b = { signal: { state$: cold<SignalState>('j', { j: 'joined' }) }, publisher: peer(), subscriber: peer() };
      const state = hot('      j-----r---j--|', states);
      const connection = hot(' a-------b', { a, b });
      const expected = '       H--U--R-R-H--|';
      expectObservable(callHealth$(state, connection).pipe(map(brief))).toBe(expected, {
        H: 'H', R: 'state is reconnecting', U: 'J1: signaling socket is closed',
      });
    });
  });

  it('completes after the state\'s last value; a subscriber after the end gets the final state once', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const endless = { signal: { state$: cold<SignalState>('j', { j: 'joined' }) }, publisher: { connectionState$: cold('c', { c: 'connected' }) }, subscriber: { connectionState$: cold('c', { c: 'connected' }) } };
      expectObservable(callHealth$(cold('j-l|', { j: 'joined', l: 'left' }), cold('a', { a: endless })).pipe(map(brief))).toBe('H-L|', { H: 'H', L: 'state is left' });
      expectObservable(callHealth$(cold('(l|)', { l: 'left' }), cold('|')).pipe(map((h) => `${h.state}/${h.signaling}`))).toBe('(x|)', { x: 'left/none' });
    });
  });
});
