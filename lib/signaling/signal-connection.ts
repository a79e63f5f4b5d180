/**
 * One signaling socket to one SFU, from the join handshake to its close. The call layer makes one
 * per socket (a FAST reconnect makes a new one and closes the old with 4100).
 *
 * Everything that decides (handshake timeouts, health checks, heartbeat, loss) is a pure pipeline
 * from its own file; this file only wires them to the socket and to the four imperative entry
 * points the contract asks for (`join$`, `send`, `close`, and the hot streams).
 */
import {
  asyncScheduler,
  distinctUntilChanged,
  filter,
  map,
  merge,
  Observable,
  ReplaySubject,
  type SchedulerLike,
  startWith,
  Subject,
  Subscription,
  switchMap,
  take,
  defer,
  throwError,
} from 'rxjs';
import type { ClientOptions } from 'ws';
import { rxsfuError, type ProtocolError, type RxsfuError } from '../errors.js';
import type { Logger } from '../logger.js';
import { encodeSfuRequest, type JoinRequest, type JoinResponse, type SfuEvent, type SfuRequestInit } from '../protocol/index.js';
import { SignalCloseCode } from './close-codes.js';
import { connectionLost$, type ConnectionLost } from './connection-lost.js';
import { DEFAULT_HEALTH_CHECK_INTERVAL_MS, DEFAULT_UNHEALTHY_AFTER_MS, healthCheckRequests$, heartbeatTimeout$ } from './health-check.js';
import { joinHandshake$ } from './join-handshake.js';
import { DEFAULT_NETWORK_DEAD_AFTER_MS, networkDead$ } from './network-dead.js';
import { sfuEvents$, type SignalFrame } from './sfu-events.js';
import type { CloseRequest } from './web-socket.js';
import { foreignText } from '../foreign-text.js';
import { durationOption, methodsOption } from '../validate.js';

/** Where a signaling connection is: `closed` is final. */
export type SignalState = 'connecting' | 'open' | 'joined' | 'closed';

/** The logger calls signaling makes. Messages carry ids and reasons only, never the JoinRequest. */
export type SignalLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

/** Options of {@link createSignalConnection}. */
export interface SignalConnectionOptions {
  /** The SFU's WebSocket endpoint (`credentials.server.wsEndpoint`). */
  url: string;
  /** Time for the socket to open. @default 5000 */
  openTimeoutMs?: number;
  /** Time for the `join_response` once the JoinRequest went out. @default 5000 */
  joinTimeoutMs?: number;
  /** Time between health-check requests once joined. @default 1000 (DEFAULT_HEALTH_CHECK_INTERVAL_MS) */
  healthCheckIntervalMs?: number;
  /** Silence (no frame of any kind) after which the socket is unhealthy: loss, then close 4001. @default 2500 (DEFAULT_UNHEALTHY_AFTER_MS) */
  unhealthyAfterMs?: number;
  /**
   * Signs of life of the media path of this call (a value per inbound RTP or RTCP packet on either
   * peer connection). With them, signaling and media silent together for `networkDeadAfterMs` is a
   * loss (`network-dead`), sooner than the heartbeat. @default none (the heartbeat alone decides)
   */
  mediaHeard$?: Observable<unknown>;
  /** Signaling and media silent together this long (ms) is a loss; 0 disables. @default 1500 (DEFAULT_NETWORK_DEAD_AFTER_MS) */
  networkDeadAfterMs?: number;
  /** Clock for every timeout and interval. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** Where to log. @default silent */
  logger?: SignalLogger;
  /** Extra `ws` client options, e.g. `{ headers }`. @default {} */
  wsOptions?: ClientOptions;
}

