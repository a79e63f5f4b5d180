import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import { joinCall, type Call, type CallRemoteTrack } from '../../lib/call/index.js';
import { coordinatorJoin$ } from '../../lib/coordinator/index.js';
import { createOpusDecoder, estimateFrequencyHz, opusRtpPackets$, rmsLevel, vp8RtpPackets$ } from '../../lib/media/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { CALL_TYPE, nextPackets, packetsCounted, participantsWhere, remoteTrack, until, useEmulator } from './e2e-fixture.js';
import { EMULATOR_LOCATION } from '../../lib/emulator/index.js';

/** Decodes packets in sequence order with one decoder (Opus frames depend on the previous ones). */
function decodeInOrder(packets: RtpPacket[]): Int16Array[] {
  const decoder = createOpusDecoder();
  return [...packets]
    .sort((a, b) => ((a.header.sequenceNumber - b.header.sequenceNumber) << 16) >> 16)
    .map((p) => decoder.decode(p.payload));
}

/** The simulated participant talks: a 440 Hz tone in syllables with pauses. Loud frames must carry it. */
function expectRealTone(frames: Int16Array[]): void {
  const loud = frames.filter((pcm) => rmsLevel(pcm) > 1000);
  expect(loud.length, 'non-silent decoded frames').to.be.greaterThan(frames.length / 4);
  const frequencies = loud.map((pcm) => estimateFrequencyHz(pcm)).sort((a, b) => a - b);
  const median = frequencies[Math.floor(frequencies.length / 2)]!;
  expect(median).to.be.within(400, 480);
}

type Receiver = { received(): { fromSessionId: string; trackType: TrackType; packets: number }[] };

/** Packets the simulated participant received from `sessionId`'s track of `trackType`. */
function receivedFrom(human: Receiver, sessionId: string, trackType: TrackType): number {
  return human.received().find((r) => r.fromSessionId === sessionId && r.trackType === trackType)?.packets ?? 0;
}

function audioFrom(human: Receiver, sessionId: string): number {
  return receivedFrom(human, sessionId, TrackType.TRACK_TYPE_AUDIO);
}

