/**
 * Batching for bursts: values that arrive before the scheduler's next turn are emitted together.
 * An SFU may send thousands of events in one burst (a big call's joins); the participant map and
 * everything derived from it (subscriptions, track pruning, the media-stall check) then change once
 * per burst instead of once per event, so a burst costs linear time, not quadratic.
 */
import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Emits the values that arrived since the last batch, as one array, at the scheduler's next turn
 * (`scheduler.schedule(…, 0)`). Error and completion first emit what is pending.
 *
 * ```
 * source: (abc)-d--(e|)      a, b, c in one turn (one virtual frame)
 * result: x-----y--(z|)      x = [a, b, c] at the end of that turn, y = [d], z = [e] flushed by completion
 * ```
 */
export function coalesceTurn<T>(scheduler: SchedulerLike): OperatorFunction<T, T[]> {
  return (source$) => new Observable<T[]>((subscriber) => {
    let pending: T[] = [];
    let flush: Subscription | undefined;
    // A flag, not `flush`: a scheduler may run the action inside `schedule` (queueScheduler).
    let scheduled = false;
    const emit = () => {
      scheduled = false;
      const batch = pending;
      pending = [];
      if (batch.length > 0) subscriber.next(batch);
    };
    const subscription = source$.subscribe({
      next: (value) => {
        pending.push(value);
        if (scheduled) return;
        scheduled = true;
        flush = scheduler.schedule(emit, 0);
      },
      error: (err: unknown) => {
        flush?.unsubscribe();
        emit();
        subscriber.error(err);
      },
      complete: () => {
        flush?.unsubscribe();
        emit();
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      flush?.unsubscribe();
    };
  });
}
