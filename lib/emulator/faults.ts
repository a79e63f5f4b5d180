/**
 * Fault injection, driven from test code: per session, per SFU (every session of it, plus joins and
 * the SFU process itself), and for the coordinator. Every fault acts at once and deterministically;
 * nothing random happens inside the emulator.
 */
import { rxsfuError } from '../errors.js';
import { CallEndedReason, ErrorCode, GoAwayReason, TrackType, WebsocketReconnectStrategy, type SfuEventInit } from '../protocol/index.js';
import { changePublishOptionsEvent, changePublishQualityEvent } from './publish-control.js';
import type { PublishOption } from '../rtc/publish-options.js';
import type { Coordinator } from './coordinator.js';
import { errorEvent, type JoinRejectionMode } from './sfu-host.js';
import type { SfuServer } from './sfu-server.js';
import type { SfuSession } from './sfu-session.js';
import type { NetworkCuts } from './network.js';
import type { MediaDisturbance } from './media/contract.js';

function checkDisturbance(d: MediaDisturbance | undefined): MediaDisturbance | undefined {
  for (const n of [d?.dropEvery, d?.reorderEvery]) {
    if (n !== undefined && !(Number.isInteger(n) && n >= 2)) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `disturbMedia: every-n must be an integer ≥ 2, got ${n}`);
  }
  return d;
}

/** Faults that act on one session's socket, or on every session of an SFU. */
export interface SessionFaults {
  /** Destroys the TCP connection without a close frame: the client sees code 1006. */
  destroyTcp(): void;
  /** Closes the socket with `code` (a close frame is sent). */
  close(code: number, reason?: string): void;
  /**
   * Sends nothing any more (no health responses, no events); TCP stays open. For one session it
   * lasts until the client comes back on a new socket (a dead path, not a dead SFU); for an SFU it
   * lasts until `resume()`.
   */
  goSilent(): void;
  /** Ends `goSilent()` and `delayFrames()`. */
  resume(): void;
  /** Holds every outgoing frame `ms` milliseconds, keeping their order. */
  delayFrames(ms: number): void;
  /** Sends an `error` event with an SFU error code and a reconnect strategy. */
  sendError(code: ErrorCode, strategy: WebsocketReconnectStrategy, message?: string): void;
  /** Sends `go_away` (the SFU asks the client to migrate). @default reason GO_AWAY_REASON_SHUTTING_DOWN */
  goAway(reason?: GoAwayReason): void;
  /**
   * Ends the call (of this session; for an SFU, every call it hosts) as `emu.endCall` does: the
   * coordinator refuses to join it from now on (403), everyone in it gets `call_ended` and is removed.
   * @default reason CALL_ENDED_REASON_ENDED
   */
  callEnded(reason?: CallEndedReason): void;
}

/** Faults of one client session. */
export interface ClientSessionFaults extends SessionFaults {
  /** The SFU stops forwarding RTP to this session; sockets and peer connections stay up (a vanished media path). */
  dropMedia(): void;
  /** Cuts the network of this session's user: `network(userId).cut()`. */
  cutNetwork(): NetworkFault;
  /**
   * From the next SetPublisher on, the session's publisher ICE candidates are withheld both ways
   * (offer, answer, trickles): its ICE never connects while signaling stays healthy.
   */
  blockPublisherIce(): void;
  /**
   * The SFU drops and/or reorders RTP to this session on a fixed pattern (every n-th packet of each
   * track), peer connections and signaling untouched; `disturbMedia(undefined)` ends it.
   */
  disturbMedia(disturbance: MediaDisturbance | undefined): void;
  /**
   * Sends `change_publish_quality` for the session's announced video track (`trackType`, default
   * TRACK_TYPE_VIDEO): every layer it announced switched on or off, as Stream's SFU does when nobody
   * watches it. Throws RXSFU_ERR_INVALID_ARGUMENT if the session announced no such track.
   */
  setVideoLayersActive(active: boolean, trackType?: TrackType): void;
  /** Sends `change_publish_options`: the publish options to follow from now on (e.g. another codec). */
  changePublishOptions(publishOptions: PublishOption[], reason?: string): void;
}

/**
 * One client's network (every session of a user: a REJOIN's new session is on the same network).
 * `cut()` blackholes it: its signaling frames both ways, its Twirp calls and coordinator requests
 * wait (held, not dropped: TCP-faithful, sockets stay open), and its peer connections drop every
 * datagram both ways. `restore()` lets everything held flow again, in order.
 */
export interface NetworkFault {
  readonly userId: string;
  cut(): NetworkFault;
  restore(): void;
  readonly isCut: boolean;
}

/** Faults of one SFU: every session of it, its joins, and the process. */
export interface SfuFaults extends SessionFaults {
  /** The next `count` joins on this SFU are refused in the given way. */
  rejectJoins(count: number, mode: JoinRejectionMode): void;
  /** Crash: destroys every socket, stops listening, frees the port. Sessions wait out the FAST deadline. */
  kill(): Promise<void>;
  /** Listens again on the same port after `kill()`. */
  restart(): Promise<void>;
}

