/**
 * Jitter buffer: RTP packets in arrival order → the same packets in sequence order, each saying how
 * many packets were lost just before it. A packet in order passes at once; one behind a missing
 * packet is held until the missing one arrives, `depth` packets wait behind it, or it has waited
 * `maxWaitMs` (then the missing ones are declared lost). A packet older than what was released is
 * late: dropped and counted. A new SSRC or a sequence jump (a reconnect's new stream) starts over,
 * marked `restart`, without declaring losses.
 */
import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';

/** Options of {@link jitterBuffer}. */
export interface JitterBufferOptions {
  /** Packets held behind a missing one before it is declared lost. @default 5 */
  depth?: number;
  /** Longest wait for a missing packet, in ms. @default 60 */
  maxWaitMs?: number;
  /**
   * Three late packets in a row, each following the last and more than 50 behind, start a new stream
   * (a sender that restarted its numbering on the same SSRC). For audio, where a packet a second late
   * is no retransmission worth waiting for; video's NACK retransmissions can come in such runs.
   * @default false
   */
  restartOnLateRun?: boolean;
  scheduler?: SchedulerLike;
}

/** A packet released in sequence order. */
export interface JitterOutput {
  readonly packet: RtpPacket;
  /** Packets missing right before this one (declared lost). */
  readonly lostBefore: number;
  /** First packet of a new stream (new SSRC or sequence jump): no loss is inferred across it. */
  readonly restart: boolean;
  /** `scheduler.now()` when the packet arrived. */
  readonly arrivalMs: number;
  /** Late (or duplicate) packets dropped so far. */
  readonly late: number;
  /** Packets declared lost so far. */
  readonly lost: number;
}

/** A sequence jump bigger than this is a new stream, not loss. */
const MAX_SEQUENCE_JUMP = 1000;
/**
 * A sender that restarts its numbering on the same SSRC can land a little behind where it was: its
 * packets then all look late. This many late packets in a row, each following the last and more
 * than {@link LATE_RESTART_DISTANCE} behind, are a new stream, not late ones (a retransmission or a
 * reordered packet is neither that far behind nor a run).
 */
const LATE_RUN_RESTART = 3;
/** Packets behind the next expected one (1 s of 20 ms audio) beyond which a late run can restart the stream. */
const LATE_RESTART_DISTANCE = 50;

/** Unwraps a 16-bit sequence number to the extended value closest to `reference`. */
export function unwrapSequence(seq: number, reference: number): number {
  return reference + ((((seq - reference) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

interface Held { packet: RtpPacket; arrivalMs: number }

/** The buffer's state machine; `emit` receives released packets. No timers: the operator drives `flush`. */
export class JitterState {
  private held = new Map<number, Held>();
  private next: number | undefined;
  private ssrc: number | undefined;
  private restartPending = true;
  /** The current run of late packets that follow each other, far behind (see LATE_RUN_RESTART). */
  private lateRun = { last: Number.NaN, length: 0 };
  late = 0;
  lost = 0;

  constructor(private readonly depth: number, private readonly emit: (out: JitterOutput) => void, private readonly restartOnLateRun = false) {}

  get holding(): boolean {
    return this.held.size > 0;
  }

  push(packet: RtpPacket, arrivalMs: number): void {
    const { ssrc, sequenceNumber } = packet.header;
    const ext = unwrapSequence(sequenceNumber, this.next ?? sequenceNumber);
    if (this.next !== undefined && (ssrc !== this.ssrc || Math.abs(ext - this.next) > MAX_SEQUENCE_JUMP)) {
      this.flush();
      this.next = undefined;
      this.restartPending = true;
    }
    if (this.next === undefined) {
      this.ssrc = ssrc;
      this.next = sequenceNumber;
    }
    const seq = unwrapSequence(sequenceNumber, this.next);
    if (seq < this.next || this.held.has(seq)) {
      this.late++;
      if (this.restartOnLateRun && this.continuesLateRun(seq)) this.restartAt(packet, arrivalMs);
      return;
    }
    this.lateRun.length = 0;
    this.held.set(seq, { packet, arrivalMs });
    this.releaseInOrder();
    while (this.held.size > this.depth) this.releaseLowest();
  }

  /** Counts `seq` into the run of far-behind late packets; true once the run is a new stream. */
  private continuesLateRun(seq: number): boolean {
    const farBehind = this.next !== undefined && this.next - seq > LATE_RESTART_DISTANCE;
    this.lateRun = farBehind && seq === this.lateRun.last + 1 ? { last: seq, length: this.lateRun.length + 1 } : { last: seq, length: farBehind ? 1 : 0 };
    return this.lateRun.length >= LATE_RUN_RESTART;
  }

  /** The stream starts over at `packet` (what is held goes out first, as on a new SSRC). */
  private restartAt(packet: RtpPacket, arrivalMs: number): void {
    this.flush();
    this.next = undefined;
    this.restartPending = true;
    this.lateRun = { last: Number.NaN, length: 0 };
    this.late--;
    this.push(packet, arrivalMs);
  }

  /** Releases everything held, declaring what is missing in between lost. */
  flush(): void {
    while (this.held.size > 0) this.releaseLowest();
  }

  private releaseInOrder(): void {
    while (this.next !== undefined && this.held.has(this.next)) this.release(this.next, 0);
  }

  private releaseLowest(): void {
    const lowest = Math.min(...this.held.keys());
    this.release(lowest, lowest - (this.next ?? lowest));
    this.releaseInOrder();
  }

  private release(seq: number, lostBefore: number): void {
    const held = this.held.get(seq)!;
    this.held.delete(seq);
    this.next = seq + 1;
    this.lost += lostBefore;
    const restart = this.restartPending;
    this.restartPending = false;
    this.emit({ packet: held.packet, lostBefore, restart, arrivalMs: held.arrivalMs, late: this.late, lost: this.lost });
  }
}

/**
 * Operator: reorders RTP by sequence number with a bounded wait. Completion releases what is held.
 *
 * ```
 * in:   -1-3-4---------2-5-|        (depth 5, maxWaitMs 6 frames of the diagram)
 * out:  -1-----------(34)--5-|      3 and 4 waited for 2 until maxWaitMs: 3 has lostBefore 1;
 *                                   2 then arrives late: dropped, late = 1
 * ```
 */
export function jitterBuffer(options: JitterBufferOptions = {}): OperatorFunction<RtpPacket, JitterOutput> {
  const depth = options.depth ?? 5;
  const maxWaitMs = options.maxWaitMs ?? 60;
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source$) =>
    new Observable<JitterOutput>((subscriber) => {
      const state = new JitterState(depth, (out) => subscriber.next(out), options.restartOnLateRun);
      let timer: Subscription | undefined;
      const rearm = () => {
        if (!state.holding) {
          timer?.unsubscribe();
          timer = undefined;
        } else if (!timer) {
          timer = scheduler.schedule(() => {
            timer = undefined;
            state.flush();
          }, maxWaitMs);
        }
      };
      const subscription = source$.subscribe({
        next: (packet) => {
          state.push(packet, scheduler.now());
          rearm();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          state.flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
