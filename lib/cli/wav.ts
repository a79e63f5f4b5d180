/**
 * A mono 16-bit PCM WAV file (RIFF, 44-byte header) from 48 kHz samples; what `rxsfu join
 * --record` writes. Pure: bytes in, bytes out.
 */

/** The whole file: header + little-endian samples. */
export function wavBytes(samples: Int16Array, sampleRate = 48000): Buffer {
  const dataBytes = samples.length * 2;
  const file = Buffer.alloc(44 + dataBytes);
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(36 + dataBytes, 4);
  file.write('WAVE', 8, 'ascii');
  file.write('fmt ', 12, 'ascii');
  file.writeUInt32LE(16, 16); // fmt chunk size
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(1, 22); // mono
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * 2, 28); // byte rate
  file.writeUInt16LE(2, 32); // block align
  file.writeUInt16LE(16, 34); // bits per sample
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) file.writeInt16LE(samples[i]!, 44 + i * 2);
  return file;
}

/**
 * Remote audio mixed into one timeline: each track's frames go where its RTP timestamps put them,
 * from the moment its first packet arrived; overlapping speakers are summed (clipped).
 */
export class AudioMix {
  private samples = new Int16Array(48000 * 10);
  private length = 0;
  private readonly tracks = new Map<string, { firstTs: number; offset: number }>();

  /** `atSample`: where the recording stood (samples since it began) when the packet arrived. */
  add(trackKey: string, rtpTimestamp: number, pcm: Int16Array, atSample: number): void {
    let track = this.tracks.get(trackKey);
    if (!track) {
      track = { firstTs: rtpTimestamp, offset: Math.max(0, atSample) };
      this.tracks.set(trackKey, track);
    }
    // 32-bit RTP timestamps wrap; the difference is taken modulo 2^32.
    const position = track.offset + ((rtpTimestamp - track.firstTs) >>> 0);
    if (position > 48000 * 3600 * 4) return; // a jump of hours is a broken stream, not audio
    this.ensure(position + pcm.length);
    for (let i = 0; i < pcm.length; i++) {
      const sum = this.samples[position + i]! + pcm[i]!;
      this.samples[position + i] = Math.max(-32768, Math.min(32767, sum));
    }
    this.length = Math.max(this.length, position + pcm.length);
  }

  /** The mix so far, `minSamples` long at least (silence at the end). */
  pcm(minSamples = 0): Int16Array {
    this.ensure(minSamples);
    return this.samples.slice(0, Math.max(this.length, minSamples));
  }

  private ensure(size: number): void {
    if (size <= this.samples.length) return;
    const grown = new Int16Array(Math.max(size, this.samples.length * 2));
    grown.set(this.samples);
    this.samples = grown;
  }
}