/** Faults of the coordinator's join endpoint. */
export interface CoordinatorFaults {
  /** The next `count` joins answer HTTP `status` with a Stream error body. @default status 500 */
  failJoins(count: number, status?: number): void;
  /** The next `count` joins are never answered. */
  stallJoins(count: number): void;
}

/** Entry point of fault injection; unknown session or SFU ids throw RXSFU_ERR_INVALID_ARGUMENT. */
export interface EmulatorFaults {
  session(sessionId: string): ClientSessionFaults;
  sfu(sfuId: string): SfuFaults;
  readonly coordinator: CoordinatorFaults;
  /** The network of one user's client: an outage is `emu.faults.network(userId).cut()` … `.restore()`. */
  network(userId: string): NetworkFault;
}

/** Ends one call for everyone (`emu.endCall`); never rejects. */
export type EndCall = (callCid: string, reason: CallEndedReason) => Promise<void>;

/** Session faults over a set of sessions chosen at the moment the fault is applied. */
function sessionFaults(targets: () => SfuSession[], flags: () => { silent: boolean; delayMs: number }[], endCall: EndCall): SessionFaults {
  const send = (event: SfuEventInit) => targets().forEach((s) => s.deliver(event));
  return {
    destroyTcp: () => targets().forEach((s) => s.socket?.terminate()),
    close: (code, reason = 'emulator fault') => targets().forEach((s) => s.socket?.close(code, reason)),
    goSilent: () => flags().forEach((f) => (f.silent = true)),
    resume: () => flags().forEach((f) => Object.assign(f, { silent: false, delayMs: 0 })),
    delayFrames: (ms) => flags().forEach((f) => (f.delayMs = ms)),
    sendError: (code, strategy, message = `emulator fault: ${ErrorCode[code] ?? code}`) => send(errorEvent(code, message, strategy)),
    goAway: (reason = GoAwayReason.GO_AWAY_REASON_SHUTTING_DOWN) => send({ goAway: { reason } }),
    callEnded: (reason = CallEndedReason.CALL_ENDED_REASON_ENDED) => {
      for (const callCid of new Set(targets().map((s) => s.callCid))) void endCall(callCid, reason);
    },
  };
}

function networkFault(userId: string, sfus: () => readonly SfuServer[], cuts: NetworkCuts): NetworkFault {
  const fault: NetworkFault = {
    userId,
    cut: () => {
      cuts.cutUser(userId);
      for (const sfu of sfus()) sfu.cutUdpOf(userId);
      return fault;
    },
    restore: () => cuts.restoreUser(userId),
    get isCut() {
      return cuts.isCut(userId);
    },
  };
  return fault;
}

export function createFaults(sfus: () => readonly SfuServer[], coordinator: () => Coordinator, cuts: NetworkCuts, endCall: EndCall): EmulatorFaults {
  const network = (userId: string): NetworkFault => networkFault(userId, sfus, cuts);
  const findSfu = (sfuId: string): SfuServer => {
    const sfu = sfus().find((s) => s.id === sfuId);
    if (!sfu) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `no SFU ${sfuId} in this emulator`);
    return sfu;
  };
  const findSession = (sessionId: string): SfuSession => {
    for (const sfu of sfus()) {
      const session = sfu.sessions.get(sessionId);
      if (session && !session.migratedAway) return session;
    }
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `no client session ${sessionId} in this emulator`);
  };
  return {
    session(sessionId) {
      const session = findSession(sessionId);
      const host = sfus().find((s) => s.sessions.get(sessionId) === session);
      return {
        ...sessionFaults(() => [session], () => [session.faults], endCall),
        dropMedia: () => host?.media.dropMediaTo?.(sessionId),
        cutNetwork: () => network(session.userId).cut(),
        disturbMedia: (disturbance) => host?.media.disturbMediaTo?.(sessionId, checkDisturbance(disturbance)),
        blockPublisherIce: () => { session.publisherIceBlocked = true; },
        setVideoLayersActive: (active, trackType = TrackType.TRACK_TYPE_VIDEO) => session.deliver(changePublishQualityEvent(session.announcedTracks, trackType, active)),
        changePublishOptions: (options, reason) => session.deliver(changePublishOptionsEvent(options, reason)),
      };
    },
    sfu(sfuId) {
      const sfu = findSfu(sfuId);
      const base = sessionFaults(() => [...sfu.sessions.values()], () => [sfu.deliveryFaults], endCall);
      return {
        ...base,
        destroyTcp: () => sfu.destroyAllSockets(),
        rejectJoins: (count, mode) => sfu.rejectJoins(count, mode),
        kill: () => sfu.kill(),
        restart: () => sfu.restart(),
      };
    },
    network,
    get coordinator(): CoordinatorFaults {
      const target = coordinator();
      return { failJoins: (count, status) => target.failJoins(count, status), stallJoins: (count) => target.stallJoins(count) };
    },
  };
}
