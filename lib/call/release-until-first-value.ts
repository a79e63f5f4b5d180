/**
 * Ownership of a resource that an Observable hands over with its first value (a joined connection):
 * until then the Observable owns it and releases it when it fails or is unsubscribed; from the first
 * value on it belongs to whoever received it.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Calls `release(true)` if the source errors before its first value, `release(false)` if it is
 * unsubscribed (or completes) before it; never once a value went through.
 *
 * ```
 * source:  ---v|    → ---v|     release not called
 * source:  ---#     → ---#      release(true) before the error is passed on
 * source:  --- !    → --- !     (unsubscribed) release(false)
 * ```
 */
export function releaseUntilFirstValue<T>(release: (failed: boolean) => void): MonoTypeOperatorFunction<T> {
  return (source) => new Observable<T>((subscriber) => {
    let handedOver = false;
    const subscription = source.subscribe({
      next: (value) => {
        handedOver = true;
        subscriber.next(value);
      },
      error: (error: unknown) => {
        if (!handedOver) release(true);
        handedOver = true;
        subscriber.error(error);
      },
      complete: () => subscriber.complete(),
    });
    return () => {
      subscription.unsubscribe();
      if (!handedOver) release(false);
    };
  });
}
