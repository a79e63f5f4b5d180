/**
 * What the SFU asks of a publisher (WIRE.md: JoinResponse.publish_options, change_publish_options,
 * change_publish_quality), for a single-layer VP8 / Opus publisher as the official client treats
 * one: each announced track names the publish option it follows (`publish_option_id`) and its
 * `codec`; a video track announces its one layer; a codec we cannot produce is refused (kept as
 * it was, with the reason); a video sender whose layers are all switched off stops sending.
 */
import { models, TrackType, type stream } from '../protocol/index.js';

export type PublishOption = stream.video.sfu.models.PublishOption.$Properties;
export type VideoLayer = stream.video.sfu.models.VideoLayer.$Properties;
type ChangePublishQuality = stream.video.sfu.event.ChangePublishQuality.$Properties;

/** The codecs this publisher produces, by track kind. */
const PRODUCED: Record<'audio' | 'video', string> = { audio: 'opus', video: 'vp8' };

const isVideo = (trackType: TrackType | null | undefined) =>
  trackType === TrackType.TRACK_TYPE_VIDEO || trackType === TrackType.TRACK_TYPE_SCREEN_SHARE;

/** The fields of a `TrackInfo` that come from its publish option (none without one). */
export function fromPublishOption(option: PublishOption | undefined): { codec?: PublishOption['codec']; publishOptionId?: number; layers?: VideoLayer[] } {
  if (!option) return {};
  const base = { ...(option.codec ? { codec: option.codec } : {}), publishOptionId: option.id ?? 0 };
  if (!isVideo(option.trackType)) return base;
  // One layer: the official client names a lone layer `q` (its rid mapping counts from the lowest).
  const layer: VideoLayer = {
    rid: 'q',
    videoDimension: option.videoDimension ?? { width: 1280, height: 720 },
    bitrate: option.bitrate ?? 0,
    fps: option.fps ?? 30,
    quality: 0,
  };
  return { ...base, layers: [layer] };
}

/**
 * The options to follow after `change_publish_options`: per track type the new option, unless its
 * codec is one we do not produce (then the old one stays, and `refused` says why).
 */
export function acceptPublishOptions(current: readonly PublishOption[], next: readonly PublishOption[]): { options: PublishOption[]; refused: string[] } {
  const refused: string[] = [];
  const options = [...current];
  for (const option of next) {
    const kind = isVideo(option.trackType) ? 'video' : 'audio';
    const name = option.codec?.name?.toLowerCase();
    if (name && name !== PRODUCED[kind]) {
      refused.push(`${TrackType[option.trackType ?? 0]} codec ${option.codec?.name}: this publisher sends ${PRODUCED[kind]} only`);
      continue;
    }
    const at = options.findIndex((o) => o.trackType === option.trackType);
    // An option repeated as it is (the SFU resends every option) is no change: no renegotiation.
    if (at >= 0 && !samePublishOption(options[at]!, option)) options[at] = option;
    else if (at < 0) options.push(option);
  }
  return { options, refused };
}

/** Same wire content (decoded messages are new objects each time). */
function samePublishOption(a: PublishOption, b: PublishOption): boolean {
  return Buffer.from(models.PublishOption.encode(a).finish()).equals(models.PublishOption.encode(b).finish());
}

/** `change_publish_quality` → per video track type, whether any layer stays active. */
export function activeVideo(event: ChangePublishQuality): Map<TrackType, boolean> {
  const active = new Map<TrackType, boolean>();
  for (const sender of event.videoSenders ?? []) {
    const layers = sender.layers ?? [];
    active.set(sender.trackType ?? TrackType.TRACK_TYPE_VIDEO, layers.length === 0 || layers.some((l) => l.active));
  }
  return active;
}
