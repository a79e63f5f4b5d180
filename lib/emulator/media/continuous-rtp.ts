/**
 * One RTP stream per track, as a browser sends it: when a simulated participant's audio changes
 * source (its tone, then `speak()`), the new source's sequence numbers and timestamps are shifted to
 * run on from the last packet sent. Each source numbers from a random start, and the SFU's werift
 * sender keeps the track's SSRC but not its numbering, so without this a listener saw the same
 * SSRC jump to a random sequence number: a jump back of fewer than 1000 reads as late packets, and
 * the new voice was dropped (about 1 switch in 65).
 */
import type { RtpPacket } from '../../media/rtp-packet.js';

export interface ContinuousRtp {
  /** The packet renumbered onto the track's stream. */
  (packet: RtpPacket): RtpPacket;
  /** The next packet starts a new source: it follows the last one sent, `timestampStep` later. */
  newSource(timestampStep: number): void;
}

export function continuousRtp(): ContinuousRtp {
  let last: { sequenceNumber: number; timestamp: number } | undefined;
  let offsets = { sequence: 0, timestamp: 0 };
  let step: number | undefined;
  const renumber = ((packet: RtpPacket): RtpPacket => {
    const { sequenceNumber, timestamp } = packet.header;
    if (step !== undefined && last) {
      offsets = { sequence: (last.sequenceNumber + 1 - sequenceNumber) & 0xffff, timestamp: (last.timestamp + step - timestamp) >>> 0 };
    }
    step = undefined;
    const header = { ...packet.header, sequenceNumber: (sequenceNumber + offsets.sequence) & 0xffff, timestamp: (timestamp + offsets.timestamp) >>> 0 };
    last = header;
    return { header, payload: packet.payload };
  }) as ContinuousRtp;
  renumber.newSource = (timestampStep) => {
    step = timestampStep;
  };
  return renumber;
}
