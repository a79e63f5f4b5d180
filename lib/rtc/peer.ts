/**
 * What the publisher and the subscriber share: one werift RTCPeerConnection, its ordered signaling
 * queue, local candidates held until their description was sent, remote candidates held until the
 * description they belong to is applied, connection state as an Observable, and a close that never
 * hangs. The Rx core sees only Observables; werift promises are turned into Observables here.
 */
import {
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
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { RTCPeerConnection } from 'werift';
import type { PeerOptions, PeerStats } from './peer-options.js';
import { errorMessage, isRxsfuError, rxsfuError, type RxsfuError } from '../errors.js';
import { createLocalCandidates, createRemoteCandidates, parseCandidate, type CandidateInit } from './ice-candidates.js';
import { createSignalingQueue, type SignalingQueue } from './signaling-queue.js';
import { fromWeriftEvent, type WeriftEventLike } from './werift-event.js';
import { endDtlsRetransmits } from './dtls-retransmits.js';
import { memoizeCertificateFingerprints } from './certificate-fingerprints.js';
import { mediaHeard$ } from './media-heard.js';
import { silentLogger } from '../logger.js';
import { appliedOrGathering$ } from './bounded-gathering.js';
import type { RtcLogger } from './rtc-logger.js';

/** @see PeerOptions.stepTimeoutMs */
export const DEFAULT_STEP_TIMEOUT_MS = 10000;
/** @see PeerOptions.negotiationTimeoutMs */
export const DEFAULT_NEGOTIATION_TIMEOUT_MS = 30000;

export interface PeerCore {
  readonly pc: RTCPeerConnection;
  readonly queue: SignalingQueue;
  readonly logger: RtcLogger;
  readonly scheduler: SchedulerLike;
  readonly localCandidate$: Observable<string>;
  readonly connectionState$: Observable<string>;
  /** werift's ICE connection state, same shape as `connectionState$` (`failed` → ICE restart). */
  readonly iceConnectionState$: Observable<string>;
  /** A value per inbound SRTP/SRTCP packet (media-heard.ts); completes at close. */
  readonly mediaHeard$: Observable<void>;
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
  /**
   * A trickled remote candidate (RTCIceCandidateInit JSON). Never throws: after close it is ignored,
   * and one that does not parse (empty, not JSON, no `candidate` string) is logged and dropped.
   */
  addRemoteCandidate(json: string): void;
  /** werift's `getStats()` as plain JSON-able objects (see `peerStats$`); cold, one value. */
  stats$(): Observable<PeerStats>;
  /** Bounds a whole negotiation by `negotiationTimeoutMs`: RXSFU_ERR_WEBRTC naming `what` when it runs out. */
  withinNegotiation<T>(what: string): MonoTypeOperatorFunction<T>;
  close(): void;
}

/** How long one werift step may take (`PeerOptions.stepTimeoutMs`), on which clock. */
interface StepLimit {
  readonly ms: number;
  readonly scheduler: SchedulerLike;
}

/** A werift step, bounded: werift's promises have no timeout of their own. */
function step$<T>(limit: StepLimit, step: string, call: () => Promise<T>): Observable<T> {
  return werift$(step, call).pipe(bounded(step, limit.ms, limit.scheduler));
}

/** setRemoteDescription, then `flush` (the remote candidates that were waiting for it). */
function setRemoteDescription$(pc: RTCPeerConnection, role: string, limit: StepLimit, flush: () => void, type: 'offer' | 'answer', sdp: string): Observable<void> {
  // werift accepts some garbage without complaint and then never connects: check the shape first.
  const problem = sdpProblem(sdp);
  if (problem) return throwError(() => rxsfuError('RXSFU_ERR_WEBRTC', `remote ${type} rejected: ${problem}`));
  return step$(limit, `${role} setRemoteDescription(${type})`, () => pc.setRemoteDescription({ type, sdp })).pipe(map(() => flush()));
}

/**
 * createOffer/createAnswer then setLocalDescription; the local SDP, with the candidates gathered so
 * far (host ones at least). Gathering is bounded (`bounded-gathering.ts`): the rest trickles.
 */
function setLocalDescription$(pc: RTCPeerConnection, role: string, limit: StepLimit, type: 'offer' | 'answer', opts: { iceRestart?: boolean } = {}): Observable<string> {
  return step$(limit, `${role} create ${type}`, () =>
    type === 'offer' ? pc.createOffer({ iceRestart: opts.iceRestart ?? false }) : pc.createAnswer(),
  ).pipe(
    concatMap((description) => appliedOrGathering$(step$(limit, `${role} setLocalDescription(${type})`, () => pc.setLocalDescription(description)), pc, type, limit.scheduler)),
    map(() => pc.localDescription?.sdp ?? ''),
  );
}

// Every peer's DTLS transport asks werift for the certificate's fingerprint (offers, getStats).
memoizeCertificateFingerprints();

export function createPeerCore(options: PeerOptions, role: string): PeerCore {
  const logger = options.logger ?? silentLogger;
  const scheduler = options.scheduler ?? asyncScheduler;
  const pc = new RTCPeerConnection(options.rtc);
  const queue = createSignalingQueue();
  const closing = new ReplaySubject<void>(1);
  const closed = new ReplaySubject<void>(1);
  const local = createLocalCandidates(pc);
  const remote = createRemoteCandidates(pc, logger, role);
  let isClosed = false;

  const stepLimit: StepLimit = { ms: options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, scheduler };
  const negotiationTimeoutMs = options.negotiationTimeoutMs ?? DEFAULT_NEGOTIATION_TIMEOUT_MS;

  function addRemoteCandidate(json: string): void {
    if (isClosed) {
      logger.debug?.(`${role}: remote candidate after close ignored`);
      return;
    }
    // Network input: a candidate that does not parse is dropped, never thrown into the caller (an
    // `events$` subscriber, where a throw would take the process down). Later candidates still apply.
    let init: CandidateInit;
    try {
      init = parseCandidate(json);
    } catch (err) {
      logger.warn?.(`${role}: unusable remote candidate dropped`, { reason: errorMessage(err) });
      return;
    }
    queue.run$('remote candidate', () => defer(() => of(remote.accept(init))))
      .subscribe({ error: (err: unknown) => logger.debug?.(`${role}: remote candidate dropped`, { reason: errorMessage(err) }) });
  }

  function close(): void {
    if (isClosed) return;
    isClosed = true;
    closing.next();
    closing.complete();
    queue.close();
    local.dispose();
    closePeerConnection$(pc, options.closeTimeoutMs ?? 3000, scheduler, logger, role).subscribe({
      complete: () => (closed.next(), closed.complete()),
    });
  }

  return {
    pc,
    queue,
    logger,
    scheduler,
    localCandidate$: local.candidate$,
    connectionState$: peerState$(pc.connectionStateChange, () => pc.connectionState, closed),
    mediaHeard$: mediaHeard$(pc, peerState$(pc.connectionStateChange, () => pc.connectionState, closed), closing),
    iceConnectionState$: peerState$(pc.iceConnectionStateChange, () => pc.iceConnectionState, closed),
    closing$: closing.asObservable(),
    closed$: closed.asObservable(),
    isClosed: () => isClosed,
    holdLocalCandidates: local.hold,
    releaseLocalCandidates: local.release,
    setRemoteDescription$: (type, sdp) => setRemoteDescription$(pc, role, stepLimit, () => remote.flush(), type, sdp),
    setLocalDescription$: (type, opts) => setLocalDescription$(pc, role, stepLimit, type, opts),
    addRemoteCandidate,
    stats$: () => peerStats$(pc, role),
    withinNegotiation: <T>(what: string) => bounded<T>(what, negotiationTimeoutMs, scheduler),
    close,
  };
}

/**
 * werift's stats report (a Map of RTCStats) as an array of plain objects, so it can go into
 * `SendStats` as JSON. Bigints become numbers; a werift failure becomes RXSFU_ERR_WEBRTC.
 *
 * ```
 * subscribe: a
 * result:    ---(r|)     r = [{ id, type: 'peer-connection', … }, { type: 'outbound-rtp', … }, …]
 * ```
 */
function peerStats$(pc: RTCPeerConnection, role: string): Observable<PeerStats> {
  return werift$(`${role} getStats`, () => pc.getStats()).pipe(
    map((report) => [...report.values()].map((entry) =>
      JSON.parse(JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value))) as Record<string, unknown>)),
  );
}

