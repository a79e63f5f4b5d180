/**
 * `releaseUntilFirstValue`: how `connectSfu$` releases a join that failed or was abandoned, and keeps
 * the connection it handed over (marbles).
 */
import { expect } from 'chai';
import { releaseUntilFirstValue } from '../../lib/call/release-until-first-value.js';
import { testScheduler } from '../signaling/marbles.js';

describe('releaseUntilFirstValue (connectSfu$ release step)', () => {
  it('a value hands the resource over: completing or unsubscribing later releases nothing', () => {
    const released: boolean[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--v|').pipe(releaseUntilFirstValue((failed) => released.push(failed)))).toBe('--v|');
      expectObservable(cold('--v--').pipe(releaseUntilFirstValue((failed) => released.push(failed))), '^---!').toBe('--v--');
    });
    expect(released).to.deep.equal([]);
  });

  it('an error before the first value releases as failed, once, before the error is passed on', () => {
    const seen: string[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('--#', undefined, new Error('refused'));
      expectObservable(source.pipe(releaseUntilFirstValue((failed) => seen.push(`release ${failed}`)))).toBe('--#', undefined, new Error('refused'));
    });
    expect(seen).to.deep.equal(['release true']);
  });

  it('unsubscribing (or completing) before the first value releases as abandoned', () => {
    const released: boolean[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-----').pipe(releaseUntilFirstValue((failed) => released.push(failed))), '^--!').toBe('---');
      expectObservable(cold('--|').pipe(releaseUntilFirstValue((failed) => released.push(failed)))).toBe('--|');
    });
    expect(released).to.deep.equal([false, false]);
  });
});