/** One signaling socket to one SFU: its join, its events, its loss, and our sends and close. */
export interface SignalConnection {
  /** Hot: every decoded SFU event, in order. Completes when the connection closes. */
  readonly events$: Observable<SfuEvent>;
  /** At most one value per connection (replayed to late subscribers); completes when closed. */
  readonly connectionLost$: Observable<ConnectionLost>;
  /** Current state first, then changes; replays `closed` after the end. */
  readonly state$: Observable<SignalState>;
  /** Frames that did not decode. The socket stays up; later frames keep flowing. */
  readonly protocolErrors$: Observable<ProtocolError>;
  /** Hot: a value per sign of life of the socket (each frame, each chunk of bytes its TCP socket read). Completes when closed. */
  readonly heard$: Observable<void>;
  /** Opens if needed, sends the JoinRequest first, emits the JoinResponse once. One join per connection. */
  join$(request: JoinRequest): Observable<JoinResponse>;
  /** Queued (in order, after the JoinRequest) until open. Throws RXSFU_ERR_SOCKET_CLOSED after close. */
  send(request: SfuRequestInit): void;
  /** Our own close: never a loss. Closes the socket with `code`; idempotent. */
  close(code: number, reason: string): void;
}

const silent: SignalLogger = { debug() {}, info() {}, warn() {} };

/** See {@link SignalConnection}. Nothing opens until `join$` is subscribed. */
export function createSignalConnection(options: SignalConnectionOptions): SignalConnection {
  // Durations Node would clamp (Infinity, 2**31, NaN, negative) are refused here, once (issue 10).
  for (const name of ['openTimeoutMs', 'joinTimeoutMs', 'healthCheckIntervalMs', 'unhealthyAfterMs'] as const) {
    durationOption(name, options[name], 1, 1);
  }
  durationOption('networkDeadAfterMs', options.networkDeadAfterMs, 1, 1, true);
  // A logger without its methods would throw later, inside a socket callback.
  methodsOption('logger', options.logger, ['debug', 'info', 'warn'], undefined);
  return new SignalConnectionImpl(options);
}

class SignalConnectionImpl implements SignalConnection {
  private readonly frames = new Subject<SignalFrame>();
  private readonly bytesRead = new Subject<number>();
  private readonly state = new ReplaySubject<SignalState>(1);
  private readonly lost = new ReplaySubject<ConnectionLost>(1);
  private readonly joined = new ReplaySubject<JoinResponse>(1);
  private readonly outgoing = new Subject<Uint8Array>();
  private readonly closeRequests = new ReplaySubject<CloseRequest>(1);
  private readonly closeRequested = new Subject<void>();
  private readonly lifecycle = new Subscription();
  private readonly log: SignalLogger;
  private readonly scheduler: SchedulerLike;
  private current: SignalState = 'connecting';
  private pending: Uint8Array[] = [];
  private socket?: Subscription;
  private joinStarted = false;

  readonly events$: Observable<SfuEvent>;
  readonly connectionLost$ = this.lost.asObservable();
  readonly state$ = this.state.pipe(distinctUntilChanged());
  readonly protocolErrors$: Observable<ProtocolError>;
  readonly heard$: Observable<void>;

  constructor(private readonly options: SignalConnectionOptions) {
    this.log = options.logger ?? silent;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.state.next('connecting');
    const events = new Subject<SfuEvent>();
    this.events$ = events.asObservable();
    const protocolErrors = new Subject<ProtocolError>();
    this.protocolErrors$ = protocolErrors.asObservable();
    this.heard$ = merge(this.frames.pipe(filter(isFrame)), this.bytesRead).pipe(map(() => undefined));
    this.lifecycle.add(this.frames.pipe(eventsOf).subscribe(events));
    this.lifecycle.add(this.frames.pipe(malformedOf).subscribe(protocolErrors));
    this.lifecycle.add(this.watchLoss());
    this.lifecycle.add(this.watchHealth());
  }

