/**
 * What the publisher and the subscriber share: one werift RTCPeerConnection, its ordered signaling
 * queue, local candidates held until their description was sent, remote candidates held until the
 * description they belong to is applied, connection state as an Observable, and a close that never
 * hangs. The Rx core sees only Observables; werift promises are turned into Observables here.
 */
import {
  BehaviorSubject,
  defer,
  from,
  map,
  Observable,
  ReplaySubject,
  concatMap,
  takeUntil,
  takeWhile,
  distinctUntilChanged,
  startWith,
  timeout,
  catchError,
  of,
  throwError,
  asyncScheduler,
  type SchedulerLike,
} from 'rxjs';
import { RTCPeerConnection, type PeerConfig, type RTCIceCandidate } from 'werift';
import { isRxsfuError, rxsfuError, RxsfuError } from '../errors.js';
import { holdUntilOpen } from './hold-until-open.js';
import { createSignalingQueue, type SignalingQueue } from './signaling-queue.js';
import { fromWeriftEvent } from './werift-event.js';
import { silentLogger, type RtcLogger } from './logger.js';

/** Options common to the publisher and the subscriber. */
export interface PeerOptions {
  /** werift settings, from `rtcConfiguration(...)`. */
  rtc: Partial<PeerConfig>;
  /** @default silent */
  logger?: RtcLogger;
  /** Clock for the close deadline and the ICE-restart media check. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** How long `closed$` waits for werift's teardown before giving up. @default 3000 */
  closeTimeoutMs?: number;
}

/** An RTCIceCandidateInit as it travels in `ICETrickle.ice_candidate`. */
interface CandidateInit {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
  usernameFragment?: string;
}

export interface PeerCore {
  readonly pc: RTCPeerConnection;
  readonly queue: SignalingQueue;
  readonly logger: RtcLogger;
  readonly scheduler: SchedulerLike;
  readonly localCandidate$: Observable<string>;
  readonly connectionState$: Observable<string>;
  /** Emits once, then completes, when `close()` was called. */
  readonly closing$: Observable<void>;
  /** Emits once, then completes, when werift finished closing (or the close deadline passed). */
  readonly closed$: Observable<void>;
  readonly isClosed: () => boolean;
  /** Local candidates from now on wait until `releaseLocalCandidates()` (a new description is coming). */
  holdLocalCandidates(): void;
  /** The description was sent: let its candidates out. */
  releaseLocalCandidates(): void;
  /** setRemoteDescription, then the remote candidates that were waiting for it. */
  setRemoteDescription$(type: 'offer' | 'answer', sdp: string): Observable<void>;
  setLocalDescription$(type: 'offer' | 'answer', options?: { iceRestart?: boolean }): Observable<string>;
  addRemoteCandidate(json: string): void;
  close(): void;
}

