/**
 * The edge between rxsfu's `RtpPacket` (lib/media/rtp-packet.ts) and werift's: werift's packets
 * already are rxsfu packets structurally, so only what goes into werift is converted.
 */
import { RtpHeader as WeriftRtpHeader, RtpPacket as WeriftRtpPacket } from 'werift';
import type { RtpPacket } from '../media/rtp-packet.js';

/** werift's packet for `packet`: itself when werift made it, else a new one sharing the payload. */
export function toWeriftRtp(packet: RtpPacket): WeriftRtpPacket {
  if (packet instanceof WeriftRtpPacket) return packet;
  const { payloadType, sequenceNumber, timestamp, ssrc, marker, csrc = [], extensions = [] } = packet.header;
  const header = new WeriftRtpHeader({
    payloadType, sequenceNumber, timestamp, ssrc, marker,
    csrc: [...csrc],
    extensions: extensions.map(({ id, payload }) => ({ id, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) })),
  });
  return new WeriftRtpPacket(header, packet.payload);
}
