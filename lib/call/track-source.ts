/**
 * A local track's source, guarded. The source is the caller's Observable: it may yield anything,
 * throw when subscribed, or error; and werift's `writeRtp` throws on a packet it cannot parse. A
 * throw inside a subscriber's `next` would be rethrown by RxJS on a timer and end the whole process,
 * so every check and every write happens inside the pipeline, where a throw becomes an error
 * notification: one bad value ends that one track with a typed error, never the process.
 */
import { catchError, ignoreElements, map, tap, throwError, type OperatorFunction } from 'rxjs';
import { errorMessage, isRxsfuError, rxsfuError } from '../errors.js';
import { describeValue } from '../validate.js';

/**
 * Checks each element with `isElement`, hands it to `write`, and emits nothing; completes with the
 * source. A rejected element, a throwing `write` or a foreign source error errors with
 * `RXSFU_ERR_TRACK_SOURCE` (`cause`: the original error); an `RxsfuError` of the source (an SDK
 * stage before this one refused its input) passes as it is. Either unsubscribes the source.
 *
 * ```
 * source$: --p--p--x---    x: not an element (or write threw on it)
 * result:  --------#       # RxsfuError RXSFU_ERR_TRACK_SOURCE
 * ```
 */
export function guardTrackSource<T>(
  label: string,
  isElement: (value: unknown) => value is T,
  expected: string,
  write: (element: T) => void,
): OperatorFunction<unknown, never> {
  return (source$) => source$.pipe(
    map((value) => {
      if (!isElement(value)) throw rxsfuError('RXSFU_ERR_TRACK_SOURCE', `${label} source yielded ${describeValue(value)}, not ${expected}`);
      return value;
    }),
    tap(write),
    ignoreElements(),
    // The SDK's own typed errors (a PCM frame at a rate Opus cannot take, a full queue) keep their code.
    catchError((err: unknown) => throwError(() => (isRxsfuError(err) ? err
      : rxsfuError('RXSFU_ERR_TRACK_SOURCE', `${label} source failed: ${errorMessage(err)}`, { cause: err })))),
  );
}
