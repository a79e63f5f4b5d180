/**
 * Marble tests for networkDead$ (virtual time: 1 frame = 1 ms): signaling and media silent together.
 */
import { networkDead$ } from '../../lib/signaling/network-dead.js';
import { testScheduler } from './marbles.js';

describe('networkDead$ (issue 13: signaling and media silent together)', () => {
  const d = { silentForMs: 4 };

  it('fires deadAfterMs after the last sign of either path, once media was flowing', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s---s----------');
      const media = hot('    -m-m-m-m-------');
      expectObservable(networkDead$(signaling, media, 4)).toBe('-----------(d|)', { d });
    });
  });

  it('never fires while media flows, however long the signaling is silent (the heartbeat decides that)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s--------------');
      const media = hot('    -m-m-m-m-m-m-m-');
      expectObservable(networkDead$(signaling, media, 4), '^--------------!').toBe('---------------');
    });
  });

  it('never fires while the signaling speaks, even when media stopped', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s--s--s--s--s--s');
      const media = hot('    -m--------------');
      expectObservable(networkDead$(signaling, media, 5), '^---------------!').toBe('----------------');
    });
  });

  it('ignores media never heard: silence of both is then the heartbeat\'s to judge', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s---------------');
      const media = hot('    ----------------');
      expectObservable(networkDead$(signaling, media, 4), '^---------------!').toBe('----------------');
    });
  });

  it('ignores media that had stopped long before the signaling fell silent (a muted speaker, nothing published)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s---s---s---s-----------');
      const media = hot('    -m----------------------');
      expectObservable(networkDead$(signaling, media, 5), '^-----------------------!').toBe('------------------------');
    });
  });

  it('is re-armed by media coming back after a pause', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s---s---s---s--------------');
      const media = hot('    -m-----------m-------------');
      // media at 13 (1 after the last signaling at 12): both silent from 13, dead at 18.
      expectObservable(networkDead$(signaling, media, 5)).toBe('------------------(d|)', { d: { silentForMs: 5 } });
    });
  });

  it('starts at the first signaling sign: media before it does not count', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('------s---------');
      const media = hot('    mmmm------------');
      expectObservable(networkDead$(signaling, media, 4), '^---------------!').toBe('----------------');
    });
  });

  it('completes without a verdict when the signaling ends (the socket closed: its loss is reported elsewhere)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s--|');
      const media = hot('    -m-m-m-m');
      expectObservable(networkDead$(signaling, media, 4)).toBe('---|');
    });
  });

  it('thins a dense media stream to one sign per gap, keeping the trailing one (never a sooner verdict)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const signaling = hot('s-------------------------------------');
      const media = hot('    -mmmmmmmmmm---------------------------');
      // deadAfterMs 20: gap 5; last packet at 10, trailing sign at ≥ 10, so dead no sooner than 30.
      expectObservable(networkDead$(signaling, media, 20)).toBe('-------------------------------(d|)', { d: { silentForMs: 20 } });
    });
  });
});
