import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { map, take, toArray } from 'rxjs';
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

  it('sums the voices on one 20 ms clock (jitterFrames 1: no buffering); silence when nobody has a frame; a voice leaves when it completes', () => {
    const s = newScheduler();
    s.run(({ cold, hot, expectObservable }) => {
      const a$ = cold('a 19ms a 19ms a|', { a: frame('a', 100) });
      const b$ = cold('b 19ms b|', { b: frame('b', 1000) });
      const voices$ = hot('v 29ms w', { v: a$, w: b$ });
      const mix$ = mixAudio$(voices$, { sampleRate: 8000, jitterFrames: 1, scheduler: s }).pipe(map(show), take(6));
      // Each tick mixes, at its end, what came during it; a voice that completed still plays its queue.
      expectObservable(mix$).toBe('20ms x 19ms y 19ms z 19ms u 19ms v 19ms (w|)', {
        x: '100@0[a]', y: '1100@20[ab]', z: '1100@40[ab]', u: '0@60[]', v: '0@80[]', w: '0@100[]',
      });
    });
  });

  it('saturates at 16 bits instead of wrapping', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const voices$ = cold('(ab)', { a: cold('a|', { a: frame('a', 30000) }), b: cold('b|', { b: frame('b', 30000) }) });
      // A voice that ended plays what it has without waiting for jitterFrames.
      expectObservable(mixAudio$(voices$, { sampleRate: 8000, scheduler: s }).pipe(map((m) => m.samples[0]), take(1))).toBe('20ms (x|)', { x: 32767 });
    });
  });

  it('bounds a voice that runs ahead: past maxLagFrames its oldest frames are skipped and counted', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const burst$ = cold('(abcde|)', { a: frame('a', 1), b: frame('a', 2), c: frame('a', 3), d: frame('a', 4), e: frame('a', 5) });
      const mix$ = mixAudio$(cold('v', { v: burst$ }), { sampleRate: 8000, maxLagFrames: 2, scheduler: s });
      expectObservable(mix$.pipe(map((m) => `${m.samples[0]}/${m.skippedFrames}`), take(3))).toBe('20ms x 19ms y 19ms (z|)', { x: '4/3', y: '5/3', z: '0/3' });
    });
  });

  // Frame k of a voice comes at 20·k ms ± up to 9 ms (its own timer against the mix clock).
  const jitterMs = [-9, -8, 7, -2, 8, -9, 1, 7, -5, 9, -8, 2, 6, -3, 9, -9, 4, 8, -6, 5];

  it('takes exactly one frame of a voice per tick: jittered arrivals give every frame, in order, once, no silence between', () => {
    const s = newScheduler();
    s.run(({ cold, hot, expectObservable }) => {
      const arrivals = jitterMs.map((jitter, k) => ({ at: 20 + 20 * k + jitter, value: k + 1 }));
      const voice$ = cold('v', { v: cold(`${marbleOf(arrivals)}|`, Object.fromEntries(arrivals.map((a) => [keyOf(a.value), frame('a', a.value)]))) });
      const ticks = jitterMs.length + 2;
      const mix$ = mixAudio$(voice$, { sampleRate: 8000, scheduler: s }).pipe(take(ticks));
      // Ticks at 20, 40…: the voice starts once 2 frames are queued (1 at 11, 2 at 32: tick 40), then
      // plays 1…20 back to back. The old mixer (no buffering) played 1 at 20, 2 at 40, and had a hole
      // at 60 (3 came at 67): 20 ms of silence and the voice a frame late from then on.
      const expected = [0, ...jitterMs.map((_, k) => k + 1), 0].map((v) => `${v}/0/0`).join(',');
      expectObservable(mix$.pipe(map((m) => `${m.samples[0]}/${m.skippedFrames}/${m.underrunFrames}`), toArray(), map((all) => all.join(',')))).toBe(`${20 * ticks}ms (x|)`, { x: expected });
    });
  });

  it('conceals an underrun with silence, counts it, and buffers the voice again', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      // Frames 1, 2 on time, then a 50 ms stall, then 3, 4, 5 at 20 ms again.
      const voice$ = cold('v', { v: cold('15ms a 19ms b 69ms c 19ms d 19ms e', { a: frame('a', 1), b: frame('a', 2), c: frame('a', 3), d: frame('a', 4), e: frame('a', 5) }) });
      const mix$ = mixAudio$(voice$, { sampleRate: 8000, scheduler: s }).pipe(map((m) => `${m.samples[0]}/${m.underrunFrames}`), take(9));
      // 40: buffering; 60: 1; 80: 2; 100: dry (underrun); 120: dry, buffering; 140: 3 alone, buffering; 160: 3 4…
      expectObservable(mix$).toBe('20ms a 19ms b 19ms c 19ms d 19ms e 19ms f 19ms g 19ms h 19ms (i|)', {
        a: '0/0', b: '1/0', c: '2/0', d: '0/1', e: '0/1', f: '0/1', g: '3/1', h: '4/1', i: '5/1',
      });
    });
  });
});

/** A marble diagram with value `k` at each arrival's time (arrivals in order, at least 1 ms apart). */
function marbleOf(arrivals: { at: number; value: number }[]): string {
  let marble = '';
  let now = 0;
  for (const { at, value } of arrivals) {
    const key = keyOf(value);
    if (at > now) marble += ` ${at - now}ms `;
    marble += key;
    now = at + 1;
  }
  return marble;
}

const keyOf = (value: number) => String.fromCharCode(64 + value);
