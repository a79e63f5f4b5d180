/**
 * A deterministic media-path fault: packets to one subscriber are dropped or swapped with the next
 * one on a fixed pattern, as a lossy, reordering network would do, so tests can check the jitter
 * buffer and loss concealment over real peer connections. Nothing random: the same pattern every run.
 */
import type { RtpPacket } from '../../media/rtp-packet.js';
import type { MediaDisturbance } from './contract.js';
import type { RtpSink } from './track-bus.js';

/** Wraps `sink` so packets follow `disturbance`; counts per wrapped sink (one per track). */
export function disturbedSink(sink: RtpSink, disturbance: () => MediaDisturbance | undefined): RtpSink {
  let count = 0;
  let held: RtpPacket | undefined;
  return (packet) => {
    const d = disturbance();
    if (!d) {
      if (held) sink(held);
      held = undefined;
      sink(packet);
      return;
    }
    count++;
    if (d.dropEvery && count % d.dropEvery === 0) return;
    if (held) {
      sink(packet);
      sink(held);
      held = undefined;
    } else if (d.reorderEvery && count % d.reorderEvery === 0) {
      held = packet;
    } else {
      sink(packet);
    }
  };
}
