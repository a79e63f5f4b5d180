import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { Encoder } from '@evan/opus';
import { Subject } from 'rxjs';
import { RtpHeader, RtpPacket } from 'werift';
import { remoteAudio$ } from '../../lib/media/remote-audio.js';
import { libopusDecoder, type OpusDecoderFactory } from '../../lib/media/opus-concealing-decoder.js';
import { estimateFrequencyHz, pcmSignalFrame, rmsLevel } from '../../lib/media/pcm-signal.js';
import type { AudioFrame } from '../../lib/media/audio-frame.js';
import { isRxsfuError } from '../../lib/errors.js';

/** `count` RTP packets of a 440 Hz tone, 20 ms each, as a real sender makes them. */
function tonePackets(count: number, options: { ssrc?: number; firstSeq?: number; firstTs?: number } = {}): RtpPacket[] {
  const encoder = new Encoder({ channels: 1, sample_rate: 48000, application: 'voip' });
  return Array.from({ length: count }, (_, i) => {
    const header = new RtpHeader({
      payloadType: 111, ssrc: options.ssrc ?? 7, sequenceNumber: ((options.firstSeq ?? 100) + i) & 0xffff,
      timestamp: ((options.firstTs ?? 5000) + i * 960) >>> 0,
    });
    return new RtpPacket(header, Buffer.from(encoder.encode(pcmSignalFrame(i, { frequencyHz: 440 }))));
  });
}

/** Feeds `schedule` ([ms, packet] pairs) in virtual time and collects the frames. */
function run(schedule: [number, RtpPacket][], options: Parameters<typeof remoteAudio$>[2]): AudioFrame<string>[] {
  const scheduler = new TestScheduler(() => undefined);
  const frames: AudioFrame<string>[] = [];
  scheduler.run(() => {
    const rtp = new Subject<RtpPacket>();
    remoteAudio$(rtp, () => 'alice', options, scheduler).subscribe((f) => frames.push(f));
    for (const [at, p] of schedule) scheduler.schedule(() => rtp.next(p), at);
    scheduler.schedule(() => rtp.complete(), (schedule.at(-1)?.[0] ?? 0) + 1000);
  });
  return frames;
}

function concat(frames: AudioFrame[]): Int16Array {
  const all = new Int16Array(frames.reduce((n, f) => n + f.samples.length, 0));
  frames.reduce((o, f) => (all.set(f.samples, o), o + f.samples.length), 0);
  return all;
}

function expectUnbrokenClock(frames: AudioFrame[], frameMs: number): void {
  frames.forEach((f, i) => expect(f.timestampMs, `frame ${i}`).to.equal(i * frameMs));
}

