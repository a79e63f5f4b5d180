/**
 * The join handshake's outcome as a pure pipeline: the socket must open within `openTimeoutMs`,
 * then a `join_response` must arrive within `joinTimeoutMs`. Sending the JoinRequest is the
 * connection's job (it goes out first, at open); this file only decides success or failure.
 *
 * ```
 * opened$:         ---o------------        (openTimeoutMs = 5, joinTimeoutMs = 4)
 * events$:         ------r---------        r = { joinResponse }
 * result:          ------(R|)
 *
 * opened$:         ----------------
 * result:          -----#                  # = RXSFU_ERR_SOCKET_OPEN_TIMEOUT
 * ```
 */
import { asyncScheduler, filter, merge, mergeMap, type Observable, of, type SchedulerLike, take, throwError, timeout } from 'rxjs';
import { rxsfuError, type RxsfuError } from '../errors.js';
import type { JoinResponse, SfuEvent } from '../protocol/index.js';
import { foreignText } from '../foreign-text.js';

export interface JoinHandshakeInputs {
  /** Emits when the socket is open (replay it if it may already be open). */
  readonly opened$: Observable<unknown>;
  /** Decoded SFU events (hot). */
  readonly events$: Observable<SfuEvent>;
  /** Anything that ends the socket before the join finished: socket errors, closes, our own close. */
  readonly failures$: Observable<RxsfuError>;
}

export interface JoinHandshakeOptions {
  /** Time for the socket to open. @default 5000 */
  readonly openTimeoutMs?: number;
  /** Time for the `join_response`, counted from the open (when the JoinRequest goes out). @default 5000 */
  readonly joinTimeoutMs?: number;
  /** Clock for both timeouts. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/**
 * One `JoinResponse`, or an RxsfuError: `RXSFU_ERR_SOCKET_OPEN_TIMEOUT`, `RXSFU_ERR_JOIN_TIMEOUT`,
 * `RXSFU_ERR_JOIN_REJECTED` (the SFU sent `error`; `sfuErrorCode`, `reconnectStrategy` and
 * `shouldRetry` kept), `RXSFU_ERR_CALL_ENDED` (`call_ended` came first), or whatever `failures$`
 * reports first.
 */
export function joinHandshake$(inputs: JoinHandshakeInputs, options: JoinHandshakeOptions = {}): Observable<JoinResponse> {
  const { openTimeoutMs = 5000, joinTimeoutMs = 5000, scheduler = asyncScheduler } = options;
  const opened$ = inputs.opened$.pipe(
    take(1),
    timeout({ first: openTimeoutMs, scheduler, with: () => fail('RXSFU_ERR_SOCKET_OPEN_TIMEOUT', `signaling socket not open after ${openTimeoutMs} ms`) }),
  );
  const answer$ = inputs.events$.pipe(
    filter((event) => event.eventPayload === 'joinResponse' || event.eventPayload === 'error' || event.eventPayload === 'callEnded'),
    take(1),
    timeout({ first: joinTimeoutMs, scheduler, with: () => fail('RXSFU_ERR_JOIN_TIMEOUT', `no join_response after ${joinTimeoutMs} ms`) }),
    mergeMap(joinAnswer),
  );
  const failed$ = inputs.failures$.pipe(mergeMap((error) => throwError(() => error)));
  return merge(opened$.pipe(mergeMap(() => answer$)), failed$).pipe(take(1));
}

/** The SFU's answer to the JoinRequest, as a value or a JOIN_REJECTED error. */
function joinAnswer(event: SfuEvent): Observable<JoinResponse> {
  if (event.joinResponse) return of(event.joinResponse);
  // The call ended while we joined: final (R9), never a connection to keep.
  if (event.eventPayload === 'callEnded') return throwError(() => rxsfuError('RXSFU_ERR_CALL_ENDED', 'the call ended before the join was answered'));
  const sfuError = event.error?.error;
  return throwError(() =>
    rxsfuError('RXSFU_ERR_JOIN_REJECTED', `SFU rejected the join: ${foreignText(sfuError?.message) || 'no message'}`, {
      sfuErrorCode: sfuError?.code ?? undefined,
      shouldRetry: sfuError?.shouldRetry ?? undefined,
      reconnectStrategy: event.error?.reconnectStrategy ?? undefined,
    }),
  );
}

function fail(code: 'RXSFU_ERR_SOCKET_OPEN_TIMEOUT' | 'RXSFU_ERR_JOIN_TIMEOUT', message: string): Observable<never> {
  return throwError(() => rxsfuError(code, message));
}
