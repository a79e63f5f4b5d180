/**
 * ICE candidates in both directions, as the SFU exchanges them: RTCIceCandidateInit JSON in
 * `ICETrickle.ice_candidate` (WIRE.md).
 *
 * Local: werift fires candidates while `setLocalDescription` is still running (WERIFT.md pitfall 3),
 * before the description went to the SFU; they are held until the connection says the description
 * was sent. Remote: a candidate waits until the remote description it belongs to (same ufrag) is
 * applied; during an ICE restart werift rejects candidates of the next ufrag outright.
 */
import { BehaviorSubject, Observable, ReplaySubject } from 'rxjs';
import type { RTCIceCandidate, RTCPeerConnection } from 'werift';
import { errorMessage, rxsfuError } from '../errors.js';
import { holdUntilOpen } from './hold-until-open.js';
import type { RtcLogger } from './rtc-logger.js';

/** An RTCIceCandidateInit as it travels in `ICETrickle.ice_candidate`. */
export interface CandidateInit {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
  usernameFragment?: string;
}

/** Parses trickled JSON; anything without a `candidate` string is RXSFU_ERR_INVALID_ARGUMENT. */
export function parseCandidate(json: string): CandidateInit {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    // The parser's message quotes the input: say only how long it was.
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `ICE candidate is not JSON (${String(json).length} characters)`, { cause: err });
  }
  const candidate = (parsed as { candidate?: unknown } | null)?.candidate;
  if (typeof candidate !== 'string') {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'ICE candidate JSON has no "candidate" string');
  }
  return parsed as CandidateInit;
}

/** werift candidate → RTCIceCandidateInit JSON, with the ufrag filled in when werift leaves it out. */
export function candidateJson(candidate: RTCIceCandidate, pc: RTCPeerConnection): string {
  const init = candidate.toJSON();
  const usernameFragment = init.usernameFragment ?? pc.iceTransports[0]?.localParameters.usernameFragment;
  return JSON.stringify({ ...init, usernameFragment });
}

export interface LocalCandidates {
  /** Every local candidate (replayed to late subscribers), released only while the gate is open. */
  readonly candidate$: Observable<string>;
  /** A new description is being made: hold candidates from now on. */
  hold(): void;
  /** The description was sent: let its candidates out. */
  release(): void;
  /** Stops listening to werift and completes `candidate$`. */
  dispose(): void;
}

export function createLocalCandidates(pc: RTCPeerConnection): LocalCandidates {
  const open = new BehaviorSubject<boolean>(false);
  const all = new ReplaySubject<string>();
  const subscription = pc.onIceCandidate.subscribe((candidate) => {
    // `undefined` is werift's end-of-candidates: the SFU does not want it.
    if (candidate) all.next(candidateJson(candidate, pc));
  });
  return {
    candidate$: all.pipe(holdUntilOpen(open)),
    hold: () => !open.closed && open.next(false),
    release: () => !open.closed && open.next(true),
    dispose() {
      subscription.unSubscribe();
      all.complete();
      open.complete();
    },
  };
}

/**
 * Most remote candidates held for a description not applied yet. A real session trickles a few
 * per ufrag; a hostile or buggy SFU may send candidates of a ufrag that never matches, forever.
 * Beyond this the oldest held one is dropped (a stale ufrag's candidates are the oldest).
 */
export const MAX_HELD_REMOTE_CANDIDATES = 64;

export interface RemoteCandidates {
  /** Applies the candidate now when its description is in place, otherwise holds it (at most MAX_HELD_REMOTE_CANDIDATES). */
  accept(init: CandidateInit): void;
  /** A remote description was applied: apply the held candidates that belong to it. */
  flush(): void;
  /** How many candidates are held now. */
  readonly heldCount: number;
}

export function createRemoteCandidates(pc: RTCPeerConnection, logger: RtcLogger, role: string): RemoteCandidates {
  const held: CandidateInit[] = [];
  let dropped = 0;

  function hold(init: CandidateInit): void {
    held.push(init);
    if (held.length <= MAX_HELD_REMOTE_CANDIDATES) return;
    held.shift();
    // Said once per burst of drops, not once per candidate.
    if (dropped++ === 0) logger.warn?.(`${role}: remote candidates for an unknown ufrag dropped`, { max: MAX_HELD_REMOTE_CANDIDATES });
  }

  function apply(init: CandidateInit): void {
    pc.addIceCandidate(init).catch((err: unknown) =>
      logger.warn?.(`${role}: remote candidate rejected`, { reason: errorMessage(err) }),
    );
  }

  /** A candidate belongs to the current remote description when its ufrag appears in it. */
  function belongs(init: CandidateInit): boolean {
    const sdp = pc.remoteDescription?.sdp;
    if (!sdp) return false;
    return !init.usernameFragment || sdp.includes(`a=ice-ufrag:${init.usernameFragment}`);
  }

  return {
    accept: (init) => (belongs(init) ? apply(init) : hold(init)),
    get heldCount() { return held.length; },
    flush() {
      dropped = 0;
      for (let i = 0; i < held.length; ) {
        if (belongs(held[i])) apply(held.splice(i, 1)[0]);
        else i += 1;
      }
    },
  };
}
