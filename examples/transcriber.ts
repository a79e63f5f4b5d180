/**
 * Transcriber-shaped agent: every speaker's voice as 16 kHz mono, cut into 1 s chunks labelled with
 * the speaker, handed to a recognizer (a stub here that reports loudness: plug in your ASR).
 *
 *   npx tsx examples/transcriber.ts
 */
import { bufferCount, filter, map, mergeMap } from 'rxjs';
import { joinCall, rmsLevel } from '../lib/index.js';
import { exampleTarget, sleep } from './support/target.js';

/** Where a real speech recognizer would go: 16 kHz mono PCM with who said it. */
const recognizer = {
  push(chunk: { speaker: string; startMs: number; samples: Int16Array }) {
    const level = rmsLevel(chunk.samples);
    console.log(`[${chunk.speaker}] ${(chunk.startMs / 1000).toFixed(1)} s +1.0 s: ${level > 300 ? `speech (rms ${level.toFixed(0)})` : 'silence'}`);
  },
};

const target = await exampleTarget();
const call = await joinCall(target.joinOptions('transcriber'));
let chunks = 0;
call.remoteTracks$.pipe(
  filter((t) => t.kind === 'audio'),
  mergeMap((t) => t.audio$({ sampleRate: 16000 }).pipe(
    bufferCount(50), // 50 frames of 20 ms = 1 s
    map((frames) => {
      const samples = new Int16Array(frames.length * 320);
      frames.forEach((f, i) => samples.set(f.samples, i * 320));
      return { speaker: t.participant.userId, startMs: frames[0]!.timestampMs, samples };
    }),
  )),
).subscribe((chunk) => {
  chunks++;
  recognizer.push(chunk);
});

await sleep(target.durationMs);
await call.leave('transcription done');
await target.close();
if (chunks === 0) process.exitCode = 1;
