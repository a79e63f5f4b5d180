/**
 * One piece of observable state: a private BehaviorSubject, a public `value$` that only emits
 * changes, a synchronous getter, and a setter that takes a value or `(previous) => next`.
 * The habit of stream-video-js's store, without its subscribe-to-read getters.
 */
import { BehaviorSubject, defer, distinctUntilChanged, of, type Observable } from 'rxjs';

export interface StateField<T> {
  /** Current value first, then every change (compared with `equals`). Completes on `complete()`; after that, emits the final value and completes. */
  readonly value$: Observable<T>;
  /** The current value, read synchronously. */
  get(): T;
  set(next: T | ((previous: T) => T)): void;
  /** Ends `value$` for every subscriber (the call has been left). */
  complete(): void;
}

export function stateField<T>(initial: T, equals: (a: T, b: T) => boolean = Object.is): StateField<T> {
  const subject = new BehaviorSubject<T>(initial);
  // After complete(), a late subscriber still gets the final value (then completion), like a
  // BehaviorSubject would give a live one: `call.state$` after leave says 'left'.
  const value$ = defer(() => (subject.isStopped ? of(subject.getValue()) : subject.pipe(distinctUntilChanged(equals))));
  return {
    value$,
    get: () => subject.getValue(),
    set(next) {
      if (subject.closed || subject.isStopped) return;
      const value = typeof next === 'function' ? (next as (previous: T) => T)(subject.getValue()) : next;
      subject.next(value);
    },
    complete: () => subject.complete(),
  };
}
