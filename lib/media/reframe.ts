/**
 * Re-cuts a continuous PCM stream into fixed-duration frames on a sample-exact clock: frame n starts
 * at sample n·frameSamples, so `timestampMs` never drifts or skips (unless a chunk reports `gapMs`).
 */
import { Observable, type OperatorFunction } from 'rxjs';

/** Continuous PCM in. */
export interface PcmPiece {
  readonly samples: Int16Array;
  readonly concealed: boolean;
  readonly gapMs?: number;
}

/** Fixed-size PCM out. */
export interface TimedPcm<T extends PcmPiece> {
  readonly samples: Int16Array;
  readonly concealed: boolean;
  readonly timestampMs: number;
  readonly gapMs?: number;
  /** The last input piece that contributed (for its counters). */
  readonly last: T;
}

export interface ReframeOptions {
  sampleRate: number;
  channels: 1 | 2;
  frameMs: number;
}

/**
 * Operator: PCM pieces of any length → frames of exactly `frameMs`. A remainder shorter than a frame
 * is dropped at completion (it is not a whole frame).
 *
 * ```
 * in (ms of audio):   -[30]-[10]-[20]-|       frameMs 20
 * out:                -a----b----c----|       a: 0 ms, b: 20 ms, c: 40 ms
 * ```
 */
export function reframe<T extends PcmPiece>(options: ReframeOptions): OperatorFunction<T, TimedPcm<T>> {
  const frameSamples = (options.sampleRate * options.frameMs) / 1000;
  const frameLength = frameSamples * options.channels;
  return (source$) =>
    new Observable<TimedPcm<T>>((subscriber) => {
      let buffer = new Int16Array(frameLength);
      let filled = 0;
      let concealed = false;
      let startMs = 0;
      let pendingGapMs = 0;
      return source$.subscribe({
        next: (piece) => {
          if (piece.gapMs) {
            startMs += piece.gapMs;
            pendingGapMs += piece.gapMs;
          }
          let offset = 0;
          while (offset < piece.samples.length) {
            const take = Math.min(frameLength - filled, piece.samples.length - offset);
            buffer.set(piece.samples.subarray(offset, offset + take), filled);
            filled += take;
            offset += take;
            concealed ||= piece.concealed;
            if (filled < frameLength) break;
            const gapMs = pendingGapMs > 0 ? pendingGapMs : undefined;
            subscriber.next({ samples: buffer, concealed, timestampMs: startMs, last: piece, ...(gapMs ? { gapMs } : {}) });
            startMs += options.frameMs;
            buffer = new Int16Array(frameLength);
            filled = 0;
            concealed = false;
            pendingGapMs = 0;
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
