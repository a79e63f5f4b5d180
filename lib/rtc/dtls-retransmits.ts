/**
 * werift workaround: a DTLS handshake flight retransmits on a timer loop (0.5 s, 1 s, … 5.5 s, eleven
 * times, ~33 s in all) that nothing cancels. When a peer connection is closed mid-handshake (a leave
 * during a MIGRATE, a REJOIN replacing a connecting peer), the loop outlives the close and keeps the
 * process alive for up to 33 s (issue 9 item 6). Each wake-up checks `context.flight >= nextFlight`
 * and stops when it holds; pinning every context's flight number to the maximum ends each loop at
 * its next wake-up, and one a late flight would start (it sets the number first) right after its
 * first send.
 */
import type { RTCDtlsTransport, RTCPeerConnection } from 'werift';

/** What werift keeps of every DTLS transport, stopped transceivers' included (not in its typings). */
interface WithAllTransports {
  readonly secureManager?: { readonly allDtlsTransports?: readonly (RTCDtlsTransport | undefined)[] };
}

const ENDED = Number.MAX_SAFE_INTEGER;

/** Every DTLS flight loop of `pc` stops at its next wake-up; call it when closing `pc`. */
export function endDtlsRetransmits(pc: RTCPeerConnection): void {
  const all = (pc as unknown as WithAllTransports).secureManager?.allDtlsTransports ?? [];
  for (const transport of new Set([...pc.dtlsTransports, ...all])) {
    const context = transport?.dtls?.dtls;
    if (context) Object.defineProperty(context, 'flight', { get: () => ENDED, set: () => undefined, configurable: true });
  }
}
