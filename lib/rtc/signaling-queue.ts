/**
 * One ordered signaling queue per peer connection. werift (like browsers) misbehaves when
 * descriptions and candidates interleave: candidates applied before their description are rejected
 * during an ICE restart, and two offers handled at once corrupt the transceiver state
 * (shared/reference/WERIFT.md, pitfall 3). Every signaling step of a connection therefore runs
 * through one `concatMap`: strictly one at a time, in the order they were asked for.
 *
 * ```
 * run$(a):  a-task  ---x|          (a's work: one value, then complete)
 * run$(b):  b-task        ---y|    (b starts only when a has finished)
 * ```
 *
 * A failing task fails only its own caller; the queue keeps going. Unsubscribing from a waiting
 * task drops it before it runs; unsubscribing from a running task cancels its work. `close()`
 * cancels everything and fails every caller still waiting with RXSFU_ERR_WEBRTC, so no caller
 * waits forever on a closed connection.
 */
import { concatMap, defer, EMPTY, Observable, Subject, Subscription, catchError, takeUntil, tap } from 'rxjs';
import { rxsfuError } from '../errors.js';

export interface SignalingQueue {
  /**
   * Cold: on subscribe, `work` waits behind every earlier task, then runs; its values, error and
   * completion reach this subscriber. After `close()` it fails with RXSFU_ERR_WEBRTC.
   */
  run$<T>(name: string, work: () => Observable<T>): Observable<T>;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** Cancels the running task and fails it and every waiting one with RXSFU_ERR_WEBRTC. Idempotent. */
  close(): void;
}

export function createSignalingQueue(): SignalingQueue {
  const tasks = new Subject<Observable<unknown>>();
  const runner: Subscription = tasks.pipe(concatMap((task) => task)).subscribe();
  const closing = new Subject<void>();
  let closed = false;

  function run$<T>(name: string, work: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (closed) {
        subscriber.error(rxsfuError('RXSFU_ERR_WEBRTC', `signaling step "${name}" after the connection was closed`));
        return undefined;
      }
      const cancel = new Subject<void>();
      let cancelled = false;
      const task = defer(() => (cancelled ? EMPTY : work())).pipe(
        takeUntil(cancel),
        tap(subscriber),
        // The caller got the error through `tap`; the queue itself must survive it.
        catchError(() => EMPTY),
      );
      const onClose = closing.subscribe(() =>
        subscriber.error(rxsfuError('RXSFU_ERR_WEBRTC', `signaling step "${name}" cancelled: connection closed`)),
      );
      tasks.next(task);
      return () => {
        cancelled = true;
        onClose.unsubscribe();
        cancel.next();
      };
    });
  }

  return {
    run$,
    get closed() {
      return closed;
    },
    close() {
      if (closed) return;
      closed = true;
      closing.next();
      closing.complete();
      tasks.complete();
      runner.unsubscribe();
    },
  };
}
