/**
 * Adapter: a werift `Event` (its `.subscribe(execute, complete, error)` returning `{ unSubscribe }`)
 * as a cold Observable of its argument tuples. Unsubscribing detaches the listener, so nothing
 * keeps a closed peer connection alive.
 *
 * ```
 * werift:  --a--b--|            (event.execute(a), ..., event.complete())
 * result:  --a--b--|
 * ```
 */
import { Observable } from 'rxjs';

/** The part of werift's `Event<T>` this adapter uses. */
export interface WeriftEventLike<T extends unknown[]> {
  subscribe(
    execute: (...args: T) => void,
    complete?: () => void,
    error?: (e: unknown) => void,
  ): { unSubscribe(): void };
  ended?: boolean;
}

export function fromWeriftEvent<T extends unknown[]>(event: WeriftEventLike<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    if (event.ended) {
      subscriber.complete();
      return undefined;
    }
    const handle = event.subscribe(
      (...args: T) => subscriber.next(args),
      () => subscriber.complete(),
      (err: unknown) => subscriber.error(err),
    );
    return () => handle.unSubscribe();
  });
}
