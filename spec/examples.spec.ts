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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
