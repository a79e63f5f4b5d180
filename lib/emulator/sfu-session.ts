/**
 * One client session on one SFU: the participant's registry entry plus its current socket, the
 * frame-delivery faults (silence, delay) and the FAST-reconnect deadline. A session outlives its
 * socket: after an unexpected close it waits `fastReconnectDeadlineSeconds` for a FAST join on a
 * new socket before the SFU drops it. Its timers (that deadline, delayed frames) run on the
 * emulator's scheduler; late frames and the close after `call_ended` keep their order (frame-queue.ts).
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import { encodeSfuEvent, type SfuEventInit, type TrackInfo, type TrackType } from '../protocol/index.js';
import type { RegisteredSession } from './call-registry.js';
import { FrameQueue, type SocketStep } from './frame-queue.js';
import type { NetworkCuts } from './network.js';

/** SFU-wide delivery faults, read on every frame. */
export interface DeliveryFaults {
  silent: boolean;
  delayMs: number;
  /** The emulator's network cuts (SFU-wide faults only): a cut user's frames are held until restored. */
  network?: NetworkCuts;
}

export interface SfuSessionInit {
  sessionId: string;
  userId: string;
  callCid: string;
  sfuId: string;
  trackLookupPrefix: string;
  joinedAtMs: number;
}

export class SfuSession implements RegisteredSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly callCid: string;
  readonly sfuId: string;
  readonly trackLookupPrefix: string;
  readonly joinedAtMs: number;
  readonly simulated = false;
  readonly publishedTracks = new Set<TrackType>();
  /** The tracks as last announced (SetPublisher, or the join's `announced_tracks`): ids, codecs, layers. */
  announcedTracks: TrackInfo[] = [];
  /** Per-session delivery faults. */
  readonly faults: DeliveryFaults = { silent: false, delayMs: 0 };
  /** Set when this session moved to another SFU: its socket closing then means nothing. */
  migratedAway = false;
  /**
   * Set by a MIGRATE join until the migration completes: the copy on the SFU being left, which
   * then says `participant_migration_complete` on its own (old) socket.
   */
  migratingFrom: { sfu: { retireMigrated(session: SfuSession): void }; session: SfuSession } | undefined;
  /**
   * Set on the old copy once its migration completed: the old SFU keeps serving it (media included)
   * until the client closes the old socket, as a real SFU does, so the move has no media gap.
   */
  onRetiredSocketClosed: (() => void) | undefined;
  /** Set once the media plane forgot the session. */
  mediaRemoved = false;
  /**
   * Fault `blockPublisherIce()`: the publisher's candidates are withheld both ways (SetPublisher
   * offer and answer, trickles), so its ICE never connects while signaling stays healthy.
   */
  publisherIceBlocked = false;
  /** False once the SFU holding it crashed (`kill()`): its state is gone, FAST cannot resume it. */
  resumable = true;

  private socketRef: WebSocket | undefined;
  private deadline: Subscription | undefined;
  /** Late steps (delayed frames, a close), held while this user's network is cut. */
  private readonly late: FrameQueue;
  /** Set by `closeAfterQueued`: the queue now ends in a close and drains on its own. */
  private closing = false;
  /** How many subscriber offers were handed to this session (sent or not). */
  subscriberOffersMade = 0;
  /** A subscriber offer made while no socket was attached; a FAST resume's ICE restart replaces it. */
  private undeliveredOffer: SfuEventInit | undefined;

  constructor(init: SfuSessionInit, private readonly sfuFaults: DeliveryFaults, private readonly scheduler: SchedulerLike) {
    this.sessionId = init.sessionId;
    this.userId = init.userId;
    this.callCid = init.callCid;
    this.sfuId = init.sfuId;
    this.trackLookupPrefix = init.trackLookupPrefix;
    this.joinedAtMs = init.joinedAtMs;
    this.late = new FrameQueue(scheduler, {
      blocked: () => this.sfuFaults.network?.isCut(this.userId) ?? false,
      whenOpen: (open) => void this.sfuFaults.network?.passable(this.userId).then(open),
    });
  }

  get socket(): WebSocket | undefined {
    return this.socketRef;
  }

  connected(): boolean {
    return this.socketRef?.readyState === WebSocket.OPEN;
  }

  /**
   * Binds a (new) socket; a previous, different socket is closed with 4100 (disposed). Session
   * delivery faults model a broken path to one socket, so a new socket starts healthy.
   */
  attach(socket: WebSocket): void {
    const previous = this.socketRef;
    this.socketRef = socket;
    this.cancelDeadline();
    if (previous !== socket) Object.assign(this.faults, { silent: false, delayMs: 0 });
    if (previous && previous !== socket && previous.readyState === WebSocket.OPEN) {
      previous.close(4100, 'replaced by a reconnect');
    }
  }

  detach(): void {
    this.socketRef = undefined;
  }

  /** Takes the undelivered subscriber offer away: a newer one (an ICE restart) replaces it. */
  takeUndelivered(): SfuEventInit | undefined {
    const offer = this.undeliveredOffer;
    this.undeliveredOffer = undefined;
    return offer;
  }

  /** Sends `event` on the attached socket; false when none is attached (a subscriber offer is then kept for a FAST resume). */
  deliver(event: SfuEventInit): boolean {
    if (event.subscriberOffer) this.subscriberOffersMade += 1;
    const socket = this.socketRef;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      if (event.subscriberOffer) this.undeliveredOffer = event;
      return false;
    }
    if (this.faults.silent || this.sfuFaults.silent) return true;
    const frame = encodeSfuEvent(event);
    this.sendInOrder(() => {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    });
    return true;
  }

  /**
   * Ends the session's socket the way a real SFU ends the connections of an ended call: after every
   * frame already on its way (`call_ended` included), a normal close. Faults that delay or hold
   * frames delay the close too; the emulator's `close()` (which destroys sockets) drops it.
   */
  closeAfterQueued(code: number, reason: string): void {
    const socket = this.socketRef;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    this.closing = true;
    socket.once('close', () => this.late.clear());
    this.sendInOrder(() => {
      if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
    });
  }

  /**
   * Runs a socket step behind every step queued before it, through the network cut and the delay
   * faults: the queue holds it (and everything queued before it) while the user's network is cut.
   */
  private sendInOrder(step: SocketStep): void {
    const delayMs = Math.max(this.faults.delayMs, this.sfuFaults.delayMs);
    const cut = this.sfuFaults.network?.isCut(this.userId) ?? false;
    if (delayMs <= 0 && !cut && this.late.idle) step();
    else this.late.enqueue(step, delayMs);
  }

  startDeadline(ms: number, onExpired: () => void): void {
    this.cancelDeadline();
    this.deadline = this.scheduler.schedule(() => {
      this.deadline = undefined;
      onExpired();
    }, ms);
  }

  cancelDeadline(): void {
    this.deadline?.unsubscribe();
    this.deadline = undefined;
  }

  /**
   * Stops every timer; the socket is left to the caller. A queued close (`closeAfterQueued`) and
   * the frames ahead of it still go out: the socket's own close drops them.
   */
  dispose(): void {
    this.cancelDeadline();
    if (this.closing) return;
    this.late.clear();
  }
}