  join$(request: JoinRequest): Observable<JoinResponse> {
    return defer(() => {
      if (this.current === 'closed') return throwError(() => closedError('join$ on a closed signal connection'));
      if (this.joinStarted) return throwError(() => rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'join$ was already called on this signal connection'));
      this.joinStarted = true;
      return this.runJoin(request);
    });
  }

  send(request: SfuRequestInit): void {
    if (this.current === 'closed') throw closedError('send after the signal connection closed');
    this.write(encodeRequest(request), 'last');
  }

  close(code: number, reason: string): void {
    if (this.current === 'closed') return;
    this.log.debug('signal: closing', { code, reason });
    // Socket first: a join in progress fails on closeRequested and would close with 4101 instead.
    this.closeSocket({ code, reason });
    this.closeRequested.next();
    this.finish();
  }

  /** Subscribes the handshake before anything goes out, so no answer can be missed. */
  private runJoin(request: JoinRequest): Observable<JoinResponse> {
    return new Observable<JoinResponse>((subscriber) => {
      const handshake = joinHandshake$(
        { opened$: this.opened$(), events$: this.frames.pipe(eventsOf), failures$: this.joinFailures$() },
        { openTimeoutMs: this.options.openTimeoutMs, joinTimeoutMs: this.options.joinTimeoutMs, scheduler: this.scheduler },
      ).subscribe({
        next: (response) => {
          this.setState('joined');
          this.log.info('signal: joined', { reconnected: response.reconnected ?? false });
          this.joined.next(response);
          subscriber.next(response);
        },
        error: (err: RxsfuError) => {
          this.log.warn('signal: join failed', { code: err.code, message: err.message });
          this.endAfterFailedJoin('join failed');
          subscriber.error(err);
        },
        complete: () => subscriber.complete(),
      });
      this.write(encodeRequest({ joinRequest: request }), 'first');
      this.openSocket();
      return () => {
        handshake.unsubscribe();
        if (this.current !== 'joined') this.endAfterFailedJoin('join abandoned');
      };
    });
  }

  /** A connection whose join failed is useless: close with 4101 and end it now (don't wait for the peer). */
  private endAfterFailedJoin(reason: string): void {
    if (this.current === 'closed') return;
    this.closeSocket({ code: SignalCloseCode.JOIN_FAILED, reason });
    this.finish();
  }

  private opened$(): Observable<unknown> {
    return this.state.pipe(filter((s) => s === 'open' || s === 'joined'));
  }

  /** What fails a join in progress: an error, a close (ours or theirs). */
  private joinFailures$(): Observable<RxsfuError> {
    return merge(
      this.frames.pipe(map((f) => (f.kind === 'error' ? f.error : f.kind === 'close' ? socketClosedError(f) : undefined))),
      this.closeRequested.pipe(map(() => closedError('signal connection closed during the join'))),
    ).pipe(filter((err): err is RxsfuError => err !== undefined));
  }

  private watchLoss(): Subscription {
    // Signs of life from the join on: any frame, or bytes of one still arriving.
    const signs$ = this.heard$.pipe(startWith(undefined));
    const afterJoin = <T>(watch: () => Observable<T>) => this.joined.pipe(take(1), switchMap(watch));
    const deadAfterMs = this.options.networkDeadAfterMs ?? DEFAULT_NETWORK_DEAD_AFTER_MS;
    const media$ = this.options.mediaHeard$;
    return connectionLost$({
      joined$: this.joined,
      closes$: this.frames.pipe(filter((f) => f.kind === 'close')),
      errors$: this.frames.pipe(filter((f) => f.kind === 'error'), map((f) => f.error)),
      heartbeatTimeouts$: afterJoin(() => heartbeatTimeout$(signs$, this.unhealthyAfterMs, this.scheduler)),
      networkDead$: media$ && deadAfterMs > 0 ? afterJoin(() => networkDead$(signs$, media$, deadAfterMs, this.scheduler)) : undefined,
      closeRequested$: this.closeRequested,
      callEnded$: this.frames.pipe(eventsOf, filter((e) => e.eventPayload === 'callEnded')),
    }).subscribe((loss) => {
      this.log.warn('signal: connection lost', { kind: loss.kind, closeCode: loss.closeCode, detail: loss.detail });
      this.lost.next(loss);
      // Reported first, closed second: our own 4001 close must not swallow the loss. A silent peer
      // may never answer the close frame, so the connection ends now, not when ws gives up on it.
      if ((loss.kind === 'heartbeat-timeout' || loss.kind === 'network-dead') && this.current !== 'closed') {
        this.closeSocket({ code: SignalCloseCode.UNHEALTHY, reason: 'unhealthy' });
        this.finish();
      }
    });
  }

  private watchHealth(): Subscription {
    const interval = this.options.healthCheckIntervalMs ?? DEFAULT_HEALTH_CHECK_INTERVAL_MS;
    return healthCheckRequests$(this.joined, interval, this.scheduler).subscribe((request) => {
      if (this.current === 'joined') this.write(encodeRequest(request), 'last');
    });
  }

  private get unhealthyAfterMs(): number {
    return this.options.unhealthyAfterMs ?? DEFAULT_UNHEALTHY_AFTER_MS;
  }

  private openSocket(): void {
    if (this.socket || this.current === 'closed') return;
    this.log.debug('signal: opening socket');
    this.socket = sfuEvents$(this.options.url, {
      outgoing$: this.outgoing,
      close$: this.closeRequests,
      unsubscribeCloseCode: SignalCloseCode.LEAVE,
      wsOptions: this.options.wsOptions,
      bytesRead: this.bytesRead,
    }).subscribe({
      next: (frame) => this.onFrame(frame),
      error: (error: RxsfuError) => {
        this.frames.next({ kind: 'error', error });
        this.finish();
      },
      complete: () => this.finish(),
    });
  }

  private onFrame(frame: SignalFrame): void {
    if (frame.kind === 'open') {
      this.setState('open');
      const queued = this.pending;
      this.pending = [];
      queued.forEach((bytes) => this.outgoing.next(bytes));
    } else if (frame.kind === 'malformed') {
      this.log.warn('signal: malformed frame', { byteLength: frame.error.byteLength, message: frame.error.message });
    } else if (frame.kind === 'error') {
      this.log.warn('signal: socket error', { message: foreignText(frame.error.message) });
    } else if (frame.kind === 'close') {
      this.log.debug('signal: socket closed', { code: frame.code, reason: frame.reason });
    }
    this.frames.next(frame);
  }

  /** Sends now when open, otherwise queues (`first`: ahead of everything queued). */
  private write(bytes: Uint8Array, where: 'first' | 'last'): void {
    if (this.current === 'open' || this.current === 'joined') this.outgoing.next(bytes);
    else if (where === 'first') this.pending.unshift(bytes);
    else this.pending.push(bytes);
  }

  private closeSocket(request: CloseRequest): void {
    this.closeRequests.next(request);
  }

  /** The end: state `closed`, every hot stream completes. The socket finishes its close on its own. */
  private finish(): void {
    if (this.current === 'closed') return;
    this.setState('closed');
    this.pending = [];
    this.frames.complete();
    this.bytesRead.complete();
    this.lifecycle.unsubscribe();
    this.lost.complete();
    this.joined.complete();
    this.state.complete();
    if (!this.socket) this.closeRequests.complete();
  }

  private setState(next: SignalState): void {
    this.current = next;
    this.state.next(next);
  }
}

function eventsOf(frames$: Observable<SignalFrame>): Observable<SfuEvent> {
  return frames$.pipe(filter((f) => f.kind === 'event'), map((f) => f.event));
}

function malformedOf(frames$: Observable<SignalFrame>): Observable<ProtocolError> {
  return frames$.pipe(filter((f) => f.kind === 'malformed'), map((f) => f.error));
}

/** A frame from the SFU, decodable or not: what proves the socket alive. */
function isFrame(frame: SignalFrame): boolean {
  return frame.kind === 'event' || frame.kind === 'malformed';
}

function encodeRequest(request: SfuRequestInit): Uint8Array {
  try {
    return encodeSfuRequest(request);
  } catch (cause) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'SfuRequest does not encode', { cause });
  }
}

function closedError(message: string): RxsfuError {
  return rxsfuError('RXSFU_ERR_SOCKET_CLOSED', message);
}

function socketClosedError({ code, reason }: { code: number; reason: string }): RxsfuError {
  return rxsfuError('RXSFU_ERR_SOCKET_CLOSED', `signaling socket closed before the join finished (${code}${reason ? ` ${reason}` : ''})`, { closeCode: code });
}
