/**
 * Marble tests for healthCheckRequests$ and heartbeatTimeout$ (virtual time: 1 frame = 1 ms).
 */
import { expect } from 'chai';
import { Subject, Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { testScheduler } from './marbles.js';
import { HEALTH_CHECK_REQUEST, healthCheckRequests$, heartbeatTimeout$ } from '../../lib/signaling/index.js';

const scheduler = testScheduler;

describe('healthCheckRequests$', () => {
  const h = HEALTH_CHECK_REQUEST;

  it('sends nothing before the join, then one request every interval', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const joined = hot('  --j------------');
      const joinedSubs = '  ^-!            ';
      const unsub = '       ^--------------!';
      const expected = '    -----h--h--h--h';
      expectObservable(healthCheckRequests$(joined, 3), unsub).toBe(expected, { h });
      expectSubscriptions(joined.subscriptions).toBe(joinedSubs);
    });
  });

  it('counts only the first join', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const joined = hot('  --j-j-j-------');
      const expected = '    -------h----h-';
      expectObservable(healthCheckRequests$(joined, 5), '^-------------!').toBe(expected, { h });
    });
  });

  it('never sends when never joined, and passes a join$ error through', () => {
    scheduler().run(({ hot, expectObservable }) => {
      expectObservable(healthCheckRequests$(hot('-----'), 1), '^----!').toBe('-----');
      expectObservable(healthCheckRequests$(hot('--#'), 1)).toBe('--#');
    });
  });

  it('stops when unsubscribed (the connection closed)', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const joined = hot('  j---------');
      expectObservable(healthCheckRequests$(joined, 2), '^----!').toBe('--h-h-', { h });
    });
  });

  it('runs on a 5 s interval in time-progression syntax', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const joined = hot('j');
      expectObservable(healthCheckRequests$(joined, 5000), '^ 10001ms !').toBe('5000ms h 4999ms h', { h });
    });
  });
});

describe('heartbeatTimeout$', () => {
  const t = { silentForMs: 5 };

  it('fires at exactly unhealthyAfterMs of silence after the last frame', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const frames = hot('  -a--b------------');
      const framesSubs = '  ^--------!       ';
      const expected = '    ---------(t|)    ';
      expectObservable(heartbeatTimeout$(frames, 5)).toBe(expected, { t });
      expectSubscriptions(frames.subscriptions).toBe(framesSubs);
    });
  });

  it('is reset by any frame: a steady trickle never fires', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const frames = hot('  -a-b-c-d-e-f-g-h-');
      const expected = '    -----------------';
      expectObservable(heartbeatTimeout$(frames, 5), '^----------------!').toBe(expected, { t });
    });
  });

  it('fires once only, even if frames come back afterwards', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const frames = hot('  a--------b--c');
      const expected = '    -----(t|)    ';
      expectObservable(heartbeatTimeout$(frames, 5)).toBe(expected, { t });
    });
  });

  it('does not start before the first frame', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const frames = hot('  ----------a------');
      const expected = '    ---------------(t|)';
      expectObservable(heartbeatTimeout$(frames, 5)).toBe(expected, { t });
    });
  });

  it('completes silently when the frames end (socket closed) before the silence is long enough', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const frames = hot('  -a--|    ');
      const framesSubs = '  ^---!    ';
      expectObservable(heartbeatTimeout$(frames, 5)).toBe('----|', { t });
      expectSubscriptions(frames.subscriptions).toBe(framesSubs);
    });
  });

  it('passes a frames error through', () => {
    scheduler().run(({ hot, expectObservable }) => {
      expectObservable(heartbeatTimeout$(hot('-a-#'), 5)).toBe('---#');
    });
  });

  it('stops its timer on early unsubscribe', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const frames = hot('  -a-------');
      const framesSubs = '  ^--!     ';
      expectObservable(heartbeatTimeout$(frames, 5), '^--!').toBe('----');
      expectSubscriptions(frames.subscriptions).toBe(framesSubs);
    });
  });

  it('counts 12 s from the last frame (time-progression syntax)', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const frames = hot('a 5s b');
      expectObservable(heartbeatTimeout$(frames, 12_000)).toBe('5001ms 12000ms (t|)', { t: { silentForMs: 12_000 } });
    });
  });
});

/**
 * A clock that can jump (an event-loop stall): actions due in the jump run after it, with `now()`
 * already past their due time, as timers do in a Node process that was busy.
 */
class JumpingScheduler implements SchedulerLike {
  private nowMs = 0;
  private readonly actions: { due: number; run: () => void; closed: boolean }[] = [];
  now(): number { return this.nowMs; }
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const action = { due: this.nowMs + delay, closed: false, run: () => undefined as void };
    const self = this;
    const context = { schedule(next?: T, again = 0) { return self.schedule(work, again, next); } } as unknown as SchedulerAction<T>;
    action.run = () => work.call(context, state);
    this.actions.push(action);
    return new Subscription(() => { action.closed = true; });
  }
  jumpTo(ms: number): void {
    this.nowMs = ms;
    for (;;) {
      const due = this.actions.filter((a) => !a.closed && a.due <= ms).sort((a, b) => a.due - b.due)[0];
      if (!due) return;
      due.closed = true;
      due.run();
    }
  }
}

describe('heartbeatTimeout$ and event-loop stalls', () => {
  it('a timer that fires late (our stall) waits the lateness again, so a frame read after the stall keeps the socket', () => {
    const clock = new JumpingScheduler();
    const frames = new Subject<number>();
    const fired: number[] = [];
    heartbeatTimeout$(frames, 2500, clock).subscribe(() => fired.push(clock.now()));
    frames.next(0);
    clock.jumpTo(3000);              // a 500 ms stall past the limit: not a verdict yet
    expect(fired).to.deep.equal([]);
    frames.next(1);                  // the frame that waited behind the stall
    clock.jumpTo(5499);
    expect(fired).to.deep.equal([]);
    clock.jumpTo(5500);              // on time now: silence for real
    expect(fired).to.deep.equal([5500]);
  });

  it('a dead path is still reported after a stall, late by the stall only', () => {
    const clock = new JumpingScheduler();
    const frames = new Subject<number>();
    const fired: number[] = [];
    heartbeatTimeout$(frames, 2500, clock).subscribe(() => fired.push(clock.now()));
    frames.next(0);
    clock.jumpTo(3000);
    clock.jumpTo(3499);
    expect(fired).to.deep.equal([]);
    clock.jumpTo(3500);
    expect(fired).to.deep.equal([3500]);
  });
});
