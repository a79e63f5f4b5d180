/**
 * VP8 RTP (RFC 7741) back to encoded frames: packets in sequence order (after the jitter buffer)
 * are joined from a start-of-partition-0 packet to the marker bit, payload descriptors stripped. A
 * frame with a packet missing is dropped, never handed out broken, and the next complete frame
 * says so (`gapBefore`): a decoder then needs a keyframe (`requestKeyframe()`).
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { parseVp8PayloadDescriptor } from './vp8-descriptor.js';
import type { JitterOutput } from './jitter-buffer.js';

/** One encoded VP8 frame. */
export interface VideoFrame {
  /** The VP8 frame as an encoder wrote it (payload descriptors removed): feed it to a VP8 decoder. */
  readonly data: Uint8Array;
  readonly keyframe: boolean;
  /** From the keyframe header; absent on interframes. */
  readonly width?: number;
  readonly height?: number;
  /** RTP timestamp (90 kHz). */
  readonly rtpTimestamp: number;
  readonly pictureId?: number;
  /** Frames were lost (or arrived incomplete) since the previous one handed out. */
  readonly gapBefore: boolean;
}

interface Building { parts: Uint8Array[]; timestamp: number; keyframe: boolean; pictureId?: number }

/** Width and height from a VP8 keyframe header (RFC 6386 §9.1: start code 9d 01 2a, then 14-bit sizes). */
function keyframeSize(data: Uint8Array): { width: number; height: number } | undefined {
  if (data.length < 10 || data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) return undefined;
  return { width: (data[6]! | (data[7]! << 8)) & 0x3fff, height: (data[8]! | (data[9]! << 8)) & 0x3fff };
}

function join(parts: Uint8Array[]): Uint8Array {
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (data.set(p, offset), offset + p.length), 0);
  return data;
}

/**
 * Operator: ordered VP8 packets → whole frames.
 *
 * ```
 * in:   -a1-a2M-b1-(lost)-b3M-c1M-|     (M: marker; b2 lost)
 * out:  ------A-----------------C-|     b dropped; C has gapBefore
 * ```
 * The first frame of a new stream (`restart`, after an earlier stream) also has `gapBefore`.
 */
export function vp8Depacketize(): OperatorFunction<JitterOutput, VideoFrame> {
  return (source$) =>
    new Observable<VideoFrame>((subscriber) => {
      let building: Building | undefined;
      let gap = false;
      let seenStream = false;
      const drop = () => {
        if (building) gap = true;
        building = undefined;
      };
      return source$.subscribe({
        next: ({ packet, lostBefore, restart }) => {
          // A new stream after an earlier one (a reconnect): what was between them is gone.
          if (restart && seenStream) {
            drop();
            gap = true;
          }
          seenStream = true;
          if (lostBefore > 0) {
            gap = true;
            drop();
          }
          const { timestamp, marker } = packet.header;
          let descriptor;
          try {
            descriptor = parseVp8PayloadDescriptor(packet.payload);
          } catch {
            drop();
            gap = true;
            return;
          }
          // A new timestamp before the last one's marker: the end of that frame never came.
          if (building && building.timestamp !== timestamp) drop();
          const body = packet.payload.subarray(descriptor.length);
          if (descriptor.start && descriptor.partitionId === 0) {
            if (building) drop();
            building = { parts: [body], timestamp, keyframe: descriptor.keyframe, pictureId: descriptor.pictureId };
          } else if (building) {
            building.parts.push(body);
          } else {
            gap = true; // the middle of a frame whose start we never saw
            return;
          }
          if (!marker) return;
          const data = join(building.parts);
          const size = building.keyframe ? keyframeSize(data) : undefined;
          subscriber.next({
            data, keyframe: building.keyframe, rtpTimestamp: timestamp, gapBefore: gap,
            ...(building.pictureId !== undefined ? { pictureId: building.pictureId } : {}), ...(size ?? {}),
          });
          building = undefined;
          gap = false;
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
