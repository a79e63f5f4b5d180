/**
 * A hot stream with a backlog: everything it emits from now until the first subscription is kept
 * and replayed to that subscriber, then it is live. Later subscribers get live values only.
 * Used for a connection's SFU events, which a MIGRATE adopts only once the migration completes.
 *
 * ```
 * source:        --a--b----c--d--
 * subscribe:           ^ (first, at 7)
 * first:         ------(ab)c--d--
 * ```
 *
 * The buffering subscription belongs to `owner`: when the owner ends (the connection is disposed)
 * nothing is kept any more.
 */
import { concat, defer, from, type Observable, type Subscription } from 'rxjs';

export function backlogged<T>(source$: Observable<T>, owner: Subscription): Observable<T> {
  let backlog: T[] | undefined = [];
  const buffering = source$.subscribe((value) => backlog?.push(value));
  owner.add(buffering);
  return defer(() => {
    const kept = backlog ?? [];
    backlog = undefined;
    buffering.unsubscribe();
    return concat(from(kept), source$);
  });
}
