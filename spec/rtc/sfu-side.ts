/**
 * Test fixture: the SFU side of a connection played by a plain werift RTCPeerConnection (ICE-lite,
 * like Stream's SFU), wired straight to the injected RPC functions of the client side.
 * Promises are fine here: this is a test edge, not the Rx core.
 */
import { defer, filter, firstValueFrom, Observable, take } from 'rxjs';
import { RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { rtcConfiguration } from '../../lib/rtc/index.js';

export interface SfuSide {
  pc: RTCPeerConnection;
  /** Plays SetPublisher: applies the client's offer, answers. */
  setPublisher: (req: { sdp: string }) => Observable<{ sdp: string }>;
  /** Plays SendAnswer: applies the client's answer to our last offer. */
  sendAnswer: (req: { sdp: string; negotiationId: number }) => Observable<unknown>;
  /** Our offer for the subscriber connection. */
  offer(options?: { iceRestart?: boolean }): Promise<string>;
  /** Client candidates land here. */
  addCandidate(json: string): void;
  answers: number[];
  /** Resolves once this side is no longer `connecting` (its DTLS handshake ended), at most 2 s. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function createSfuSide(): SfuSide {
  const pc = new RTCPeerConnection(rtcConfiguration({ iceLite: true, loopbackOnly: true }));
  const answers: number[] = [];
  const settled = async (): Promise<void> => {
    if (pc.connectionState === 'connecting') {
      await pc.connectionStateChange.watch((state) => state !== 'connecting', 2000).catch(() => undefined);
    }
  };
  return {
    pc,
    answers,
    setPublisher: (req) =>
      defer(async () => {
        await pc.setRemoteDescription({ type: 'offer', sdp: req.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        return { sdp: pc.localDescription!.sdp };
      }),
    sendAnswer: (req) =>
      defer(async () => {
        answers.push(req.negotiationId);
        await pc.setRemoteDescription({ type: 'answer', sdp: req.sdp });
        return {};
      }),
    async offer(options = {}) {
      await pc.setLocalDescription(await pc.createOffer(options));
      return pc.localDescription!.sdp;
    },
    addCandidate(json) {
      pc.addIceCandidate(JSON.parse(json)).catch(() => undefined);
    },
    // Closing while our DTLS handshake is still finishing leaves werift's DTLS client retransmitting
    // flight 5 for ~30 s (a bounded werift timer that keeps mocha alive): let the handshake end first.
    close: async () => {
      await settled();
      await pc.close();
    },
    settled,
  };
}

/** Trickles the SFU side's candidates to a client connection. */
export function trickleTo(sfu: SfuSide, addRemoteCandidate: (json: string) => void): void {
  sfu.pc.onIceCandidate.subscribe((candidate) => {
    if (candidate) addRemoteCandidate(JSON.stringify(candidate.toJSON()));
  });
}

export function waitForState(state$: Observable<string>, state: string): Promise<string> {
  return firstValueFrom(state$.pipe(filter((s) => s === state), take(1)));
}

/** An RTP packet whose payload says which packet it is. */
export function numberedPacket(n: number, payloadType = 111): RtpPacket {
  const header = new RtpHeader({ payloadType, sequenceNumber: n & 0xffff, timestamp: n * 960, ssrc: 1234, marker: true });
  const payload = Buffer.alloc(40);
  payload.write(`packet-${n}`);
  return new RtpPacket(header, payload);
}

export function packetNumber(packet: { readonly payload: Buffer }): number {
  const text = packet.payload.subarray(0, 40).toString().replace(/\0+$/, '');
  const match = /^packet-(\d+)$/.exec(text);
  return match ? Number(match[1]) : -1;
}
