/**
 * Marble tests for connectionLost$: which socket endings are losses, and that there is only one.
 */
import { testScheduler } from './marbles.js';
import { rxsfuError, type RxsfuError } from '../../lib/errors.js';
import { connectionLost$, type ConnectionLost, type HeartbeatTimeout } from '../../lib/signaling/index.js';

type Close = { code: number; reason: string };

const closes: Record<string, Close> = { c: { code: 1011, reason: 'internal' }, d: { code: 1006, reason: '' } };
const errors: Record<string, RxsfuError> = { e: rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'signaling socket error: ECONNRESET') };
const beats: Record<string, HeartbeatTimeout> = { t: { silentForMs: 12000 } };
const losses: Record<string, ConnectionLost> = {
  C: { kind: 'close', closeCode: 1011, detail: 'socket closed unexpectedly (1011 internal)' },
  D: { kind: 'close', closeCode: 1006, detail: 'socket closed unexpectedly (1006)' },
  E: { kind: 'error', detail: 'signaling socket error: ECONNRESET', error: errors.e },
  T: { kind: 'heartbeat-timeout', detail: 'no frame for 12000 ms' },
};

interface Marbles {
  joined?: string;
  closes?: string;
  errors?: string;
  beats?: string;
  closeRequested?: string;
  callEnded?: string;
}

/** Runs connectionLost$ over hot inputs written as marbles (absent ones never emit). */
function run(m: Marbles, expected: string): void {
  testScheduler().run(({ hot, expectObservable }) => {
    const inputs = {
      joined$: hot(m.joined ?? '-'),
      closes$: hot(m.closes ?? '-', closes),
      errors$: hot(m.errors ?? '-', errors),
      heartbeatTimeouts$: hot(m.beats ?? '-', beats),
      closeRequested$: hot(m.closeRequested ?? '-'),
      callEnded$: hot(m.callEnded ?? '-'),
    };
    expectObservable(connectionLost$(inputs)).toBe(expected, losses);
  });
}

describe('connectionLost$', () => {
  it('reports an unexpected close after the join, once', () => {
    run({
      joined: '  -j--------',
      closes: '  -----c----',
    }, '         -----(C|)  ');
  });

  it('reports an error after the join; the close that follows it adds nothing (error→close dedupe)', () => {
    run({
      joined: '  -j---------',
      errors: '  ----e------',
      closes: '  -----d-----',
    }, '         ----(E|)   ');
  });

  it('reports a heartbeat timeout; our own 4001 close afterwards adds nothing', () => {
    run({
      joined: '         -j--------',
      beats: '          ----t-----',
      closes: '         -----c----',
      closeRequested: '-----x----',
    }, '                ----(T|)  ');
  });

  it('take(1): of several losses only the first counts', () => {
    run({
      joined: '  j----------',
      beats: '   --t--------',
      errors: '  ----e------',
      closes: '  ------c----',
    }, '         --(T|)     ');
  });

  it('ignores a close and an error before the handshake (they fail the join instead)', () => {
    run({
      joined: '  ---------',
      errors: '  --e------',
      closes: '  ---c-----',
    }, '         ---------');
  });

  it('ignores what happened before the join, reports what happens after', () => {
    run({
      joined: '  ----j------',
      errors: '  --e--------',
      closes: '  -------c---',
    }, '         -------(C|)');
  });

  it('suppresses the close we asked for (close() called), completing instead', () => {
    run({
      joined: '         -j-------',
      closeRequested: '---x-----',
      closes: '         ----c----',
    }, '                ---|     ');
  });

  it('suppresses the close after call_ended', () => {
    run({
      joined: '    -j-------',
      callEnded: ' ---x-----',
      closes: '    -----c---',
    }, '           ---|     ');
  });

  it('a call_ended before the join does not end the watch: a later loss of the joined socket is reported (issue 9)', () => {
    run({
      callEnded: ' -x-------',
      joined: '    ---j-----',
      closes: '    -----c---',
    }, '           -----(C|)');
  });

  it('close() before the join: nothing, ever', () => {
    run({
      joined: '         ---j----',
      closeRequested: '-x------',
      closes: '         -----c--',
    }, '                -|      ');
  });

  it('unsubscribes from every input when done', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const joined = hot('      -j------');
      const closes$ = hot('     ---c----', closes);
      const errors$ = hot('     --------', errors);
      const closeReq = hot('    --------');
      const joinedSubs = '      ^!      ';
      const closesSubs = '      -^-!    ';
      const closeReqSubs = '    ^--!    ';
      const expected = '        ---(C|) ';
      const lost$ = connectionLost$({
        joined$: joined,
        closes$,
        errors$,
        heartbeatTimeouts$: hot('-', beats),
        closeRequested$: closeReq,
        callEnded$: hot('-'),
      });
      expectObservable(lost$).toBe(expected, losses);
      expectSubscriptions(joined.subscriptions).toBe(joinedSubs);
      expectSubscriptions(closes$.subscriptions).toBe(closesSubs);
      expectSubscriptions(errors$.subscriptions).toBe(closesSubs);
      expectSubscriptions(closeReq.subscriptions).toBe(closeReqSubs);
    });
  });
});
