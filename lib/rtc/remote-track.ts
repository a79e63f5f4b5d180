/**
 * A track the SFU sends us on the subscriber connection, as Observables. The media stream id
 * `${trackLookupPrefix}:${TrackTypeName}` (lib/emulator/media/contract.ts) says whose track it is
 * (Participant.track_lookup_prefix) and which kind (audio, video, screen share).
 */
import type { Observable } from 'rxjs';
import type { RtpPacket } from '../media/rtp-packet.js';
import { TrackType } from '../protocol/index.js';

export interface RemoteTrack {
  /** Participant.track_lookup_prefix of the publisher; '' when the stream id has no prefix. */
  readonly trackLookupPrefix: string;
  /** From the stream id; TRACK_TYPE_UNSPECIFIED when the stream id does not name a known type. */
  readonly trackType: TrackType;
  readonly kind: 'audio' | 'video';
  /** The raw media stream id, for logs and tracks that do not follow the convention. */
  readonly streamId: string;
  /** RTP packets as they arrive (werift's, typed as rxsfu's `RtpPacket`); completes when the track ends or the connection closes. */
  readonly rtp$: Observable<RtpPacket>;
  /** One value, then complete, when the track ends (section stopped in a re-offer) or the connection closes. */
  readonly ended$: Observable<void>;
  /** Sends an RTCP PLI for this track (video: ask the sender for a keyframe). No-op before its first packet or after it ended. */
  requestKeyframe(): void;
}

/** Splits `a1b2c3:TRACK_TYPE_AUDIO` into prefix and track type. */
export function parseStreamId(streamId: string): { trackLookupPrefix: string; trackType: TrackType } {
  const at = streamId.lastIndexOf(':');
  const prefix = at < 0 ? '' : streamId.slice(0, at);
  const name = at < 0 ? streamId : streamId.slice(at + 1);
  const value = (TrackType as unknown as Record<string, number | undefined>)[name];
  return {
    trackLookupPrefix: prefix,
    trackType: typeof value === 'number' ? (value as TrackType) : TrackType.TRACK_TYPE_UNSPECIFIED,
  };
}
