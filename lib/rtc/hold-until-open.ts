/**
 * Holds values while a gate is shut and lets them through, in order, once it opens. Used for local
 * ICE candidates: werift fires them before `setLocalDescription` resolves (WERIFT.md pitfall 3),
 * but the SFU must see the description (offer or answer) before any candidate that belongs to it.
 *
 * ```
 * source:  --a--b--------c--d--|
 * open$:   f----------t-----f---      (f = false, t = true; the gate starts shut)
 * result:  -----------(ab)c-----|     (d is held; values still held at completion are dropped)
 * ```
 */
import { MonoTypeOperatorFunction, Observable } from 'rxjs';

export function holdUntilOpen<T>(open$: Observable<boolean>): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let open = false;
      const held: T[] = [];
      const gate = open$.subscribe({
        next: (isOpen) => {
          open = isOpen;
          while (open && held.length > 0 && !subscriber.closed) subscriber.next(held.shift() as T);
        },
        error: (err: unknown) => subscriber.error(err),
      });
      const values = source.subscribe({
        next: (value) => (open ? subscriber.next(value) : held.push(value)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        gate.unsubscribe();
        values.unsubscribe();
      };
    });
}
