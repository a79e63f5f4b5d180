/**
 * A network cut for werift's UDP: every datagram of a peer connection, both ways (RTP, RTCP, DTLS
 * and the STUN consent checks), is dropped while `blocked()` says so, at werift's UDP transport, the
 * last layer before the socket. What the client sees is a path that went silent, as on a real outage.
 */
import type { RTCPeerConnection } from 'werift';

/** The part of werift's UDP transport the gate wraps (its `send` and `onData` are plain properties). */
interface GatedTransport {
  send: (data: Buffer, addr?: unknown) => Promise<void>;
  onData: (data: Buffer, addr: unknown) => void;
}

const gated = new WeakSet<object>();

/** Gates every UDP transport `pc` has now (idempotent per transport; the gate reads `blocked` on each datagram). */
export function gateUdp(pc: RTCPeerConnection, blocked: () => boolean): void {
  for (const iceTransport of pc.iceTransports) {
    // `protocols` is werift's private list of the ICE connection's sockets (one per local candidate).
    const protocols = (iceTransport.connection as unknown as { protocols?: { transport?: GatedTransport }[] }).protocols ?? [];
    for (const { transport } of protocols) {
      if (!transport || gated.has(transport) || typeof transport.send !== 'function') continue;
      gated.add(transport);
      const send = transport.send;
      const onData = transport.onData;
      transport.send = (data, addr) => (blocked() ? Promise.resolve() : send(data, addr));
      transport.onData = (data, addr) => {
        if (!blocked()) onData(data, addr);
      };
    }
  }
}
