/** Track-type helpers shared by the publisher and subscriber sides. */
import { TrackType } from '../../protocol/index.js';

/** The media stream id the SFU puts on a forwarded track: `${trackLookupPrefix}:${TrackTypeName}`. */
export function mediaStreamId(trackLookupPrefix: string, trackType: TrackType): string {
  return `${trackLookupPrefix}:${TrackType[trackType]}`;
}

/** The werift media kind that carries a track type. */
export function kindOf(trackType: TrackType): 'audio' | 'video' {
  return trackType === TrackType.TRACK_TYPE_AUDIO || trackType === TrackType.TRACK_TYPE_SCREEN_SHARE_AUDIO ? 'audio' : 'video';
}

/** The track type assumed for an m-section the client did not describe in its TrackInfo list. */
export function defaultTrackType(kind: string): TrackType {
  return kind === 'audio' ? TrackType.TRACK_TYPE_AUDIO : TrackType.TRACK_TYPE_VIDEO;
}
