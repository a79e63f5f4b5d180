/**
 * Publishing as the SFU expects (issue 11 item 6), for a single-layer VP8 / Opus publisher:
 * announced tracks carry `publish_option_id`, `codec` and (video) one layer from the SFU's publish
 * options, checked with the official client's TrackInfo codec; `change_publish_options` with a codec
 * we cannot produce is refused; `change_publish_quality` switching every layer off stops the track.
 */
import { expect } from 'chai';
import { filter, firstValueFrom, interval, lastValueFrom, Subject, takeUntil } from 'rxjs';
import type { MediaStreamTrack } from 'werift';
import { SfuModels } from '@stream-io/video-client';
import { createPublisher, rtcConfiguration } from '../../lib/rtc/index.js';
import { acceptPublishOptions, activeVideo, fromPublishOption, type PublishOption } from '../../lib/rtc/publish-options.js';
import { models, TrackType } from '../../lib/protocol/index.js';
import { createSfuSide, numberedPacket, packetNumber, trickleTo, waitForState } from './sfu-side.js';

const VP8: PublishOption = {
  id: 1, trackType: TrackType.TRACK_TYPE_VIDEO, codec: { name: 'VP8', payloadType: 96, clockRate: 90000 },
  bitrate: 1_200_000, fps: 30, videoDimension: { width: 640, height: 480 }, maxSpatialLayers: 1, useSingleLayer: true,
};
const OPUS: PublishOption = { id: 2, trackType: TrackType.TRACK_TYPE_AUDIO, codec: { name: 'opus', payloadType: 111, clockRate: 48000 } };

describe('rtc/publish options', function () {
  this.timeout(20000);

  it('announced tracks name their publish option and codec; video announces its one layer (official TrackInfo decodes it)', () => {
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: () => { throw new Error('not reached'); } });
    try {
      publisher.addTrack('audio', TrackType.TRACK_TYPE_AUDIO);
      publisher.addTrack('video', TrackType.TRACK_TYPE_VIDEO);
      expect(publisher.announcedTracks()[1]).to.not.have.property('publishOptionId');
      publisher.setPublishOptions([VP8, OPUS]);
      const [audio, video] = publisher.announcedTracks();
      expect(audio).to.deep.include({ publishOptionId: 2, codec: OPUS.codec });
      expect(audio).to.not.have.property('layers');
      const official = SfuModels.TrackInfo.fromBinary(models.TrackInfo.encode(video!).finish());
      expect(official).to.deep.include({ trackType: SfuModels.TrackType.VIDEO, publishOptionId: 1 });
      expect(official.codec).to.deep.include({ name: 'VP8', payloadType: 96, clockRate: 90000 });
      expect(official.layers).to.have.length(1);
      expect(official.layers[0]).to.deep.include({ rid: 'q', bitrate: 1_200_000, fps: 30, videoDimension: { width: 640, height: 480 } });
    } finally {
      publisher.close();
    }
  });

  it('change_publish_options: a codec the publisher cannot produce is refused with a reason; the rest is taken', () => {
    const h264 = { ...VP8, id: 7, codec: { name: 'H264', payloadType: 102, clockRate: 90000 } };
    const refused = acceptPublishOptions([VP8, OPUS], [h264]);
    expect(refused.options).to.deep.equal([VP8, OPUS]);
    expect(refused.refused[0]).to.match(/H264.*vp8 only/);
    const lower = { ...VP8, id: 9, bitrate: 300_000 };
    expect(acceptPublishOptions([VP8, OPUS], [lower])).to.deep.equal({ options: [lower, OPUS], refused: [] });
    expect(fromPublishOption(undefined)).to.deep.equal({});
    // Resent as it is (a new decoded object, same content): kept, so nothing is renegotiated.
    const resent = acceptPublishOptions([VP8, OPUS], [{ ...OPUS, codec: { ...OPUS.codec } }]).options;
    expect(resent[0]).to.equal(VP8);
    expect(resent[1]).to.equal(OPUS);
  });

  it('change_publish_quality: every layer off → the track stops; one on → it sends again', () => {
    const off = activeVideo({ videoSenders: [{ trackType: TrackType.TRACK_TYPE_VIDEO, layers: [{ name: 'q', active: false }] }] });
    expect([...off]).to.deep.equal([[TrackType.TRACK_TYPE_VIDEO, false]]);
    const on = activeVideo({ videoSenders: [{ trackType: TrackType.TRACK_TYPE_VIDEO, layers: [{ name: 'q', active: false }, { name: 'f', active: true }] }] });
    expect([...on]).to.deep.equal([[TrackType.TRACK_TYPE_VIDEO, true]]);
  });

  it('a video track switched off sends nothing of what is written meanwhile (real werift, SFU side counting)', async () => {
    const sfu = createSfuSide();
    const publisher = createPublisher({ rtc: rtcConfiguration({ loopbackOnly: true }), setPublisher: (req) => sfu.setPublisher(req) });
    publisher.localCandidate$.subscribe((json) => sfu.addCandidate(json));
    trickleTo(sfu, publisher.addRemoteCandidate);
    try {
      const video = publisher.addTrack('video', TrackType.TRACK_TYPE_VIDEO);
      const remote = new Promise<MediaStreamTrack>((resolve) => sfu.pc.onTrack.once((track) => resolve(track)));
      await lastValueFrom(publisher.negotiate$(), { defaultValue: undefined });
      await waitForState(publisher.connectionState$, 'connected');
      const received = new Set<number>();
      (await remote).onReceiveRtp.subscribe((packet) => received.add(packetNumber(packet)));
      const write = (from: number, count: number) => {
        const stop = new Subject<void>();
        interval(5).pipe(takeUntil(stop)).subscribe((i) => (i < count ? video.writeRtp(numberedPacket(from + i, 96)) : stop.next()));
      };
      write(0, 40);
      await firstValueFrom(interval(10).pipe(filter(() => received.size >= 20)));
      publisher.setSending(TrackType.TRACK_TYPE_VIDEO, false);
      const pausedFrom = 1000;
      write(pausedFrom, 40);
      await firstValueFrom(interval(300).pipe(filter((i) => i >= 1)));
      publisher.setSending(TrackType.TRACK_TYPE_VIDEO, true);
      write(2000, 40);
      await firstValueFrom(interval(10).pipe(filter(() => [...received].some((n) => n >= 2000))));
      expect([...received].filter((n) => n >= pausedFrom && n < pausedFrom + 40), 'packets written while switched off').to.deep.equal([]);
    } finally {
      publisher.close();
      await sfu.close();
    }
  });
});
