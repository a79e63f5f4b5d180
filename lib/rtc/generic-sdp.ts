/**
 * The "generic" SDPs of a JoinRequest (`publisher_sdp`, `subscriber_sdp`): offers from a throwaway
 * werift connection with one audio and one video transceiver, so the SFU learns the codecs (and
 * payload types) this client really negotiates before any real connection exists. Made once per
 * process: capabilities do not change, and creating an offer gathers nothing (no socket is opened).
 *
 * ```
 * genericSdps$():  --(s|)        first subscriber: ~25 ms, then replayed at once
 * ```
 */
import { defer, from, shareReplay, type Observable } from 'rxjs';
import { RTCPeerConnection } from 'werift';
import { rtcConfiguration } from './config.js';

export interface GenericSdps {
  /** Offer of a connection that would send audio and video (JoinRequest.publisher_sdp). */
  publisherSdp: string;
  /** Offer of a connection that would receive audio and video (JoinRequest.subscriber_sdp). */
  subscriberSdp: string;
}

async function offerFor(direction: 'sendonly' | 'recvonly'): Promise<string> {
  const pc = new RTCPeerConnection(rtcConfiguration());
  try {
    pc.addTransceiver('audio', { direction });
    pc.addTransceiver('video', { direction });
    return (await pc.createOffer()).sdp;
  } finally {
    await pc.close();
  }
}

const cached$: Observable<GenericSdps> = defer(() =>
  from(Promise.all([offerFor('sendonly'), offerFor('recvonly')]).then(([publisherSdp, subscriberSdp]) => ({ publisherSdp, subscriberSdp }))),
).pipe(shareReplay({ bufferSize: 1, refCount: false }));

/** The generic SDPs, computed on first use and shared by every join of the process. */
export function genericSdps$(): Observable<GenericSdps> {
  return cached$;
}
