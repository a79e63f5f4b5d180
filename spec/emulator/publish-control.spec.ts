/**
 * The emulator's `change_publish_quality` and `change_publish_options` (issue 11 item 6), pinned
 * against the official client's types: its Publisher finds a video sender by `publishOptionId` and
 * track type, and each encoding's layer by `name` = rid (one encoding: the first enabled layer),
 * so the layers switched must be the ones the SDK announced.
 */
import { expect } from 'chai';
import { SfuEvents, SfuModels } from '@stream-io/video-client';
import { changePublishOptionsEvent, changePublishQualityEvent, EMULATOR_PUBLISH_OPTIONS } from '../../lib/emulator/publish-control.js';
import { fromPublishOption } from '../../lib/rtc/publish-options.js';
import { encodeSfuEvent, TrackType, type TrackInfo } from '../../lib/protocol/index.js';
import { isRxsfuError } from '../../lib/errors.js';

/** The video track as the SDK announces it with the emulator's JoinResponse options. */
const announcedVideo: TrackInfo = { trackId: 'v', trackType: TrackType.TRACK_TYPE_VIDEO, mid: '1', ...fromPublishOption(EMULATOR_PUBLISH_OPTIONS[1]) };
const announcedAudio: TrackInfo = { trackId: 'a', trackType: TrackType.TRACK_TYPE_AUDIO, mid: '0', ...fromPublishOption(EMULATOR_PUBLISH_OPTIONS[0]) };

const official = (bytes: Uint8Array) => SfuEvents.SfuEvent.fromBinary(bytes).eventPayload;

describe('emulator: change_publish_quality / change_publish_options as the official client reads them', () => {
  for (const active of [false, true]) {
    it(`layers ${active ? 'on' : 'off'}: the official client finds the sender and its layer 'q' ${active ? 'enabled' : 'disabled'}`, () => {
      const payload = official(encodeSfuEvent(changePublishQualityEvent([announcedAudio, announcedVideo], TrackType.TRACK_TYPE_VIDEO, active)));
      if (payload.oneofKind !== 'changePublishQuality') throw new Error(`decoded as ${payload.oneofKind}`);
      const [sender, ...others] = payload.changePublishQuality.videoSenders;
      expect(others).to.deep.equal([]);
      // What Publisher.changePublishQuality keys on: the transceiver of (publishOptionId, trackType).
      expect(sender).to.deep.include({ trackType: SfuModels.TrackType.VIDEO, publishOptionId: 1 });
      expect(sender!.codec).to.deep.include({ name: 'VP8', payloadType: 96, clockRate: 90000 });
      expect(sender!.layers.map((l) => [l.name, l.active, l.maxBitrate, l.maxFramerate, l.scaleResolutionDownBy])).to.deep.equal([['q', active, 1_000_000, 30, 1]]);
      // Its single-encoding rule: the encoding is active iff an enabled layer exists.
      expect(sender!.layers.filter((l) => l.active).length > 0).to.equal(active);
    });
  }

  it('change_publish_options carries the options and the reason', () => {
    const h264 = { ...EMULATOR_PUBLISH_OPTIONS[1], id: 7, codec: { name: 'H264', payloadType: 102, clockRate: 90000 } };
    const payload = official(encodeSfuEvent(changePublishOptionsEvent([h264], 'codec change')));
    if (payload.oneofKind !== 'changePublishOptions') throw new Error(`decoded as ${payload.oneofKind}`);
    expect(payload.changePublishOptions.reason).to.equal('codec change');
    expect(payload.changePublishOptions.publishOptions.map((o) => [o.id, o.trackType, o.codec?.name])).to.deep.equal([[7, SfuModels.TrackType.VIDEO, 'H264']]);
  });

  it('refuses with RXSFU_ERR_INVALID_ARGUMENT: no announced video track, an audio track type, a non-boolean, options that are not a list', () => {
    const attempts = [
      () => changePublishQualityEvent([announcedAudio], TrackType.TRACK_TYPE_VIDEO, false),
      () => changePublishQualityEvent([announcedAudio, announcedVideo], TrackType.TRACK_TYPE_AUDIO, false),
      () => changePublishQualityEvent([announcedVideo], TrackType.TRACK_TYPE_VIDEO, 'no' as unknown as boolean),
      () => changePublishOptionsEvent('vp9' as never),
    ];
    for (const attempt of attempts) {
      expect(attempt).to.throw().that.satisfies((err: unknown) => isRxsfuError(err) && err.code === 'RXSFU_ERR_INVALID_ARGUMENT');
    }
  });
});
