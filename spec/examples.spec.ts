import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { vp8KeyframeCodec$ } from '../lib/media/vp8-keyframe-codec.js';
import { vp8KeyframeFromWebp } from '../lib/media/webp.js';
import { cameraColour } from '../lib/emulator/media/simulated-camera.js';
import { expectCameraPicture } from './support/camera-picture.js';
import { relativePower } from './support/goertzel.js';
import { rmsLevel } from '../lib/media/pcm-signal.js';
import * as wavefileModule from 'wavefile';

/** `wavefile` is CommonJS: loaded from an ES module its API sits on `default`, loaded by tsx's CJS path on the namespace. */
const { WaveFile } = (wavefileModule as typeof wavefileModule & { default?: typeof wavefileModule }).default ?? wavefileModule;

/** A WAV file's format and samples, read with `wavefile`. */
function readWav(path: string): { sampleRate: number; channels: number; bitsPerSample: number; samples: Int16Array } {
  const wav = new WaveFile(readFileSync(path));
  const fmt = wav.fmt as { sampleRate: number; numChannels: number; bitsPerSample: number };
  return { sampleRate: fmt.sampleRate, channels: fmt.numChannels, bitsPerSample: fmt.bitsPerSample, samples: wav.getSamples(false, Int16Array) as unknown as Int16Array };
}

/** [power at 440 Hz, power at 660 Hz] (Goertzel, relative) of each loud 20 ms frame of 48 kHz PCM (frame by frame, as it was recorded). */
function loudBlockPowers(samples: Int16Array): [number, number][] {
  const blocks: [number, number][] = [];
  for (let i = 0; i + 960 <= samples.length; i += 960) {
    const block = samples.subarray(i, i + 960);
    if (rmsLevel(block) > 3000) blocks.push([relativePower(block, 48000, 440), relativePower(block, 48000, 660)]);
  }
  return blocks;
}

/** Runs an example to completion against the embedded emulator (no Stream credentials in its env). */
function runExample(file: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, EXAMPLE_SECONDS: '3' };
  delete env.STREAM_API_KEY;
  delete env.STREAM_API_SECRET;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join('examples', file), ...args], { env, timeout: 60000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('examples run to completion against the embedded emulator', function () {
  this.timeout(90000);

  it('echo-agent: hears alice and says it back, printing the mouth-to-ear delay', async () => {
    const run = await runExample('echo-agent.ts');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/mouth-to-ear delay: \d+ ms/);
  });

  it('recorder: one WAV per participant and the mix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxsfu-recorder-spec-'));
    try {
      const run = await runExample('recorder.ts', [dir]);
      expect(run.code, run.stderr).to.equal(0);
      expect(readdirSync(dir).sort()).to.deep.equal(['alice.wav', 'bob.wav', 'mix.wav']);
      const wavs = Object.fromEntries(['alice', 'bob', 'mix'].map((name) => [name, readWav(join(dir, `${name}.wav`))]));
      for (const [name, wav] of Object.entries(wavs)) expect([name, wav.sampleRate, wav.channels, wav.bitsPerSample]).to.deep.equal([name, 48000, 1, 16]);
      // EXAMPLE_SECONDS=3: the mix runs the whole time; each voice from when its track arrived.
      expect(wavs.mix!.samples.length / 48000, 'mix seconds').to.be.within(2.5, 3.5);
      for (const name of ['alice', 'bob']) expect(wavs[name]!.samples.length / 48000, `${name} seconds`).to.be.within(1.5, wavs.mix!.samples.length / 48000);
      // alice speaks 440 Hz, bob 660 Hz: each file holds its own voice only; the mix holds both and nothing else.
      const alice = loudBlockPowers(wavs.alice!.samples);
      const bob = loudBlockPowers(wavs.bob!.samples);
      const mix = loudBlockPowers(wavs.mix!.samples);
      expect(Math.min(alice.length, bob.length, mix.length), 'loud frames in every file').to.be.greaterThan(25);
      expect(alice.every(([p440, p660]) => p440 > 0.8 && p660 < 0.05), 'alice.wav is 440 Hz').to.equal(true);
      expect(bob.every(([p440, p660]) => p660 > 0.8 && p440 < 0.05), 'bob.wav is 660 Hz').to.equal(true);
      expect(mix.some(([p440]) => p440 > 0.8) && mix.some(([, p660]) => p660 > 0.8), 'both voices in the mix').to.equal(true);
      expect(mix.every(([p440, p660]) => p440 + p660 > 0.8), 'nothing but the two voices in the mix').to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('speaker-levels: hears alice and bob through audio$ and prints each one\'s loudness', async () => {
    const run = await runExample('speaker-levels.ts');
    expect(run.code, run.stderr).to.equal(0);
    for (const name of ['alice', 'bob']) expect(run.stdout).to.match(new RegExp(`^${name} +-\\d+\\.\\d dBFS #+$`, 'm'));
  });

  it('transcriber: 1 s chunks of 16 kHz speech labelled with the speaker', async () => {
    const run = await runExample('transcriber.ts');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/\[alice\] \d+\.\d s \+1\.0 s: speech/);
  });

  it('voice-bot: its reply is cut off when alice starts talking', async () => {
    const run = await runExample('voice-bot.ts');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/alice started talking → reply cut/);
  });

  it('video-snapshot: one keyframe per participant saved as a WebP picture that decodes to alice\'s camera', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxsfu-snapshot-spec-'));
    try {
      const run = await runExample('video-snapshot.ts', [dir]);
      expect(run.code, run.stderr).to.equal(0);
      expect(readdirSync(dir)).to.deep.equal(['alice.webp']);
      const file = readFileSync(join(dir, 'alice.webp'));
      expect([file.toString('ascii', 0, 4), file.toString('ascii', 8, 16)]).to.deep.equal(['RIFF', 'WEBPVP8 ']);
      const codec = await firstValueFrom(vp8KeyframeCodec$());
      expectCameraPicture(codec.decode(vp8KeyframeFromWebp(file)), cameraColour('alice'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
