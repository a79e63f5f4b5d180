/**
 * When is a signaling socket *lost* (so the reconnection layer must act)? A pure function over the
 * connection's input streams, so marble tests drive every case.
 *
 * Rules:
 * - Only after the handshake: before `joined$` a close or error fails the join instead.
 * - A loss is an unexpected close, an error, a heartbeat timeout, or signaling and media silent
 *   together (network dead): the first one wins (`take(1)`),
 *   so an error followed by its close is one loss.
 * - A close we asked for (`closeRequested$`) and anything after a `call_ended` that came after the
 *   handshake (`callEnded$`) is not a loss: the stream completes instead.
 * - The heartbeat timeout (and network dead) is reported *before* the connection closes the socket with 4001, so our
 *   own close cannot swallow it.
 */
import { EMPTY, map, merge, type Observable, switchMap, take, takeUntil } from 'rxjs';
import type { RxsfuError } from '../errors.js';
import type { HeartbeatTimeout } from './health-check.js';
import type { NetworkDead } from './network-dead.js';

/** Why a signaling socket was lost. At most one per connection. */
export interface ConnectionLost {
  /** `network-dead`: the signaling and the media both fell silent (`networkDead$`, issue 13). */
  readonly kind: 'close' | 'error' | 'heartbeat-timeout' | 'network-dead';
  /** The WebSocket close code, for `kind: 'close'`. */
  readonly closeCode?: number;
  /** Human-readable cause (close reason, error message, silence length). Never holds tokens. */
  readonly detail: string;
  /** The typed socket error, for `kind: 'error'` (e.g. `RXSFU_ERR_FRAME_TOO_LARGE`). */
  readonly error?: RxsfuError;
}

/** The streams of one signaling connection that {@link connectionLost$} decides from. */
export interface ConnectionLostInputs {
  /** Emits once the join handshake finished (join_response received). */
  readonly joined$: Observable<unknown>;
  /** Socket `close` events. */
  readonly closes$: Observable<{ readonly code: number; readonly reason: string }>;
  /** Socket `error` events. */
  readonly errors$: Observable<RxsfuError>;
  /** Heartbeat timeouts (see `heartbeatTimeout$`). */
  readonly heartbeatTimeouts$: Observable<HeartbeatTimeout>;
  /** Signaling and media silent together (see `networkDead$`). @default none */
  readonly networkDead$?: Observable<NetworkDead>;
  /** Emits when we closed the connection ourselves (`close()`). */
  readonly closeRequested$: Observable<unknown>;
  /** Emits when the SFU sent `call_ended`. */
  readonly callEnded$: Observable<unknown>;
}

/**
 * At most one {@link ConnectionLost}, per the rules in the file comment.
 *
 * ```
 * joined$:          --j---------
 * errors$:          -------e----
 * closes$:          --------c---
 * closeRequested$:  ------------
 * result:           -------(l|)     l = { kind: 'error' }
 * ```
 */
export function connectionLost$(inputs: ConnectionLostInputs): Observable<ConnectionLost> {
  const losses$ = merge(
    inputs.closes$.pipe(map(closeLoss)),
    inputs.errors$.pipe(map(errorLoss)),
    inputs.heartbeatTimeouts$.pipe(map(heartbeatLoss)),
    (inputs.networkDead$ ?? EMPTY).pipe(map(networkDeadLoss)),
  );
  return inputs.joined$.pipe(
    take(1),
    // Only a call_ended of the joined connection ends the watch: one before join_response (which
    // fails the join) must not leave a joined connection whose loss nobody reports (issue 9).
    switchMap(() => losses$.pipe(takeUntil(inputs.callEnded$))),
    take(1),
    takeUntil(inputs.closeRequested$),
  );
}

function closeLoss({ code, reason }: { code: number; reason: string }): ConnectionLost {
  return { kind: 'close', closeCode: code, detail: `socket closed unexpectedly (${code}${reason ? ` ${reason}` : ''})` };
}

function errorLoss(error: RxsfuError): ConnectionLost {
  return { kind: 'error', detail: error.message, error };
}

function heartbeatLoss({ silentForMs }: HeartbeatTimeout): ConnectionLost {
  return { kind: 'heartbeat-timeout', detail: `no frame for ${silentForMs} ms` };
}

function networkDeadLoss({ silentForMs }: NetworkDead): ConnectionLost {
  return { kind: 'network-dead', detail: `no frame and no media for ${silentForMs} ms` };
}
