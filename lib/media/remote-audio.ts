/**
 * A remote audio track's RTP → PCM frames: jitter buffer, Opus decode with loss concealment at the
 * asked native rate, fixed frames on a continuous clock. Cold: each subscription has its own
 * jitter buffer and decoder, and nothing is decoded while nobody listens.
 */
import { asyncScheduler, defer, map, type Observable, type SchedulerLike } from 'rxjs';
import type { RtpPacket } from './rtp-packet.js';
import { resolveAudioOptions, type AudioFrame, type AudioOptions } from './audio-frame.js';
import { jitterBuffer } from './jitter-buffer.js';
import { decodeConcealing, libopusDecoder, type OpusDecoderFactory } from './opus-concealing-decoder.js';
import { reframe } from './reframe.js';

/**
 * Opus RTP → {@link AudioFrame}s. `participant()` is read per frame (the owner as known now).
 * Bad options → error notification RXSFU_ERR_INVALID_ARGUMENT at subscription. `createDecoder`
 * is called once per subscription, at subscription: no subscriber, no decoder, nothing decoded.
 *
 * ```
 * rtp$:     -p1-p3-p2----p5--|        (p2 late behind p3? reordered; p4 lost)
 * audio$:   -a--(bc)-----(de)|        a, b, c decoded; d concealed (PLC), e decoded; 20 ms apart
 * ```
 */
export function remoteAudio$<P>(
  rtp$: Observable<RtpPacket>, participant: () => P, options: AudioOptions = {}, scheduler: SchedulerLike = asyncScheduler,
  createDecoder: OpusDecoderFactory = libopusDecoder,
): Observable<AudioFrame<P>> {
  return defer(() => {
    const resolved = resolveAudioOptions(options);
    const { sampleRate, channels, frameMs } = resolved;
    return rtp$.pipe(
      jitterBuffer({ depth: resolved.jitterDepth, maxWaitMs: resolved.jitterMaxWaitMs, restartOnLateRun: true, scheduler }),
      decodeConcealing({ sampleRate, channels, maxGapFillMs: resolved.maxGapFillMs, createDecoder }),
      reframe({ sampleRate, channels, frameMs }),
      map((frame): AudioFrame<P> => ({
        samples: frame.samples, sampleRate, channels, timestampMs: frame.timestampMs, concealed: frame.concealed,
        participant: participant(), latePackets: frame.last.late, lostPackets: frame.last.lost,
        ...(frame.gapMs ? { gapMs: frame.gapMs } : {}),
      })),
    );
  });
}
