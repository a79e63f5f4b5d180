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
 * nothing is kept any more. At most `limit` values are kept (the newest): an SFU that floods a
 * connection not adopted yet (MIGRATE waits up to its timeout) cannot grow the process without bound.
 */
import { concat, defer, from, type Observable, type Subscription } from 'rxjs';

/** Most events kept for a connection not adopted yet; far above what a real migration window brings. */
export const MAX_BACKLOG_EVENTS = 10_000;

export function backlogged<T>(source$: Observable<T>, owner: Subscription, limit = MAX_BACKLOG_EVENTS): Observable<T> {
  let backlog: T[] | undefined = [];
  const buffering = source$.subscribe((value) => {
    if (!backlog) return;
    backlog.push(value);
    // Trimmed in halves, so keeping the newest `limit` costs O(1) per value.
    if (backlog.length >= 2 * limit) backlog = backlog.slice(-limit);
  });
  owner.add(buffering);
  return defer(() => {
    const kept = (backlog ?? []).slice(-limit);
    backlog = undefined;
    buffering.unsubscribe();
    return concat(from(kept), source$);
  });
}
