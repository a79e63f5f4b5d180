import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map, take } from 'rxjs';
import { mixAudio$ } from '../../lib/media/mix-audio.js';
import type { AudioFrame } from '../../lib/media/audio-frame.js';

/** A 20 ms 8 kHz frame (160 samples) of constant `value` from `who`. */
const frame = (who: string, value: number): AudioFrame<string> => ({
  samples: new Int16Array(160).fill(value), sampleRate: 8000, channels: 1, timestampMs: 0, concealed: false, participant: who, latePackets: 0, lostPackets: 0,
});

/** A mixed frame as `value@ms[speakers]`. */
const show = (m: { samples: Int16Array; timestampMs: number; speakers: readonly string[] }) => `${m.samples[0]}@${m.timestampMs}[${m.speakers.join('')}]`;

describe('media/mix-audio', () => {
  const newScheduler = () => new TestScheduler((actual, expected) => { expect(actual).to.deep.equal(expected); });

  it('sums the voices on one 20 ms clock; silence when nobody has a frame; a voice leaves when it completes', () => {
    const s = newScheduler();
    s.run(({ cold, hot, expectObservable }) => {
      const a$ = cold('a 19ms a 19ms a|', { a: frame('a', 100) });
      const b$ = cold('b 19ms b|', { b: frame('b', 1000) });
      const voices$ = hot('v 29ms w', { v: a$, w: b$ });
      const mix$ = mixAudio$(voices$, { sampleRate: 8000, scheduler: s }).pipe(map(show), take(6));
      // Each tick mixes, at its end, what came during it; a voice that completed still plays its queue.
      expectObservable(mix$).toBe('20ms x 19ms y 19ms z 19ms u 19ms v 19ms (w|)', {
        x: '100@0[a]', y: '1100@20[ab]', z: '1100@40[ab]', u: '0@60[]', v: '0@80[]', w: '0@100[]',
      });
    });
  });

  it('saturates at 16 bits instead of wrapping', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const voices$ = cold('(ab)', { a: cold('a', { a: frame('a', 30000) }), b: cold('b', { b: frame('b', 30000) }) });
      expectObservable(mixAudio$(voices$, { sampleRate: 8000, scheduler: s }).pipe(map((m) => m.samples[0]), take(1))).toBe('20ms (x|)', { x: 32767 });
    });
  });

  it('bounds a voice that runs ahead: past maxLagFrames its oldest frames are skipped and counted', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const burst$ = cold('(abcde)', { a: frame('a', 1), b: frame('a', 2), c: frame('a', 3), d: frame('a', 4), e: frame('a', 5) });
      const mix$ = mixAudio$(cold('v', { v: burst$ }), { sampleRate: 8000, maxLagFrames: 2, scheduler: s });
      expectObservable(mix$.pipe(map((m) => `${m.samples[0]}/${m.skippedFrames}`), take(3))).toBe('20ms x 19ms y 19ms (z|)', { x: '4/3', y: '5/3', z: '0/3' });
    });
  });
});
