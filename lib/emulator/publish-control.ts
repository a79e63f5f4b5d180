/**
 * What the emulator's SFU tells a publisher about what to send (WIRE.md): the publish options of its
 * JoinResponse, and on demand (`faults.session(id).setVideoLayersActive / changePublishOptions`)
 * the `change_publish_quality` and `change_publish_options` events Stream's SFU sends, shaped as
 * the official client reads them (spec/emulator/publish-control.spec.ts decodes them with its
 * types): a video sender is found by `publish_option_id` and track type, its layers by `name` = rid.
 */
import { rxsfuError } from '../errors.js';
import { TrackType, type SfuEventInit, type TrackInfo } from '../protocol/index.js';
import type { PublishOption } from '../rtc/publish-options.js';

/** What a single-layer VP8 / Opus publisher follows (the client announces these ids and codecs). */
export const EMULATOR_PUBLISH_OPTIONS: readonly PublishOption[] = [
  { id: 0, trackType: TrackType.TRACK_TYPE_AUDIO, codec: { name: 'opus', payloadType: 111, clockRate: 48000 } },
  {
    id: 1, trackType: TrackType.TRACK_TYPE_VIDEO, codec: { name: 'VP8', payloadType: 96, clockRate: 90000 },
    bitrate: 1_000_000, fps: 30, videoDimension: { width: 1280, height: 720 }, maxSpatialLayers: 1, useSingleLayer: true,
  },
];

const VIDEO_TYPES = [TrackType.TRACK_TYPE_VIDEO, TrackType.TRACK_TYPE_SCREEN_SHARE];

/**
 * `change_publish_quality` for the announced video track of `trackType`: each layer it announced
 * (by rid) set `active`, with the announced bitrate and frame rate as limits. Throws
 * RXSFU_ERR_INVALID_ARGUMENT when that track is not a video track the session announced.
 */
export function changePublishQualityEvent(announced: readonly TrackInfo[], trackType: TrackType, active: boolean): SfuEventInit {
  if (typeof active !== 'boolean') throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `setVideoLayersActive: active must be a boolean, got ${String(active)}`);
  const track = VIDEO_TYPES.includes(trackType) ? announced.find((t) => t.trackType === trackType) : undefined;
  if (!track) throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `setVideoLayersActive: the session announced no ${TrackType[trackType] ?? trackType} video track`);
  const layers = track.layers?.length ? track.layers : [{ rid: 'q' }];
  return {
    changePublishQuality: {
      videoSenders: [{
        trackType,
        publishOptionId: track.publishOptionId ?? 0,
        ...(track.codec ? { codec: track.codec } : {}),
        layers: layers.map((layer) => ({
          name: layer.rid ?? 'q', active, maxBitrate: layer.bitrate ?? 0, scaleResolutionDownBy: 1, maxFramerate: layer.fps ?? 0,
        })),
      }],
    },
  };
}

/** `change_publish_options`: the options the publisher should follow from now on. */
export function changePublishOptionsEvent(publishOptions: readonly PublishOption[], reason = 'emulator: publish options changed'): SfuEventInit {
  if (!Array.isArray(publishOptions) || !publishOptions.every((o) => o !== null && typeof o === 'object')) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', 'changePublishOptions: publishOptions must be an array of PublishOption objects');
  }
  return { changePublishOptions: { publishOptions: [...publishOptions], reason } };
}
