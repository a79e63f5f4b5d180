/**
 * A remote video track's RTP → encoded VP8 frames, asking for keyframes by itself: when the
 * subscription starts, when a stream starts (its first packet, and every new stream a reconnect
 * brings), and after a gap until a keyframe comes (at most one request per `minKeyframeIntervalMs`).
 * The request at a stream's first packet is the reliable one: the one at subscribe may go out
 * before the track has a packet (an SSRC to name), and a PLI then goes nowhere.
 */
import { asyncScheduler, defer, tap, type Observable, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';
import { jitterBuffer } from './jitter-buffer.js';
import { vp8Depacketize, type VideoFrame } from './vp8-depacketizer.js';

export interface RemoteVideoOptions {
  /** Packets held behind a missing one (a frame is several packets). @default 50 */
  jitterDepth?: number;
  /** @default 100 */
  jitterMaxWaitMs?: number;
  /** Keyframe requests are at least this far apart. @default 300 */
  minKeyframeIntervalMs?: number;
}

/**
 * ```
 * rtp$:     -a1-a2M-b1M-(new stream)c1M-d1M-|
 * frames$:  ------A---B---------------C---D-|   PLI at subscribe, at a1 and at c1 (new stream);
 *                                               C has gapBefore; PLI again at D unless C was a keyframe
 * ```
 */
export function remoteVideo$(
  rtp$: Observable<RtpPacket>, requestKeyframe: () => void, options: RemoteVideoOptions = {}, scheduler: SchedulerLike = asyncScheduler,
): Observable<VideoFrame> {
  return defer(() => {
    const minInterval = options.minKeyframeIntervalMs ?? 300;
    let lastRequest = -Infinity;
    let waitingForKeyframe = true;
    const request = (force = false) => {
      if (!force && scheduler.now() - lastRequest < minInterval) return;
      lastRequest = scheduler.now();
      requestKeyframe();
    };
    request(true);
    return rtp$.pipe(
      jitterBuffer({ depth: options.jitterDepth ?? 50, maxWaitMs: options.jitterMaxWaitMs ?? 100, scheduler }),
      tap((out) => {
        // Every stream start, whatever its first packet: the old stream's decoder state is gone.
        if (out.restart) {
          waitingForKeyframe = true;
          request(true);
        }
      }),
      vp8Depacketize(),
      tap((frame) => {
        if (frame.keyframe) waitingForKeyframe = false;
        else if (frame.gapBefore || waitingForKeyframe) {
          waitingForKeyframe = true;
          request();
        }
      }),
    );
  });
}