describe('media/remote-audio: RTP → PCM frames', () => {
  it('decodes a 440 Hz tone natively at 16 kHz into 20 ms mono frames on an unbroken clock', () => {
    const packets = tonePackets(50);
    const frames = run(packets.map((p, i) => [i * 20, p]), { sampleRate: 16000 });
    expect(frames).to.have.length(50);
    expectUnbrokenClock(frames, 20);
    for (const f of frames) expect([f.samples.length, f.sampleRate, f.channels, f.concealed, f.participant]).to.deep.equal([320, 16000, 1, false, 'alice']);
    const pcm = concat(frames.slice(5));
    expect(rmsLevel(pcm)).to.be.greaterThan(3000);
    expect(estimateFrequencyHz(pcm, 16000)).to.be.within(430, 450);
  });

  it('reordered and dropped packets still give an unbroken clock: lost slots concealed, late ones counted', () => {
    const packets = tonePackets(60);
    // 10 and 11 swap places, 20 and 30 never arrive, 40 comes 200 ms late (after it was given up).
    const order = packets.map((p, i) => [i * 20, p] as [number, RtpPacket]);
    order[10] = [200, packets[11]!];
    order[11] = [220, packets[10]!];
    const schedule = order.filter((_, i) => i !== 20 && i !== 30);
    const late = schedule.findIndex(([, p]) => p === packets[40]);
    schedule[late] = [1000, packets[40]!];
    schedule.sort((a, b) => a[0] - b[0]);
    const frames = run(schedule, { sampleRate: 16000 });
    expect(frames).to.have.length(60);
    expectUnbrokenClock(frames, 20);
    expect(frames.filter((f) => f.concealed).map((f) => f.timestampMs)).to.deep.equal([400, 600, 800]);
    const last = frames.at(-1)!;
    expect([last.lostPackets, last.latePackets]).to.deep.equal([3, 1]);
    // Concealment keeps the voice going (libopus PLC), not a click of silence.
    expect(rmsLevel(frames[20]!.samples)).to.be.greaterThan(1000);
    expect(estimateFrequencyHz(concat(frames.slice(5)), 16000)).to.be.within(425, 455);
  });

  it('a reconnect (new SSRC after a pause) continues the clock: the gap is filled with concealed frames, never a reset', () => {
    const before = tonePackets(10);
    const after = tonePackets(10, { ssrc: 99, firstSeq: 40000, firstTs: 123 });
    const schedule: [number, RtpPacket][] = [...before.map((p, i) => [i * 20, p] as [number, RtpPacket]), ...after.map((p, i) => [400 + i * 20, p] as [number, RtpPacket])];
    const frames = run(schedule, { sampleRate: 48000, frameMs: 20 });
    // 10 frames, a 200 ms hole (10 frames concealed), 10 frames.
    expect(frames).to.have.length(30);
    expectUnbrokenClock(frames, 20);
    expect(frames.map((f) => (f.concealed ? 'c' : '.')).join('')).to.equal('.'.repeat(10) + 'c'.repeat(10) + '.'.repeat(10));
    expect(frames.at(-1)!.lostPackets).to.equal(0);
  });

  it('reports a gap longer than maxGapFillMs instead of filling it', () => {
    const before = tonePackets(5);
    const after = tonePackets(5, { ssrc: 99 });
    const schedule: [number, RtpPacket][] = [...before.map((p, i) => [i * 20, p] as [number, RtpPacket]), ...after.map((p, i) => [1100 + i * 20, p] as [number, RtpPacket])];
    const frames = run(schedule, { maxGapFillMs: 200 });
    // 1000 ms missing: 200 filled, 800 skipped and reported on the next frame.
    expect(frames).to.have.length(20);
    expect(frames[15]!.gapMs).to.equal(800);
    expect(frames[15]!.timestampMs).to.equal(1100);
    expect(frames[14]!.timestampMs).to.equal(280);
  });

  it('stereo and other frame sizes: 40 ms stereo frames at 24 kHz', () => {
    const frames = run(tonePackets(20).map((p, i) => [i * 20, p]), { sampleRate: 24000, channels: 2, frameMs: 40 });
    expect(frames).to.have.length(10);
    expectUnbrokenClock(frames, 40);
    expect(frames[0]!.samples.length).to.equal(960 * 2);
  });

  it('bad options fail the subscription with RXSFU_ERR_INVALID_ARGUMENT (44.1 kHz is no Opus rate)', () => {
    let error: unknown;
    remoteAudio$(new Subject<RtpPacket>(), () => 'x', { sampleRate: 44100 as 48000 }).subscribe({ error: (e: unknown) => (error = e) });
    expect(isRxsfuError(error, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });

  it('one decoder per subscription, made at subscription: a later subscription has its own decoder, clock and counters; nothing is decoded with no subscriber', () => {
    const made: { sampleRate: number; decoded: number }[] = [];
    const counting: OpusDecoderFactory = (options) => {
      const inner = libopusDecoder(options);
      const record = { sampleRate: options.sampleRate, decoded: 0 };
      made.push(record);
      return { decode: (payload) => (record.decoded++, inner.decode(payload)) };
    };
    const scheduler = new TestScheduler(() => undefined);
    const first: AudioFrame<string>[] = [];
    const second: AudioFrame<string>[] = [];
    let madeBeforeAnySubscriber = -1;
    let decodedWhileNobodyListened = -1;
    scheduler.run(() => {
      const rtp = new Subject<RtpPacket>();
      const audio$ = (sampleRate: 16000 | 48000) => remoteAudio$(rtp, () => 'alice', { sampleRate }, scheduler, counting);
      tonePackets(50).forEach((p, i) => scheduler.schedule(() => rtp.next(p), i * 20)); // packet i at i × 20 ms
      scheduler.schedule(() => (madeBeforeAnySubscriber = made.length), 205);
      scheduler.schedule(() => {
        const a = audio$(16000).subscribe((f) => first.push(f)); // packets 11…35
        scheduler.schedule(() => a.unsubscribe(), 500);
      }, 210);
      scheduler.schedule(() => {
        const b = audio$(48000).subscribe((f) => second.push(f)); // packets 26…40
        scheduler.schedule(() => b.unsubscribe(), 300);
      }, 510);
      scheduler.schedule(() => (decodedWhileNobodyListened = made.reduce((n, m) => n + m.decoded, 0)), 815);
    });
    expect(madeBeforeAnySubscriber, 'no decoder while nobody listens').to.equal(0);
    expect(made.map((m) => [m.sampleRate, m.decoded])).to.deep.equal([[16000, 25], [48000, 15]]);
    expect(made.reduce((n, m) => n + m.decoded, 0), 'packets 41…49 came after both left: not decoded').to.equal(decodedWhileNobodyListened);
    expect([first.length, first[0]!.samples.length, first[0]!.timestampMs]).to.deep.equal([25, 320, 0]);
    // The later subscription starts its own clock at 0 and its own counters, not the first one's.
    expect([second.length, second[0]!.samples.length, second[0]!.timestampMs, second.at(-1)!.timestampMs]).to.deep.equal([15, 960, 0, 280]);
    expect(second.every((f) => !f.concealed && f.lostPackets === 0 && f.latePackets === 0)).to.equal(true);
  });
});
