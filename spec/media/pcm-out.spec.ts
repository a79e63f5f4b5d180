import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { Subject, from, map, of, switchMap, take, toArray, type Observable } from 'rxjs';
import type { RtpPacket } from '../../lib/media/rtp-packet.js';
import { pace } from '../../lib/media/pace.js';
import { encodeOpusRtp } from '../../lib/media/opus-publish.js';
import { createOpusDecoder } from '../../lib/media/opus-decode.js';
import { estimateFrequencyHz, pcmSignalFrame, rmsLevel } from '../../lib/media/pcm-signal.js';
import type { PcmFrame } from '../../lib/media/audio-frame.js';
import { isRxsfuError } from '../../lib/errors.js';

/** A 20 ms mono frame at `sampleRate` of a sine, labelled for marble tests. */
const frame = (label: string, sampleRate = 24000, index = 0, frequencyHz = 600): PcmFrame & { label: string } => ({
  label, sampleRate, channels: 1, samples: pcmSignalFrame(index, { sampleRate, frequencyHz, frameSamples: sampleRate / 50 }),
});

/** "TTS": an utterance's frames, all at once (faster than real time). */
const tts = (utterance: string, frames = 5) => from(Array.from({ length: frames }, (_, i) => frame(`${utterance}${i}`)));

describe('media/pace', () => {
  const newScheduler = () => new TestScheduler((actual, expected) => { expect(actual).to.deep.equal(expected); });

  it('lets a faster-than-real-time source out at real time, one 20 ms frame every 20 ms, then completes', () => {
    const s = newScheduler();
    s.run(({ expectObservable }) => {
      expectObservable(tts('a', 3).pipe(pace({ scheduler: s }), map((f) => f.label))).toBe('x 19ms y 19ms (z|)', { x: 'a0', y: 'a1', z: 'a2' });
    });
  });

  it('after an underrun the clock restarts at the late frame (no catch-up burst)', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const in$ = cold('a 99ms b 4ms c|', { a: frame('a'), b: frame('b'), c: frame('c') });
      expectObservable(in$.pipe(pace({ scheduler: s }), map((f) => f.label))).toBe('a 99ms b 19ms (c|)', { a: 'a', b: 'b', c: 'c' });
    });
  });

  it('barge-in: switchMap to a new utterance drops what was queued within one frame', () => {
    const s = newScheduler();
    s.run(({ cold, expectObservable }) => {
      const utterances$ = cold('u 49ms v', { u: 'u', v: 'v' });
      const spoken$ = utterances$.pipe(switchMap((u) => tts(u, 4).pipe(pace({ scheduler: s }))), map((f) => f.label));
      // u0 u1 u2 at 0/20/40; v interrupts at 50: u3 is never heard, v starts at once.
      expectObservable(spoken$).toBe('a 19ms b 19ms c 9ms d 19ms e 19ms f 19ms g', { a: 'u0', b: 'u1', c: 'u2', d: 'v0', e: 'v1', f: 'v2', g: 'v3' });
    });
  });

  it('flush$ drops what is queued; the stream goes on with what comes next', () => {
    const s = newScheduler();
    s.run(({ cold, hot, expectObservable }) => {
      const in$ = cold('(abc) 55ms (d|)', { a: frame('a'), b: frame('b'), c: frame('c'), d: frame('d') });
      const flush$ = hot('25ms f', { f: 1 });
      // a at 0, b at 20; flush at 25 drops c; d arrives at 60 and plays at once.
      expectObservable(in$.pipe(pace({ scheduler: s, flush$ }), map((f) => f.label))).toBe('a 19ms b 39ms (d|)', { a: 'a', b: 'b', d: 'd' });
    });
  });

  it('never drops silently: more than maxQueueMs queued fails with RXSFU_ERR_AUDIO_OVERFLOW', () => {
    const s = newScheduler();
    let error: unknown;
    s.run(() => {
      tts('a', 10).pipe(pace({ scheduler: s, maxQueueMs: 100 })).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(isRxsfuError(error, 'RXSFU_ERR_AUDIO_OVERFLOW')).to.equal(true);
  });
});

