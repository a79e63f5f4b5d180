import { expect } from 'chai';
import { take, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { frameClock$ } from '../../lib/media/frame-clock.js';

const testScheduler = () => new TestScheduler((actual, expected) => {
  expect(actual).to.deep.equal(expected);
});

/**
 * The test scheduler seen through a clock `lag` ms ahead: a callback due at t runs at virtual t but
 * reads t + lag, as a callback that ran `lag` ms late because the event loop was busy.
 */
function laggingScheduler(ts: TestScheduler, lag: { ms: number }): SchedulerLike {
  return { now: () => ts.now() + lag.ms, schedule: ts.schedule.bind(ts) as SchedulerLike['schedule'] };
}

/** [tick, clock reading] of `count` ticks (period 20, first at 20) when from virtual 50 ms on every callback runs `lagMs` late. */
function ticksLateFrom50(lagMs: number, count: number, maxCatchUpMs?: number): [number, number][] {
  const ts = testScheduler();
  const lag = { ms: 0 };
  const seen: [number, number][] = [];
  ts.run(() => {
    const scheduler = laggingScheduler(ts, lag);
    ts.schedule(() => (lag.ms = lagMs), 50);
    frameClock$(20, { scheduler, firstDelayMs: 20, ...(maxCatchUpMs !== undefined ? { maxCatchUpMs } : {}) }).pipe(take(count)).subscribe((i) => seen.push([i, scheduler.now()]));
  });
  return seen;
}

describe('media/frame-clock: a real-time frame clock that does not drift', () => {
  it('ticks every period, the first after firstDelayMs (or at once)', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(frameClock$(20, { firstDelayMs: 20 }).pipe(take(4))).toBe('20ms a 19ms b 19ms c 19ms (d|)', { a: 0, b: 1, c: 2, d: 3 });
      expectObservable(frameClock$(20).pipe(take(3))).toBe('a 19ms b 19ms (c|)', { a: 0, b: 1, c: 2 });
    });
  });

  it('a late tick does not push the later ones back: the ticks that fell due come at once, then the clock is on time again', () => {
    // From virtual 50 ms on, every callback runs 70 ms late (it reads 70 ms more than it was scheduled for).
    const seen = ticksLateFrom50(70, 8);
    // 0, 1 on time (20, 40). The tick scheduled for 60 reads 130: ticks 2…5 (due 60…120) come at once,
    // then tick 6 is due at 140 and comes at 140, tick 7 at 160: no tick lost, none shifted.
    expect(seen).to.deep.equal([[0, 20], [1, 40], [2, 130], [3, 130], [4, 130], [5, 130], [6, 140], [7, 160]]);
    expect(seen.length, 'as many ticks as 20 ms periods elapsed').to.equal(8);
  });

  it('further behind than maxCatchUpMs (a long stall), the missed ticks are skipped and the clock restarts from now', () => {
    const seen = ticksLateFrom50(1000, 4, 200);
    // The tick for 60 reads 1060: a stall of 1 s, beyond 200 ms: one tick now, the next 20 ms later.
    expect(seen).to.deep.equal([[0, 20], [1, 40], [2, 1060], [3, 1080]]);
  });
});
