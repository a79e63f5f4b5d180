import { expect } from 'chai';
import { filter, firstValueFrom, take, tap, toArray, timeout, type Observable } from 'rxjs';
import { vp8SyntheticFrames$ } from '../../lib/media/vp8.js';
import type { VideoFrame } from '../../lib/media/vp8-depacketizer.js';
import { TrackType } from '../../lib/protocol/index.js';
import { remoteTrack, until, useEmulator } from './e2e-fixture.js';

const next = (frames$: Observable<VideoFrame>, count: number) => firstValueFrom(frames$.pipe(take(count), toArray(), timeout(20000)));

describe('call e2e: remote video frames and keyframe requests', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  it('frames$ reassembles VP8 frames; a new subscriber gets a keyframe at once (its own PLI), requestKeyframe() gets another', async () => {
    const { emu, join } = ctx();
    // The simulated camera sends a keyframe only every 10 s unless asked (PLI).
    await emu.addParticipant({ callId: 'video', userId: 'human', audio: false, video: true });
    const call = await join('agent', 'video', { subscriptions: { audio: true, video: true } });
    const track = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_VIDEO);
    // Mid-stream: without a keyframe request the next keyframe would be up to 300 frames away.
    await firstValueFrom(track.rtp$.pipe(take(30), toArray(), timeout(20000)));
    const first = await next(track.frames$, 10);
    const key = first.find((f) => f.keyframe);
    expect(key, 'a keyframe within the first 10 frames').to.not.equal(undefined);
    expect([key!.width, key!.height]).to.deep.equal([320, 240]);
    for (let i = 1; i < first.length; i++) expect((first[i]!.rtpTimestamp - first[i - 1]!.rtpTimestamp) >>> 0).to.equal(3000);

    // One subscription from here on (each new one would send its own PLI).
    const seen: VideoFrame[] = [];
    const sub = track.frames$.subscribe((f) => seen.push(f));
    try {
      await until(() => seen.length >= 40, 20000, '40 frames');
      // After the subscription's own keyframe: interframes only…
      const tail = seen.slice(20);
      expect(tail.every((f) => !f.keyframe && f.width === undefined && f.data.length > 0)).to.equal(true);
      // …then one request brings a keyframe within a few frames.
      const asked = seen.length;
      track.requestKeyframe();
      await until(() => seen.length >= asked + 10, 20000, '10 more frames');
      expect(seen.slice(asked, asked + 10).some((f) => f.keyframe), 'a keyframe within 10 frames of requestKeyframe()').to.equal(true);
    } finally {
      sub.unsubscribe();
    }
  });
});

describe('call e2e: publishVideo (VP8 frames in, keyframe requests answered)', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  it('frames are packetized and reassembled intact at another agent; its PLI reaches our source, which answers with a keyframe', async () => {
    const { join } = ctx();
    const camera = await join('camera', 'pub-video');
    const viewer = await join('viewer', 'pub-video', { subscriptions: { audio: true, video: true } });
    let requests = 0;
    // A keyframe only at the start and when asked: the viewer can only get one mid-stream through its PLI.
    const track = await camera.publishVideo((keyframes$) => vp8SyntheticFrames$({ keyframeIntervalFrames: 100000, keyframeRequests$: keyframes$.pipe(tap(() => requests++)) }));
    const remote = await remoteTrack(viewer, 'camera', TrackType.TRACK_TYPE_VIDEO);
    await firstValueFrom(remote.rtp$.pipe(take(30), toArray(), timeout(20000))); // well past the first keyframe
    const frames = await firstValueFrom(remote.frames$.pipe(take(10), toArray(), timeout(20000)));
    const key = frames.find((f) => f.keyframe);
    expect(key, 'a keyframe soon after the viewer subscribed').to.not.equal(undefined);
    expect([key!.width, key!.height, key!.data.length]).to.deep.equal([320, 240, 2500]);
    expect(requests, 'the PLI reached the source').to.be.greaterThan(0);
    let fromTrack = 0;
    const counted = track.keyframeRequests$.subscribe(() => fromTrack++);
    remote.requestKeyframe();
    await until(() => fromTrack > 0, 20000, 'the keyframe request on the local track');
    counted.unsubscribe();
  });
});
