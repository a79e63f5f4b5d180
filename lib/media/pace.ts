/**
 * Real-time pacing of PCM: a source that produces audio faster than real time (a TTS engine) is
 * let through at the pace a listener hears it. The queue lives in the operator, so unsubscribing
 * drops it: `utterances$.pipe(switchMap((u) => tts(u).pipe(pace())))` is barge-in.
 */
import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { rxsfuError } from '../errors.js';
import { pcmDurationMs, type PcmFrame } from './audio-frame.js';

/** Options of {@link pace}. */
export interface PaceOptions {
  scheduler?: SchedulerLike;
  /**
   * Most audio held at once, in ms. Past it the source is too far ahead: the stream fails with
   * RXSFU_ERR_AUDIO_OVERFLOW (nothing is dropped silently). @default 120000 (two minutes)
   */
  maxQueueMs?: number;
  /** Each emission drops everything queued (an explicit flush, e.g. when the user starts talking). */
  flush$?: Observable<unknown>;
}

/**
 * Operator: emits each PCM frame when its audio is due: the first at once, each next one when the
 * previous has played (its duration later). After an underrun the clock restarts at the late frame
 * instead of bursting to catch up. Completes once the last queued frame is out.
 *
 * ```
 * source:   (abc)--------|          a, b, c: 20 ms each, all at once
 * pace():   a 19ms b 19ms c|        one every 20 ms, complete after c
 * ```
 */
export function pace<T extends PcmFrame>(options: PaceOptions = {}): MonoTypeOperatorFunction<T> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxQueueMs = options.maxQueueMs ?? 120_000;
  return (source$) =>
    new Observable<T>((subscriber) => {
      const queue: T[] = [];
      let queuedMs = 0;
      let nextDueMs = 0;
      let sourceDone = false;
      let timer: Subscription | undefined;
      const drain = () => {
        timer = undefined;
        while (queue.length > 0 && nextDueMs <= scheduler.now()) {
          const frame = queue.shift()!;
          const duration = pcmDurationMs(frame);
          queuedMs -= duration;
          nextDueMs += duration;
          subscriber.next(frame);
        }
        if (queue.length > 0) timer = scheduler.schedule(drain, nextDueMs - scheduler.now());
        else if (sourceDone) subscriber.complete();
      };
      const flush = options.flush$?.subscribe(() => {
        queue.length = 0;
        queuedMs = 0;
      });
      const subscription = source$.subscribe({
        next: (frame) => {
          const duration = pcmDurationMs(frame);
          if (queuedMs + duration > maxQueueMs) {
            subscriber.error(rxsfuError('RXSFU_ERR_AUDIO_OVERFLOW', `pace: more than ${maxQueueMs} ms of audio queued; the source runs too far ahead`));
            return;
          }
          // Underrun (nothing queued and the last frame has played): the clock restarts now.
          if (queue.length === 0 && nextDueMs < scheduler.now()) nextDueMs = scheduler.now();
          queue.push(frame);
          queuedMs += duration;
          if (!timer) drain();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (queue.length === 0 && !timer) subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        flush?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
