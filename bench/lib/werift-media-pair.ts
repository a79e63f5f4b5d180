/**
 * The floor of `bench/media`: raw werift peer connections, each sending Opus it encodes itself from
 * 24 kHz PCM every 20 ms and decoding what it receives to 16 kHz: the same codec and SRTP work as an
 * agent that hears and speaks, with no SDK around it (no jitter buffer, no concealment, no pacing
 * queue, no signaling, no SFU).
 *
 * Two shapes: `connectMediaPair()` keeps both ends in this process; `connectRemoteMediaPeer()` keeps
 * one end here and its far end in the emulator's child process, where an agent's far end (the SFU)
 * is too. The second is the like-for-like floor: one measured side per unit, and every packet
 * crosses a process boundary both ways, as an agent's do.
 */
import { Decoder, Encoder } from '@evan/opus';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, type RTCIceCandidate } from 'werift';
import type { Subscription } from 'rxjs';
import { frameClock$ } from '../../lib/media/frame-clock.js';
import { pcmSignalFrame } from '../../lib/media/pcm-signal.js';
import { rtcConfiguration } from '../../lib/rtc/config.js';

export interface MediaPair { close(): Promise<void> }

/** A session description as it crosses the IPC channel. */
export interface PlainDescription { type: 'offer' | 'answer'; sdp: string }

/**
 * One side: a sendrecv audio transceiver, an encoder fed every 20 ms, a decoder on every packet. The
 * 20 ms clock is `frameClock$` (drift-free), as the SDK's: `setInterval(20)` sends about 43 frames a
 * second on a busy machine, which would make the floor cheaper than the work it stands for.
 */
export function mediaSide(pc: RTCPeerConnection): { start(): void; stop(): void } {
  const track = new MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(track, { direction: 'sendrecv' });
  const encoder = new Encoder({ channels: 1, sample_rate: 24000, application: 'voip' });
  const decoder = new Decoder({ channels: 1, sample_rate: 16000 });
  pc.onTrack.subscribe((remote) => remote.onReceiveRtp.subscribe((packet) => decoder.decode(packet.payload)));
  let clock: Subscription | undefined;
  let index = 0;
  return {
    start: () => {
      clock = frameClock$(20, { firstDelayMs: 20 }).subscribe(() => {
        const payload = encoder.encode(pcmSignalFrame(index, { sampleRate: 24000, frameSamples: 480, frequencyHz: 600 }));
        const header = new RtpHeader({ payloadType: 111, sequenceNumber: index & 0xffff, timestamp: (index * 960) >>> 0, ssrc: 1234 });
        index++;
        track.writeRtp(new RtpPacket(header, Buffer.from(payload)));
      });
    },
    stop: () => clock?.unsubscribe(),
  };
}

/** Resolves once `pc` is connected. */
export function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise<void>((resolve) => {
    if (pc.connectionState === 'connected') return resolve();
    const sub = pc.connectionStateChange.subscribe((state) => state === 'connected' && (sub.unSubscribe(), resolve()));
  });
}

/** Resolves once `pc` has gathered its candidates, so its description carries them all (no trickle). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  return new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const sub = pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && (sub.unSubscribe(), resolve()));
  });
}

/** The far end's half, run in the other process: answers `offer` with every candidate in the answer. */
export async function answerMediaOffer(offer: PlainDescription): Promise<{ answer: PlainDescription; peer: MediaPair }> {
  const pc = new RTCPeerConnection(rtcConfiguration());
  const side = mediaSide(pc);
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  void connected(pc).then(() => side.start());
  const answer = { type: 'answer' as const, sdp: pc.localDescription!.sdp };
  return { answer, peer: { close: async () => (side.stop(), await pc.close()) } };
}

/** One measured side here; `answer` reaches the far end (in the emulator's process) and returns its answer. */
export async function connectRemoteMediaPeer(answer: (offer: PlainDescription) => Promise<PlainDescription>): Promise<MediaPair> {
  const pc = new RTCPeerConnection(rtcConfiguration());
  const side = mediaSide(pc);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  await pc.setRemoteDescription(await answer({ type: 'offer', sdp: pc.localDescription!.sdp }));
  await connected(pc);
  side.start();
  return { close: async () => (side.stop(), await pc.close()) };
}

export async function connectMediaPair(): Promise<MediaPair> {
  const a = new RTCPeerConnection(rtcConfiguration());
  const b = new RTCPeerConnection(rtcConfiguration());
  const sides = [mediaSide(a), mediaSide(b)];
  const pending: [RTCPeerConnection, RTCIceCandidate][] = [];
  let described = 0;
  const relay = (to: RTCPeerConnection) => (c: RTCIceCandidate | undefined) => {
    if (!c) return;
    if (described < 2) pending.push([to, c]);
    else void to.addIceCandidate(c);
  };
  a.onIceCandidate.subscribe(relay(b));
  b.onIceCandidate.subscribe(relay(a));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  described = 2;
  for (const [to, c] of pending.splice(0)) void to.addIceCandidate(c);
  await Promise.all([a, b].map(connected));
  sides.forEach((s) => s.start());
  return {
    close: async () => {
      sides.forEach((s) => s.stop());
      await Promise.all([a.close(), b.close()]);
    },
  };
}
