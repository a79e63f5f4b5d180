/**
 * The two peer connections of a session, and the Twirp client their RPCs (SetPublisher, SendAnswer)
 * go through. A FAST reconnect hands the same peers to a new connection and rebinds them to its
 * client (`rebind`); REJOIN and MIGRATE make new ones.
 */
import { map } from 'rxjs';
import { PeerType } from '../protocol/index.js';
import type { SignalServerClient } from '../rpc/index.js';
import { createPublisher, type Publisher } from '../rtc/publisher.js';
import { createSubscriber, type Subscriber } from '../rtc/subscriber.js';
import { rtcConfiguration } from '../rtc/config.js';
import { iceServersForWerift } from '../rtc/werift-ice-servers.js';
import type { Credentials } from '../coordinator/index.js';
import type { Logger } from '../logger.js';

export interface SfuPeers {
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  /** From now on the peers' RPCs go through `rpc` (the client of the connection that took them over). */
  rebind(rpc: SignalServerClient): void;
  /**
   * True the first time `candidate` of `peer` is offered for trickling, false after: a FAST rewire
   * does not resend werift's replay of candidates the SFU already has.
   */
  firstTrickle(peer: 'pub' | 'sub', candidate: string): boolean;
  /** Closes both peer connections (idempotent). */
  close(): void;
}

export function createSfuPeers(rpc: SignalServerClient, sessionId: string, iceServers: Credentials['iceServers'], logger: Logger, loopbackOnly = false): SfuPeers {
  let bound = rpc;
  const trickled = new Set<string>();
  const rtc = rtcConfiguration({ iceServers, loopbackOnly });
  // URLs only (credentials are separate fields): what werift will not try, and why.
  for (const { url, why } of iceServersForWerift(iceServers ?? []).skipped) logger.info('ICE server URL left out (werift cannot use it)', { url, why });
  const publisher = createPublisher({
    rtc,
    logger,
    setPublisher: (req) => bound.setPublisher$({ sdp: req.sdp, sessionId, tracks: req.tracks }).pipe(map((res) => ({ sdp: res.sdp ?? '' }))),
  });
  const subscriber = createSubscriber({
    rtc,
    logger,
    sendAnswer: (req) => bound.sendAnswer$({ peerType: PeerType.PEER_TYPE_SUBSCRIBER, sdp: req.sdp, sessionId, negotiationId: req.negotiationId }),
  });
  return {
    publisher,
    subscriber,
    rebind: (next) => { bound = next; },
    firstTrickle: (peer, candidate) => {
      const key = `${peer}|${candidate}`;
      if (trickled.has(key)) return false;
      trickled.add(key);
      return true;
    },
    close: () => {
      publisher.close();
      subscriber.close();
    },
  };
}