describe('media/opus-publish: PCM → Opus RTP on a 20 ms clock', () => {
  /** Runs `pcm$` through the encoder for `ms` of virtual time; returns [time, packet] pairs. */
  function encode(pcm$: Observable<PcmFrame>, ms: number): { at: number; packet: RtpPacket }[] {
    const s = new TestScheduler(() => undefined);
    const out: { at: number; packet: RtpPacket }[] = [];
    s.run(() => {
      const sub = pcm$.pipe(encodeOpusRtp({ scheduler: s })).subscribe((packet) => out.push({ at: s.now(), packet }));
      s.schedule(() => sub.unsubscribe(), ms);
    });
    return out;
  }

  it('a 24 kHz sine comes out as one packet per 20 ms (timestamps +960) that decodes at its frequency', () => {
    const frames = Array.from({ length: 50 }, (_, i) => frame('s', 24000, i, 600));
    // 50 frames of 20 ms arrive at once; they leave at 50 packets per second.
    const out = encode(from(frames), 999);
    expect(out).to.have.length(50);
    out.forEach(({ at, packet }, i) => {
      expect(at).to.equal(i * 20);
      expect((packet.header.timestamp - out[0]!.packet.header.timestamp) >>> 0).to.equal(i * 960);
    });
    const decoder = createOpusDecoder();
    const pcm = out.map(({ packet }) => decoder.decode(packet.payload)).slice(5);
    const all = new Int16Array(pcm.length * 960);
    pcm.forEach((p, i) => all.set(p, i * 960));
    expect(rmsLevel(all)).to.be.greaterThan(3000);
    expect(estimateFrequencyHz(all)).to.be.within(590, 610);
  });

  it('frames of any size are cut into 20 ms; an idle track keeps sending (encoded silence)', () => {
    // 30 ms frames at 16 kHz: 6 frames = 180 ms = 9 packets of audio, then silence.
    const frames = Array.from({ length: 6 }, (_, i) => ({ sampleRate: 16000, channels: 1 as const, samples: pcmSignalFrame(i, { sampleRate: 16000, frameSamples: 480 }) }));
    const out = encode(from(frames), 399);
    expect(out).to.have.length(20);
    const decoder = createOpusDecoder();
    const levels = out.map(({ packet }) => rmsLevel(decoder.decode(packet.payload)));
    expect(levels.slice(2, 9).every((l) => l > 3000), 'audio').to.equal(true);
    expect(levels.slice(12).every((l) => l < 50), 'silence after').to.equal(true);
  });

  it('barge-in without pace(): flush$ drops the queue at once', () => {
    const s = new TestScheduler(() => undefined);
    const levels: number[] = [];
    s.run(() => {
      const flush$ = new Subject<void>();
      const decoder = createOpusDecoder();
      const sub = from(Array.from({ length: 50 }, (_, i) => frame('s', 48000, i, 440)))
        .pipe(encodeOpusRtp({ scheduler: s, flush$ }))
        .subscribe((p) => levels.push(rmsLevel(decoder.decode(p.payload))));
      s.schedule(() => flush$.next(), 105);
      s.schedule(() => sub.unsubscribe(), 399);
    });
    // Packets at 0..100 carry the tone; from 120 on, silence (the codec's tail fades within a frame).
    expect(levels.slice(1, 6).every((l) => l > 3000)).to.equal(true);
    expect(levels.slice(8).every((l) => l < 50)).to.equal(true);
  });

  it('encodeOpusRtp alone refuses a rate libopus does not code natively (44.1 kHz) with RXSFU_ERR_INVALID_ARGUMENT (publishAudio resamples before it)', () => {
    const s = new TestScheduler(() => undefined);
    let error: unknown;
    s.run(() => {
      of({ sampleRate: 44100, channels: 1 as const, samples: new Int16Array(882) }).pipe(encodeOpusRtp({ scheduler: s }), take(5), toArray())
        .subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(isRxsfuError(error, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect((error as Error).message).to.match(/44100/);
  });

  it('a source far ahead of real time with no pacing fails with RXSFU_ERR_AUDIO_OVERFLOW, never drops silently', () => {
    const s = new TestScheduler(() => undefined);
    let error: unknown;
    s.run(() => {
      from(Array.from({ length: 20 }, (_, i) => frame('s', 48000, i))).pipe(encodeOpusRtp({ scheduler: s, maxQueueMs: 200 }), take(100))
        .subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(isRxsfuError(error, 'RXSFU_ERR_AUDIO_OVERFLOW')).to.equal(true);
  });
});
