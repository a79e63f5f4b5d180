import { expect } from 'chai';
import { Subject, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { backlogged } from '../../lib/call/backlog.js';

describe('backlogged (events before the connection is adopted are not lost)', () => {
  it('replays what came before the first subscription, then is live; later subscribers get live values only', () => {
    new TestScheduler((a, b) => { expect(a).to.deep.equal(b); }).run(({ hot, expectObservable }) => {
      const source = hot('--a--b----c--d--');
      const owner = new Subscription();
      const events$ = backlogged(source, owner);
      expectObservable(events$, '       ------^---------').toBe('------(ab)c--d--');
      expectObservable(events$, '       ---------^------').toBe('----------c--d--');
    });
  });

  it('keeps nothing once its owner ended (a disposed connection)', () => {
    const source = new Subject<number>();
    const owner = new Subscription();
    const events$ = backlogged(source, owner);
    source.next(1);
    owner.unsubscribe();
    source.next(2);
    const seen: number[] = [];
    events$.subscribe((v) => seen.push(v));
    source.next(3);
    expect(seen).to.deep.equal([1, 3]);
  });

  it('keeps at most `limit` values, the newest: a flood before adoption cannot grow without bound (issue 10 item 4)', () => {
    const source = new Subject<number>();
    const events$ = backlogged(source, new Subscription(), 3);
    for (let i = 1; i <= 100_000; i++) source.next(i);
    const seen: number[] = [];
    events$.subscribe((v) => seen.push(v));
    source.next(0);
    expect(seen).to.deep.equal([99_998, 99_999, 100_000, 0]);
  });
});
