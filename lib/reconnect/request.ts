/**
 * What goes into the reconnection engine: a trigger mapped to the strategy it asks for (R1), and the
 * vocabulary of strategies and trigger sources. Plain data; no imports, so every other reconnect file
 * can use it (docs/RECONNECT.md, "Vocabulary").
 */

/** A strategy that rebuilds the session (docs/RECONNECT.md, "Vocabulary"). */
export type Strategy = 'fast' | 'rejoin' | 'migrate';

/** Anything an attempt may run: a strategy, or the light ICE restart of R14. */
export type AttemptStrategy = Strategy | 'ice-restart';

/** What a request may ask for: an attempt strategy, or the final DISCONNECT of R13. */
export type RequestedStrategy = AttemptStrategy | 'disconnect';

/** Which peer connection an ICE restart or a failure concerns. */
export type PeerSide = 'publisher' | 'subscriber';

/** The trigger family a request came from (R1 table). */
export type TriggerSource =
  | 'connection-lost'
  | 'sfu-error'
  | 'go-away'
  | 'ice-failed'
  | 'peer-failed'
  | 'peer-stuck'
  | 'media-stalled'
  | 'ice-restart-event'
  | 'call-ended';

/** A trigger mapped to what should happen (R1). */
export interface ReconnectRequest {
  readonly strategy: RequestedStrategy;
  readonly source: TriggerSource;
  /** Human-readable why; sent as `reconnect_details.reason`. Never holds tokens. */
  readonly detail: string;
  /** The peer connection concerned, for ICE restarts and peer failures. */
  readonly peer?: PeerSide;
  /** The original value (a `ConnectionLost`, an `RxsfuError` built from the SFU's error, …). */
  readonly cause?: unknown;
}
