/**
 * mediaStalled$: the media-stall trigger (R1 `media-stalled`), in virtual time.
 */
import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { isRxsfuError } from '../../lib/errors.js';
import { mediaStalled$ } from '../../lib/reconnect/call-side/media-stall.js';

const scheduler = () => new TestScheduler((actual, expected) => {
  expect(actual).to.deep.equal(expected);
});
const bools = { t: true, f: false };
const s = { silentMs: 3 };

describe('mediaStalled$ (media-stall trigger)', () => {
  it('emits stallAfterMs after the last packet while media is expected, once per silence', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const expecting = hot('  t--------------', bools);
      const packets = hot('    --p-p----------');
      const packetSubs = '     ^--------------!';
      const expected = '       -------s-------';
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 }), '^--------------!').toBe(expected, { s });
      expectSubscriptions(packets.subscriptions).toBe(packetSubs);
    });
  });

  it('the diagram of its doc comment holds', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const expecting = hot('t-----------f--t-------', bools);
      const packets = hot('  --p-p-----------------');
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 }), '^----------------------!').toBe('-------s----------s----', { s });
    });
  });

  it('stalls stallAfterMs after expecting$ turns true when no packet ever comes', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const expecting = hot('  f-t----------', bools);
      const packets = hot('    -------------');
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 })).toBe('-----s-------', { s });
    });
  });

  it('every packet restarts the window: steady media never stalls', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const expecting = hot('  t-----------', bools);
      const packets = hot('    -p-p-p-p-p-p');
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 }), '^-----------!').toBe('------------', { s });
    });
  });

  it('is quiet while media is not expected and re-arms when it is expected again', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const expecting = hot('  t-f-----t-t-------', bools);
      const packets = hot('    ------------------');
      const packetSubs = [' ^-!---------------', ' --------^---------!'];
      const expected = '       -----------s------';
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 }), '^-----------------!').toBe(expected, { s });
      expectSubscriptions(packets.subscriptions).toBe(packetSubs);
    });
  });

  it('after a stall, the next packet re-arms the window', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const expecting = hot('  t------------', bools);
      const packets = hot('    --------p----');
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 }), '^------------!').toBe('---s-------s-', { s });
    });
  });

  it('never and empty expecting$: nothing, and completes with expecting$', () => {
    scheduler().run(({ hot, cold, expectObservable }) => {
      const packets = hot('-p-p-p');
      expectObservable(mediaStalled$(packets, cold('------'), { stallAfterMs: 1 }), '^-----!').toBe('------');
      expectObservable(mediaStalled$(packets, cold('|'), { stallAfterMs: 1 })).toBe('|');
    });
  });

  it('an error of either input is passed on', () => {
    scheduler().run(({ hot, expectObservable }) => {
      expectObservable(mediaStalled$(hot('-p-#'), hot('t----', bools), { stallAfterMs: 5 })).toBe('---#');
      expectObservable(mediaStalled$(hot('-----'), hot('t-#', bools), { stallAfterMs: 5 })).toBe('--#');
    });
  });

  it('unsubscribing early cancels the pending window', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const expecting = hot('  t---------', bools);
      const packets = hot('    -p--------');
      expectObservable(mediaStalled$(packets, expecting, { stallAfterMs: 3 }), '^--!').toBe('----------');
      expectSubscriptions(packets.subscriptions).toBe('^--!');
      expectSubscriptions(expecting.subscriptions).toBe('^--!');
    });
  });

  it('defaults to 8000 ms', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const expecting = hot('t', bools);
      expectObservable(mediaStalled$(hot('-'), expecting), '^ 9s !').toBe('8s s', { s: { silentMs: 8000 } });
    });
  });

  it('a threshold that is not a positive number is RXSFU_ERR_INVALID_ARGUMENT', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      try {
        mediaStalled$(hot0(), hot0(), { stallAfterMs: bad });
        expect.fail(`accepted ${bad}`);
      } catch (err) {
        expect(isRxsfuError(err) && err.code).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
      }
    }
  });
});

function hot0() {
  return new TestScheduler(() => undefined).createHotObservable<boolean>('-');
}
