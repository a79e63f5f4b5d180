/**
 * J2 as a trigger (docs/RECONNECT.md R1 `peer-stuck`): a negotiated peer connection that stays out of
 * `connected` for `afterMs` while the call is joined asks for an ICE restart of that peer.
 */
import { map } from 'rxjs';
import { peerStuck$, peersStuck$ } from '../../lib/reconnect/call-side/peer-stuck.js';
import { testScheduler } from './helpers.js';

const states = { n: 'new', c: 'connecting', k: 'connected', d: 'disconnected', f: 'failed', x: 'closed' };
const flags = { t: true, f: false };

describe('peer stuck (J2 trigger)', () => {
  it('J2: a state out of connected that lasts afterMs while expected is reported once; connected, new, failed, closed never', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const expecting = hot('t------------------', flags);
      const state = hot('    n-c---k-c-----d-k--', states);
      expectObservable(peerStuck$(state, expecting, 3, undefined as never)).toBe('-----c-----c-------', { c: 'connecting' });
    });
  });

  it('J2: nothing while not expected (a reconnect runs); the window restarts when joined again', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const expecting = hot('t-f----t---', flags);
      const state = cold('   c', states);   // like werift's: the current state first, to every subscriber
      expectObservable(peerStuck$(state, expecting, 3, undefined as never)).toBe('----------c', { c: 'connecting' });
    });
  });

  it('R1 peer-stuck: follows the current connection and names the peer and its state; 0 disables', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const a = { publisher: { connectionState$: cold('c', states) }, subscriber: { connectionState$: cold('k', states) } };
      const b = { publisher: { connectionState$: cold('k', states) }, subscriber: { connectionState$: cold('d', states) } };
      const connection = hot('a-b------', { a, b });
      const joined = cold('   t', flags);   // like state$: the current value first
      const stuck$ = peersStuck$(connection, joined, 3, undefined as never).pipe(map((r) => `${r.peer}/${r.state}/${r.forMs}`));
      expectObservable(stuck$).toBe('-----s---', { s: 'subscriber/disconnected/3' });
      expectObservable(peersStuck$(connection, joined, 0, undefined as never)).toBe('|');
    });
  });
});
