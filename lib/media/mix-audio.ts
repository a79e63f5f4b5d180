/**
 * Mixing: several voices' PCM frames onto one clock. Each voice's frames arrive on its own clock
 * (its jitter buffer's timer), jittered against the mix clock by a few ms, so each voice is buffered
 * a little: it starts playing once `jitterFrames` are queued, then every tick takes exactly one
 * frame from it. Playing straight from an empty queue (the old way) let a frame that came a few ms
 * after its tick miss it: the voice got 20 ms of silence and shifted by a frame in the mix, a click
 * that broke the tone's phase. An empty queue while playing (underrun) contributes silence, is
 * counted, and the voice buffers again; past `maxLagFrames` queued (overrun) the oldest frames are
 * skipped and counted. The mix sums (saturating at 16 bits); silence when nobody has anything.
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
  /**
   * Frames a voice buffers before it plays, at its start and after an underrun: the margin against
   * its frames arriving jittered relative to the mix clock (adds `(jitterFrames - 1) · frameMs` of
   * latency). @default 2
   */
  jitterFrames?: number;
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
  /** Frames skipped so far because a voice ran more than `maxLagFrames` ahead (overrun). */
  readonly skippedFrames: number;
  /** Ticks so far at which a playing voice had no frame and was filled with silence (underrun). */
  readonly underrunFrames: number;
  /** Voice frames mixed so far that their own jitter buffer concealed (`AudioFrame.concealed`). */
  readonly concealedFrames: number;
}

interface Voice<P> { queue: AudioFrame<P>[]; done: boolean; playing: boolean; subscription?: Subscription }

/**
 * The voice's frame for this tick: exactly one once it plays; none while it buffers (up to
 * `jitterFrames` queued, or all it has left once it ended). `underrun` when a playing voice ran dry.
 */
function takeFrame<P>(voice: Voice<P>, jitterFrames: number): { frame?: AudioFrame<P>; underrun: boolean } {
  if (!voice.playing && (voice.queue.length >= jitterFrames || (voice.done && voice.queue.length > 0))) voice.playing = true;
  if (!voice.playing) return { underrun: false };
  const frame = voice.queue.shift();
  if (frame) return { frame, underrun: false };
  voice.playing = false;
  return { underrun: !voice.done };
}

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
 * mix:     -s-s-s-s-s-s-s-s     s: at the end of each 20 ms, the sum of one frame per playing
 *                               voice (each plays once `jitterFrames` are queued); silence when none
 * ```
 */
export function mixAudio$<P>(voices$: Observable<Observable<AudioFrame<P>>>, options: MixOptions = {}): Observable<MixedFrame<P>> {
  const sampleRate = options.sampleRate ?? 48000;
  const channels = options.channels ?? 1;
  const frameMs = options.frameMs ?? 20;
  const maxLag = options.maxLagFrames ?? 10;
  const jitterFrames = Math.max(1, Math.min(maxLag, Math.floor(options.jitterFrames ?? 2)));
  const scheduler = options.scheduler ?? asyncScheduler;
  const length = (sampleRate * frameMs * channels) / 1000;
  return new Observable<MixedFrame<P>>((subscriber) => {
    const voices = new Set<Voice<P>>();
    let skippedFrames = 0;
    let underrunFrames = 0;
    let concealedFrames = 0;
    let tick = 0;
    const start = scheduler.now();
    const outer = voices$.subscribe({
      next: (frames$) => {
        const voice: Voice<P> = { queue: [], done: false, playing: false };
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
        const { frame, underrun } = takeFrame(voice, jitterFrames);
        if (underrun) underrunFrames++;
        if (voice.done && voice.queue.length === 0) voices.delete(voice);
        if (!frame) continue;
        if (frame.concealed) concealedFrames++;
        addInto(mix, frame.samples);
        speakers.push(frame.participant);
      }
      subscriber.next({ samples: saturate(mix), sampleRate, channels, timestampMs: tick * frameMs, speakers, skippedFrames, underrunFrames, concealedFrames });
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
