/**
 * The close codes the client sends on the signaling socket. The SFU reads them: 1000 drops the
 * participant, the 4xxx codes keep its state so a FAST reconnect can pick it up.
 */
export const SignalCloseCode = {
  /** Normal leave: the SFU drops the participant. */
  LEAVE: 1000,
  /** Heartbeat lost: we gave up on this socket; state is kept for a FAST reconnect. */
  UNHEALTHY: 4001,
  /** A newer socket replaced this one (reconnect): participant state is kept. */
  DISPOSE: 4100,
  /** The join on this socket failed (timeout, rejection, abandoned). */
  JOIN_FAILED: 4101,
} as const;

/** One of the {@link SignalCloseCode} values. */
export type SignalCloseCode = (typeof SignalCloseCode)[keyof typeof SignalCloseCode];