describe('call e2e: media against the emulator', function () {
  this.timeout(30000);
  const ctx = useEmulator();

  it('receives the participant\'s real audio, no video until asked, and sends full subscription lists', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'media', userId: 'human', audio: true, video: true });
    const call = await join('agent', 'media');
    const seen: CallRemoteTrack[] = [];
    const tracks = call.remoteTracks$.subscribe((t) => seen.push(t));
    try {
      const participants = await participantsWhere(call, (m) => m.has(human.sessionId));
      expect(participants.get(human.sessionId)!.userId).to.equal('human');
      expect([...participants.get(human.sessionId)!.publishedTracks].sort()).to.deep.equal([TrackType.TRACK_TYPE_AUDIO, TrackType.TRACK_TYPE_VIDEO]);
      expect(participants.get(call.sessionId)?.isLocal, 'our own session is in the map, marked local').to.equal(true);

      const audio = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
      expect(audio.kind).to.equal('audio');
      expectRealTone(decodeInOrder(await nextPackets(audio.rtp$, 100)));
      expect(seen.filter((t) => t.kind === 'video'), 'video is not subscribed by default').to.deep.equal([]);
      const subscriptions = () => emu.records.subscriptions.filter((r) => r.sessionId === call.sessionId);
      expect(subscriptions().at(-1)!.tracks.map((t) => t.trackType)).to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);

      call.setSubscriptions({ video: true });
      const video = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_VIDEO);
      expect(video.kind).to.equal('video');
      await packetsCounted(video.rtp$, 20);
      await packetsCounted(audio.rtp$, 10);
      const last = subscriptions().at(-1)!.tracks;
      expect(last.map((t) => [t.sessionId, t.trackType])).to.deep.equal([
        [human.sessionId, TrackType.TRACK_TYPE_AUDIO], [human.sessionId, TrackType.TRACK_TYPE_VIDEO],
      ]);
      for (const record of subscriptions()) {
        expect(record.tracks.some((t) => t.trackType === TrackType.TRACK_TYPE_AUDIO), 'every list is the full list, audio included').to.equal(true);
      }
    } finally {
      tracks.unsubscribe();
    }
  });

  it('publishes audio that the simulated participant receives', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'publish', userId: 'human', audio: true });
    const call = await join('agent', 'publish');
    expect(audioFrom(human, call.sessionId)).to.equal(0);
    expect(call.participants.get(call.sessionId)!.publishedTracks).to.deep.equal([]);
    const local = await call.publishAudioRtp(opusRtpPackets$());
    expect(local.kind).to.equal('audio');
    expect(call.participants.get(call.sessionId)!.publishedTracks, 'our own entry lists what we publish').to.deep.equal([TrackType.TRACK_TYPE_AUDIO]);
    await until(() => audioFrom(human, call.sessionId) >= 25, 15000, 'the agent\'s audio at the simulated participant');
    const first = audioFrom(human, call.sessionId);
    await until(() => audioFrom(human, call.sessionId) >= first + 10, 15000, 'the count to keep growing');
  });

  it('publishes audio and video at once; the simulated participant receives both', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'both', userId: 'human', audio: true });
    const call = await join('agent', 'both');
    const [audio, video] = await Promise.all([call.publishAudioRtp(opusRtpPackets$()), call.publishVideoRtp(vp8RtpPackets$())]);
    expect([audio.kind, video.kind]).to.deep.equal(['audio', 'video']);
    await until(() => audioFrom(human, call.sessionId) >= 20 && receivedFrom(human, call.sessionId, TrackType.TRACK_TYPE_VIDEO) >= 20, 15000, 'both tracks at the simulated participant');
    await video.stop();
    const stoppedAt = receivedFrom(human, call.sessionId, TrackType.TRACK_TYPE_VIDEO);
    const audioAt = audioFrom(human, call.sessionId);
    await until(() => audioFrom(human, call.sessionId) >= audioAt + 50, 15000, 'audio to keep flowing');
    expect(receivedFrom(human, call.sessionId, TrackType.TRACK_TYPE_VIDEO) - stoppedAt, 'video stopped (a few packets may have been in flight)').to.be.below(15);
  });

  it('joins directly with credentials from the coordinator and receives audio', async () => {
    const { emu, track } = ctx();
    await emu.addParticipant({ callId: 'direct', userId: 'human', audio: true });
    const token = await emu.createUserToken('agent');
    const joined = await firstValueFrom(coordinatorJoin$({
      baseUrl: emu.coordinatorUrl, apiKey: emu.apiKey, token, callType: CALL_TYPE, callId: 'direct', create: true, location: EMULATOR_LOCATION,
    }));
    const joinsBefore = emu.records.coordinatorJoins.length;
    const call: Call = track(await joinCall({ credentials: joined.credentials, allowInsecure: true, iceLoopbackOnly: true }));
    expect(call.state).to.equal('joined');
    const audio = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    await packetsCounted(audio.rtp$, 20);
    expect(emu.records.coordinatorJoins.length, 'the direct path does not ask the coordinator').to.equal(joinsBefore);
  });

  it('speaks Twirp in JSON end to end when asked', async () => {
    const { emu, join } = ctx();
    const human = await emu.addParticipant({ callId: 'json', userId: 'human', audio: true });
    const call = await join('agent', 'json', { rpcEncoding: 'json' });
    const audio = await remoteTrack(call, 'human', TrackType.TRACK_TYPE_AUDIO);
    await call.publishAudioRtp(opusRtpPackets$());
    await packetsCounted(audio.rtp$, 20);
    await until(() => audioFrom(human, call.sessionId) >= 10, 15000, 'the agent\'s audio at the simulated participant');
    const ours = emu.records.rpcs.filter((r) => r.sessionId === call.sessionId);
    expect(new Set(ours.map((r) => r.method))).to.include.members(['SetPublisher', 'SendAnswer', 'UpdateSubscriptions']);
    expect(ours.every((r) => r.encoding === 'json' && r.status === 200), JSON.stringify(ours)).to.equal(true);
  });
});
