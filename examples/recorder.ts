/**
 * Recorder: one WAV file per participant plus the mix of everyone, 48 kHz mono, written with
 * `wavefile` (a well-kept WAV writer) when the agent leaves.
 *
 *   npx tsx examples/recorder.ts [output-dir]     (default: a new folder under the system temp dir)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter } from 'rxjs';
import wavefile from 'wavefile';
import { joinCall } from '../lib/index.js';
import { exampleTarget, sleep } from './support/target.js';

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'rxsfu-recorder-'));
const target = await exampleTarget({ human: { audio: { frequencyHz: 440, speechLike: true } } });
const call = await joinCall(target.joinOptions('recorder'));
await target.emulator?.addParticipant({ callId: process.env.CALL_ID ?? 'rxsfu-example', userId: 'bob', audio: { frequencyHz: 660, speechLike: true } });

const tracks = new Map<string, Int16Array[]>();
const mix: Int16Array[] = [];
call.remoteTracks$.pipe(filter((t) => t.kind === 'audio')).subscribe((track) => {
  const chunks: Int16Array[] = [];
  tracks.set(track.participant.userId, chunks);
  track.audio$().subscribe((frame) => chunks.push(frame.samples));
});
call.mixedAudio$().subscribe((frame) => mix.push(frame.samples));

await sleep(target.durationMs);
await call.leave('recording done');
await target.close();

function writeWav(name: string, chunks: Int16Array[]): void {
  const samples = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((offset, c) => (samples.set(c, offset), offset + c.length), 0);
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 48000, '16', samples);
  const path = join(outDir, `${name}.wav`);
  writeFileSync(path, wav.toBuffer());
  console.log(`${path}: ${(samples.length / 48000).toFixed(2)} s`);
}
for (const [userId, chunks] of tracks) writeWav(userId, chunks);
writeWav('mix', mix);
if (tracks.size === 0 || mix.length === 0) process.exitCode = 1;
