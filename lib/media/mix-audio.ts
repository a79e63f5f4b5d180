/**
 * Mixing: several voices' PCM frames onto one clock. Each voice's frames queue up as they come; a
 * tick every `frameMs` on the scheduler takes the oldest frame of every voice that has one, sums
 * them (saturating at 16 bits) and emits the mix; silence when nobody has anything. A voice that
 * runs ahead is bounded: past `maxLagFrames` queued, its oldest frames are skipped and counted.
 */
import { Observable, asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { AudioFrame, OpusSampleRate } from './audio-frame.js';

/** Options of {@link mixAudio$}. */
export interface MixOptions {
  /** Every voice must be at this rate (ask each `audio$` for it). @default 48000 */
  sampleRate?: OpusSampleRate;
  /** @default 1 */
  channels?: 1 | 2;
  /** @default 20 */
  frameMs?: number;
  /** Frames queued per voice before the oldest are skipped (latency bound). @default 10 */
  maxLagFrames?: number;
  scheduler?: SchedulerLike;
}

/** One tick of the mix. */
export interface MixedFrame<P> {
  readonly samples: Int16Array;
  readonly sampleRate: OpusSampleRate;
  readonly channels: 1 | 2;
  /** `frameMs` per tick since the subscription started. */
  readonly timestampMs: number;
  /** Whose frames are in it (none: silence). */
  readonly speakers: readonly P[];
  /** Frames skipped so far because a voice ran more than `maxLagFrames` ahead. */
  readonly skippedFrames: number;
}

interface Voice<P> { queue: AudioFrame<P>[]; done: boolean; subscription?: Subscription }

/** Adds `frame` into `mix`, saturating. */
function addInto(mix: Int32Array, frame: Int16Array): void {
  const n = Math.min(mix.length, frame.length);
  for (let i = 0; i < n; i++) mix[i]! += frame[i]!;
}

function saturate(mix: Int32Array): Int16Array {
  const out = new Int16Array(mix.length);
  for (let i = 0; i < mix.length; i++) out[i] = Math.max(-32768, Math.min(32767, mix[i]!));
  return out;
}

/**
 * Mixes the voices `voices$` announces (each an Observable of frames; it leaves the mix when it
 * completes) on one clock. Never completes by itself.
 *
 * ```
 * voices$: a-----b---------     a: 1 1 1 …, b: 2 2 …  (each a voice's frames, every 20 ms)
 * mix:     -s-s-s-s-s-s-s-s     s: at the end of each 20 ms, the sum of the frames that came
 *                               during it (one per voice); silence when none
 * ```
 */
export function mixAudio$<P>(voices$: Observable<Observable<AudioFrame<P>>>, options: MixOptions = {}): Observable<MixedFrame<P>> {
  const sampleRate = options.sampleRate ?? 48000;
  const channels = options.channels ?? 1;
  const frameMs = options.frameMs ?? 20;
  const maxLag = options.maxLagFrames ?? 10;
  const scheduler = options.scheduler ?? asyncScheduler;
  const length = (sampleRate * frameMs * channels) / 1000;
  return new Observable<MixedFrame<P>>((subscriber) => {
    const voices = new Set<Voice<P>>();
    let skippedFrames = 0;
    let tick = 0;
    const start = scheduler.now();
    const outer = voices$.subscribe({
      next: (frames$) => {
        const voice: Voice<P> = { queue: [], done: false };
        voices.add(voice);
        voice.subscription = frames$.subscribe({
          next: (frame) => {
            voice.queue.push(frame);
            while (voice.queue.length > maxLag) {
              voice.queue.shift();
              skippedFrames++;
            }
          },
          // A voice that ends still plays what it queued.
          error: () => (voice.done = true),
          complete: () => (voice.done = true),
        });
      },
      error: (err: unknown) => subscriber.error(err),
    });
    const emit = () => {
      const mix = new Int32Array(length);
      const speakers: P[] = [];
      for (const voice of voices) {
        const frame = voice.queue.shift();
        if (voice.done && voice.queue.length === 0) voices.delete(voice);
        if (!frame) continue;
        addInto(mix, frame.samples);
        speakers.push(frame.participant);
      }
      subscriber.next({ samples: saturate(mix), sampleRate, channels, timestampMs: tick * frameMs, speakers, skippedFrames });
      tick++;
    };
    // Tick n mixes what arrived during [n·frameMs, (n+1)·frameMs) and is due at its end; drift-free:
    // each is due at start + (n+1)·frameMs, whatever the timer's lateness.
    const dueOf = (n: number) => start + (n + 1) * frameMs;
    const clock = scheduler.schedule(function (this: { schedule(state: undefined, delay: number): void }) {
      while (dueOf(tick) <= scheduler.now()) emit();
      this.schedule(undefined, Math.max(0, dueOf(tick) - scheduler.now()));
    }, frameMs);
    return () => {
      clock.unsubscribe();
      outer.unsubscribe();
      for (const voice of voices) voice.subscription?.unsubscribe();
    };
  });
}