export function createPeerCore(options: PeerOptions, role: string): PeerCore {
  const logger = options.logger ?? silentLogger;
  const scheduler = options.scheduler ?? asyncScheduler;
  const pc = new RTCPeerConnection(options.rtc);
  const queue = createSignalingQueue();
  const closing = new ReplaySubject<void>(1);
  const closed = new ReplaySubject<void>(1);
  const localGateOpen = new BehaviorSubject<boolean>(false);
  const localCandidates = new ReplaySubject<string>();
  const pendingRemote: CandidateInit[] = [];
  let isClosed = false;

  const candidateSub = pc.onIceCandidate.subscribe((candidate) => {
    // `undefined` is werift's end-of-candidates: the SFU does not want it.
    if (candidate) localCandidates.next(candidateJson(candidate, pc));
  });

  const connectionState$ = defer(() => fromWeriftEvent(pc.connectionStateChange)).pipe(
    map(([state]) => state as string),
    startWith(pc.connectionState as string),
    distinctUntilChanged(),
    takeWhile((state) => state !== 'closed', true),
    takeUntil(closed),
  );

  function applyRemoteCandidate(init: CandidateInit): void {
    pc.addIceCandidate(init).catch((err: unknown) =>
      logger.warn?.(`${role}: remote candidate rejected`, { reason: describe(err) }),
    );
  }

  /** A candidate belongs to the current remote description when its ufrag appears in it. */
  function matchesRemote(init: CandidateInit): boolean {
    const sdp = pc.remoteDescription?.sdp;
    if (!sdp) return false;
    return !init.usernameFragment || sdp.includes(`a=ice-ufrag:${init.usernameFragment}`);
  }

  function flushPendingRemote(): void {
    for (let i = 0; i < pendingRemote.length; ) {
      if (matchesRemote(pendingRemote[i])) applyRemoteCandidate(pendingRemote.splice(i, 1)[0]);
      else i += 1;
    }
  }

  function setRemoteDescription$(type: 'offer' | 'answer', sdp: string): Observable<void> {
    // werift accepts some garbage without complaint and then never connects: check the shape first.
    const problem = sdpProblem(sdp);
    if (problem) return throwError(() => rxsfuError('RXSFU_ERR_WEBRTC', `remote ${type} rejected: ${problem}`));
    return werift$(`${role} setRemoteDescription(${type})`, () => pc.setRemoteDescription({ type, sdp })).pipe(
      map(() => flushPendingRemote()),
    );
  }

  function setLocalDescription$(type: 'offer' | 'answer', opts: { iceRestart?: boolean } = {}): Observable<string> {
    return werift$(`${role} create ${type}`, () =>
      type === 'offer' ? pc.createOffer({ iceRestart: opts.iceRestart ?? false }) : pc.createAnswer(),
    ).pipe(
      // werift resolves setLocalDescription after gathering, so the SDP already lists host candidates.
      concatMap((description) => werift$(`${role} setLocalDescription(${type})`, () => pc.setLocalDescription(description))),
      map(() => pc.localDescription?.sdp ?? ''),
    );
  }

  function addRemoteCandidate(json: string): void {
    const init = parseCandidate(json);
    if (isClosed) {
      logger.debug?.(`${role}: remote candidate after close ignored`);
      return;
    }
    queue
      .run$('remote candidate', () =>
        defer(() => {
          if (matchesRemote(init)) applyRemoteCandidate(init);
          else pendingRemote.push(init);
          return of(undefined);
        }),
      )
      .subscribe({ error: (err: unknown) => logger.debug?.(`${role}: remote candidate dropped`, { reason: describe(err) }) });
  }

  function close(): void {
    if (isClosed) return;
    isClosed = true;
    closing.next();
    closing.complete();
    queue.close();
    candidateSub.unSubscribe();
    localCandidates.complete();
    localGateOpen.complete();
    defer(() => from(pc.close()))
      .pipe(
        timeout({ first: options.closeTimeoutMs ?? 3000, scheduler }),
        catchError((err: unknown) => {
          logger.warn?.(`${role}: close did not finish cleanly`, { reason: describe(err) });
          return of(undefined);
        }),
      )
      .subscribe({ complete: () => (closed.next(), closed.complete()) });
  }

  return {
    pc,
    queue,
    logger,
    scheduler,
    localCandidate$: localCandidates.pipe(holdUntilOpen(localGateOpen)),
    connectionState$,
    closing$: closing.asObservable(),
    closed$: closed.asObservable(),
    isClosed: () => isClosed,
    holdLocalCandidates: () => !isClosed && localGateOpen.next(false),
    releaseLocalCandidates: () => !isClosed && localGateOpen.next(true),
    setRemoteDescription$,
    setLocalDescription$,
    addRemoteCandidate,
    close,
  };
}

/** Runs a werift promise as an Observable; its failure becomes RXSFU_ERR_WEBRTC naming the step. */
export function werift$<T>(step: string, call: () => Promise<T>): Observable<T> {
  return defer(() => from(call())).pipe(catchError((err: unknown) => {
    throw asWebrtcError(step, err);
  }));
}

/** Keeps RxsfuErrors (e.g. a failed Twirp call) as they are; wraps anything else. */
export function asWebrtcError(step: string, err: unknown): RxsfuError {
  if (isRxsfuError(err)) return err;
  return rxsfuError('RXSFU_ERR_WEBRTC', `${step} failed: ${describe(err)}`, { cause: err });
}

function parseCandidate(json: string): CandidateInit {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `ICE candidate is not JSON: ${describe(err)}`, { cause: err });
  }
  const candidate = (parsed as { candidate?: unknown } | null)?.candidate;
  if (typeof candidate !== 'string') {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'ICE candidate JSON has no "candidate" string');
  }
  return parsed as CandidateInit;
}

function candidateJson(candidate: RTCIceCandidate, pc: RTCPeerConnection): string {
  const init = candidate.toJSON();
  const usernameFragment = init.usernameFragment ?? pc.iceTransports[0]?.localParameters.usernameFragment;
  return JSON.stringify({ ...init, usernameFragment });
}

/** Why `sdp` cannot be a session description with media, or undefined when it looks like one. */
export function sdpProblem(sdp: unknown): string | undefined {
  if (typeof sdp !== 'string' || sdp.length === 0) return 'empty SDP';
  if (!/^v=0\r?\n/.test(sdp)) return 'SDP does not start with v=0';
  if (!/\r?\nm=/.test(sdp)) return 'SDP has no media section';
  return undefined;
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