/**
 * A werift state (connectionState, iceConnectionState): current value first, each change once;
 * completes after `closed` or when `until$` fires.
 *
 * ```
 * werift:  new --connecting--connected------closed
 * result:  new --connecting--connected------(closed|)
 * ```
 */
function peerState$(change: WeriftEventLike<[string]>, current: () => string, until$: Observable<unknown>): Observable<string> {
  // The current state is read at subscribe time, so a late subscriber starts from the truth.
  return defer(() =>
    fromWeriftEvent(change).pipe(
      map(([state]) => state),
      startWith(current()),
    ),
  ).pipe(
    distinctUntilChanged(),
    takeWhile((state) => state !== 'closed', true),
    takeUntil(until$),
  );
}

/** werift's close as one value; bounded by `timeoutMs`, never an error (a close must not hang or throw). */
function closePeerConnection$(
  pc: RTCPeerConnection,
  timeoutMs: number,
  scheduler: SchedulerLike,
  logger: RtcLogger,
  role: string,
): Observable<void> {
  return defer(() => {
    endDtlsRetransmits(pc);
    return from(pc.close());
  }).pipe(
    timeout({ first: timeoutMs, scheduler }),
    catchError((err: unknown) => {
      logger.warn?.(`${role}: close did not finish cleanly`, { reason: errorMessage(err) });
      return of(undefined);
    }),
  );
}

/** Fails with RXSFU_ERR_WEBRTC naming `what` when the source gives no value within `ms`. */
function bounded<T>(what: string, ms: number, scheduler: SchedulerLike): MonoTypeOperatorFunction<T> {
  return timeout({ first: ms, scheduler, with: () => throwError(() => rxsfuError('RXSFU_ERR_WEBRTC', `${what} timed out after ${ms} ms`)) });
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
  return rxsfuError('RXSFU_ERR_WEBRTC', `${step} failed: ${errorMessage(err)}`, { cause: err });
}

/** Why `sdp` cannot be a session description with media, or undefined when it looks like one. */
export function sdpProblem(sdp: unknown): string | undefined {
  if (typeof sdp !== 'string' || sdp.length === 0) return 'empty SDP';
  if (!/^v=0\r?\n/.test(sdp)) return 'SDP does not start with v=0';
  if (!/\r?\nm=/.test(sdp)) return 'SDP has no media section';
  return undefined;
}

