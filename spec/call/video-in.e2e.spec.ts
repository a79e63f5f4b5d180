import { expect } from 'chai';
import { firstValueFrom, take, tap, toArray, timeout, type Observable } from 'rxjs';
import { vp8SyntheticFrames$ } from '../../lib/media/vp8.js';
import type { VideoFrame } from '../../lib/media/vp8-depacketizer.js';
import { TrackType } from '../../lib/protocol/index.js';
import { remoteTrack, until, useEmulator } from './e2e-fixture.js';
import { decodeKeyframe, expectCameraPicture } from '../support/camera-picture.js';
import type { Emulator } from '../../lib/emulator/index.js';

const next = (frames$: Observable<VideoFrame>, count: number) => firstValueFrom(frames$.pipe(take(count), toArray(), timeout(20000)));
const requestsTo = (emu: Emulator, sessionId: string) => emu.records.keyframeRequests.filter((r) => r.sessionId === sessionId && r.trackType === TrackType.TRACK_TYPE_VIDEO);

describe('call e2e: remote video frames and keyframe requests', function () {
  this.timeout(40000);
  const ctx = useEmulator();

  it('frames$ hands out the simulated camera\'s real VP8: a keyframe decodes to its picture; the subscriber\'s own PLI and requestKeyframe() reach the camera', async () => {
    const { emu, join } = ctx();
    const colour = [30, 90, 220] as const;
    const human = await emu.addParticipant({ callId: 'video', userId: 'human', audio: false, video: { colour, fps: 5 } });
    const call = await join('agent', 'video', { subscriptions: { audio: true, video: true } });
    const track = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_VIDEO);
    const frames = await next(track.frames$, 3);
    expect(frames.every((f) => f.keyframe && f.width === 320 && f.height === 240)).to.equal(true);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.pictureId).to.equal((frames[i - 1]!.pictureId! + 1) & 0x7fff);
    expectCameraPicture(await decodeKeyframe(frames[0]!.data), colour);

    // A new frames$ subscription asks for a keyframe by itself, by PLI (the first one above may have
    // gone out before the transport was up: lost, and not needed with a keyframe-only camera).
    const fromAgent = () => requestsTo(emu, human.sessionId).filter((r) => r.fromSessionId === call.sessionId);
    const beforeSubscribing = fromAgent().length;
    await next(track.frames$, 1);
    await until(() => fromAgent().length > beforeSubscribing, 20000, 'the new subscription\'s PLI at the camera');
    const before = fromAgent().length;
    track.requestKeyframe();
    await until(() => fromAgent().length > before, 20000, 'requestKeyframe() at the camera');
    expect(fromAgent().every((r) => r.method === 'pli'), 'the agent asks by PLI only').to.equal(true);
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

  it('frames$ flowing interframes: remote.requestKeyframe() brings a later keyframe (the source makes one only when asked)', async () => {
    const { join } = ctx();
    const camera = await join('camera', 'ask-video');
    const viewer = await join('viewer', 'ask-video', { subscriptions: { audio: true, video: true } });
    let requests = 0;
    await camera.publishVideo((keyframes$) => vp8SyntheticFrames$({ keyframeIntervalFrames: 100000, keyframeRequests$: keyframes$.pipe(tap(() => requests++)) }));
    const remote = await remoteTrack(viewer, 'camera', TrackType.TRACK_TYPE_VIDEO);
    const seen: VideoFrame[] = [];
    const sub = remote.frames$.subscribe((f) => seen.push(f));
    try {
      // The subscription's own keyframe, then interframes only: nobody is asking any more.
      await until(() => seen.some((f) => f.keyframe) && seen.slice(seen.findLastIndex((f) => f.keyframe) + 1).length >= 5, 20000, 'five interframes after the subscription\'s keyframe');
      const asked = seen.length;
      const requestsBefore = requests;
      expect(seen.slice(asked - 5).every((f) => !f.keyframe && !f.gapBefore)).to.equal(true);
      remote.requestKeyframe();
      await until(() => seen.slice(asked).some((f) => f.keyframe), 20000, 'a keyframe after requestKeyframe()');
      expect(requests, 'the request reached the source').to.be.greaterThan(requestsBefore);
      const key = seen.slice(asked).find((f) => f.keyframe)!;
      expect([key.width, key.height]).to.deep.equal([320, 240]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('the SFU\'s FIR reaches the source as well as its PLI, and the next frame is a keyframe', async () => {
    const { emu, join } = ctx();
    const camera = await join('camera', 'fir-video');
    const viewer = await join('viewer', 'fir-video', { subscriptions: { audio: true, video: true } });
    let requests = 0;
    await camera.publishVideo((keyframes$) => vp8SyntheticFrames$({ keyframeIntervalFrames: 100000, keyframeRequests$: keyframes$.pipe(tap(() => requests++)) }));
    const remote = await remoteTrack(viewer, 'camera', TrackType.TRACK_TYPE_VIDEO);
    await firstValueFrom(remote.rtp$.pipe(take(30), toArray(), timeout(20000)));
    for (const method of ['fir', 'pli', 'fir'] as const) {
      const before = requests;
      emu.requestKeyframe(camera.sessionId, { method });
      await until(() => requests > before, 20000, `the SFU's ${method.toUpperCase()} at the source`);
    }
    const seen: VideoFrame[] = [];
    const sub = remote.frames$.subscribe((f) => seen.push(f));
    try {
      await until(() => seen.some((f) => f.keyframe), 20000, 'the keyframe the viewer asked for');
      const asked = seen.length;
      emu.requestKeyframe(camera.sessionId, { method: 'fir' });
      await until(() => seen.slice(asked).some((f) => f.keyframe), 20000, 'a keyframe after the FIR');
    } finally {
      sub.unsubscribe();
    }
    expect(emu.records.keyframeRequests.filter((r) => r.sessionId === camera.sessionId && r.fromSessionId === undefined).map((r) => r.method))
      .to.deep.equal(['fir', 'pli', 'fir', 'fir']);
    expect(() => emu.requestKeyframe('no-such-session')).to.throw().with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
  });
});
