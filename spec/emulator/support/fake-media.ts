/**
 * TEMPORARY stand-in for lib/emulator/media's createMediaPlane, used only until the real media plane
 * lands: it records what the control plane asked for and answers with canned SDP, so the control
 * plane's wiring (Twirp → media, media callbacks → events) can be asserted. No media flows.
 */
import type { MediaCallbacks, SfuMediaPlane } from '../../../lib/emulator/media/contract.js';
import type { MediaPlaneFactory } from '../../../lib/emulator/index.js';

export interface FakeMediaCall {
  method: string;
  sessionId?: string;
  args: unknown[];
}

export interface FakeMedia extends SfuMediaPlane {
  readonly calls: FakeMediaCall[];
  readonly callbacks: MediaCallbacks;
  readonly sessions: Set<string>;
  closed: boolean;
}

export function fakeMediaFactory(planes: FakeMedia[]): MediaPlaneFactory {
  return ({ callbacks }) => {
    const calls: FakeMediaCall[] = [];
    const sessions = new Set<string>();
    const log = (method: string, sessionId?: string, ...args: unknown[]) => calls.push({ method, sessionId, args });
    const plane: FakeMedia = {
      calls,
      callbacks,
      sessions,
      closed: false,
      addSession: (p) => (log('addSession', p.sessionId), sessions.add(p.sessionId), undefined),
      handlePublisherOffer: async (id, sdp, tracks) => {
        log('handlePublisherOffer', id, sdp, tracks);
        if (sdp === 'bad') throw new Error('unparsable offer');
        return `answer-to:${sdp}`;
      },
      handleSubscriberAnswer: async (id, sdp, negotiationId) => void log('handleSubscriberAnswer', id, sdp, negotiationId),
      addIceCandidate: async (id, peerType, candidate) => void log('addIceCandidate', id, peerType, candidate),
      setSubscriptions: (id, subs) => void log('setSubscriptions', id, subs),
      restartIce: async (id, peerType) => void log('restartIce', id, peerType),
      publishedTracks: () => [],
      removeSession: async (id) => void (log('removeSession', id), sessions.delete(id)),
      addSimulatedParticipant: (p, options) => void (log('addSimulatedParticipant', p.sessionId, options), sessions.add(p.sessionId)),
      receivedPackets: () => [],
      publishedPackets: () => [],
      close: async () => {
        plane.closed = true;
      },
    };
    planes.push(plane);
    return plane;
  };
}
