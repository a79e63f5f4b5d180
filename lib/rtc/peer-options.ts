/**
 * The options and results of the publisher and subscriber peers, in rxsfu's own types (no werift
 * type), so the declarations that name them stay free of the WebRTC stack's.
 */
import type { SchedulerLike } from 'rxjs';
import type { RtcConfig } from './config.js';
import type { RtcLogger } from './rtc-logger.js';

/** Options common to the publisher and the subscriber. */
export interface PeerOptions {
  /** werift settings, from `rtcConfiguration(...)`. */
  rtc: RtcConfig;
  /** @default silent */
  logger?: RtcLogger;
  /** Clock for the close deadline and the ICE-restart media check. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** How long `closed$` waits for werift's teardown before giving up. @default 3000 */
  closeTimeoutMs?: number;
  /** Bound on each werift step (create offer/answer, set local/remote description). @default 10000 */
  stepTimeoutMs?: number;
  /**
   * Bound on one whole negotiation (the publisher's offer → SetPublisher → answer, the subscriber's
   * offer → answer → SendAnswer), so a hung step or RPC never blocks the signaling queue. @default 30000
   */
  negotiationTimeoutMs?: number;
}

/** One werift stats report as plain objects (`RTCStats`: `id`, `type`, `timestamp`, …), JSON-safe. */
export type PeerStats = Record<string, unknown>[];

/** Options of `restartIce$`. */
export interface IceRestartOptions {
  /** How long to wait for the proof (a packet, or for an idle connection the ICE check) before failing with RXSFU_ERR_WEBRTC. @default 5000 */
  mediaTimeoutMs?: number;
  /**
   * Apply the `iceTransport.start()` workaround. Only turned off to show werift's bug in the
   * regression test; with it off media does not resume between two werift peers. @default true
   */
  workaround?: boolean;
  /**
   * A connection whose last local packet was written at most this long before the check counts as
   * sending: then only a packet coming back proves the restart. @default 2000
   */
  sendingWindowMs?: number;
}
