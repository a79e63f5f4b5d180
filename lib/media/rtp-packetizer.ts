/**
 * Media frames → RTP packets (rxsfu's `RtpPacket`): sequence numbers +1 per packet, timestamps
 * +step per frame, one SSRC per stream. werift rewrites payload type, SSRC and sequence offset to
 * what was negotiated when the packet is written to a track, so the values here only need to be
 * self-consistent; tests and direct RTP users see them as is.
 */
import { randomInt } from 'node:crypto';
import { defer, mergeMap, type Observable, type OperatorFunction } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';
import { rxsfuError } from '../errors.js';

/** Where the RTP marker bit goes. */
export type RtpMarkerRule =
  /** Audio (RFC 3551/7587): the first packet of a talkspurt; a continuous source marks only its first packet. */
  | 'talkspurt-start'
  /** Video (RFC 7741): the last packet of each frame. */
  | 'frame-end';

/** Options of {@link packetize}. */
export interface RtpPacketizerOptions {
  /** RTP payload type written in each header (werift replaces it with the negotiated one). */
  payloadType: number;
  /** RTP timestamp increase per frame: 960 for 20 ms Opus at 48 kHz, 3000 for 30 fps video at 90 kHz. */
  timestampStep: number;
  /** Marker bit placement. @default 'talkspurt-start' */
  marker?: RtpMarkerRule;
  /** SSRC of the stream. @default random 32-bit, chosen per subscription */
  ssrc?: number;
  /** First sequence number. @default random 16-bit */
  initialSequenceNumber?: number;
  /** First timestamp. @default random 32-bit */
  initialTimestamp?: number;
}

/** The running state of one RTP stream: call {@link RtpSequencer.next} once per frame. */
export interface RtpSequencer {
  /** One frame, already split into packet payloads, → its RTP packets. */
  next(payloads: readonly Uint8Array[]): RtpPacket[];
}

function checkOptions(options: RtpPacketizerOptions): void {
  const { payloadType, timestampStep } = options;
  if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `payloadType must be an integer 0..127, got ${payloadType}`);
  }
  if (!Number.isInteger(timestampStep) || timestampStep <= 0) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `timestampStep must be a positive integer, got ${timestampStep}`);
  }
}

/** Creates the state of one RTP stream. Throws RXSFU_ERR_INVALID_ARGUMENT on bad options. */
export function createRtpSequencer(options: RtpPacketizerOptions): RtpSequencer {
  checkOptions(options);
  const ssrc = (options.ssrc ?? randomInt(1, 2 ** 32 - 1)) >>> 0;
  let sequenceNumber = (options.initialSequenceNumber ?? randomInt(0, 2 ** 16)) & 0xffff;
  let timestamp = (options.initialTimestamp ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
  let first = true;
  const markerRule = options.marker ?? 'talkspurt-start';
  return {
    next(payloads) {
      const packets = payloads.map((payload, index) => {
        const marker = markerRule === 'frame-end' ? index === payloads.length - 1 : first && index === 0;
        const header = { payloadType: options.payloadType, sequenceNumber, timestamp, ssrc, marker };
        sequenceNumber = (sequenceNumber + 1) & 0xffff;
        return { header, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) };
      });
      first = false;
      timestamp = (timestamp + options.timestampStep) >>> 0;
      return packets;
    },
  };
}

/**
 * Operator: each frame (its packet payloads) → its RTP packets, in order. Every subscription is
 * a new RTP stream (own SSRC and random starting points unless given).
 *
 * ```
 * frames:   ----[a]------[b1,b2]----|
 * packetize({ payloadType: 96, timestampStep: 3000, marker: 'frame-end' })
 * packets:  ----A--------(B1B2)-----|
 *           A:  seq s,   ts t,      marker
 *           B1: seq s+1, ts t+3000
 *           B2: seq s+2, ts t+3000, marker
 * ```
 *
 * Bad options → error notification RXSFU_ERR_INVALID_ARGUMENT at subscription.
 */
export function packetize(options: RtpPacketizerOptions): OperatorFunction<readonly Uint8Array[], RtpPacket> {
  return (frames$: Observable<readonly Uint8Array[]>) =>
    defer(() => {
      const sequencer = createRtpSequencer(options);
      return frames$.pipe(mergeMap((payloads) => sequencer.next(payloads)));
    });
}
