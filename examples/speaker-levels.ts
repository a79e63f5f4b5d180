/**
 * An agent as one Rx pipeline: join, hear every remote audio track as 16 kHz PCM (`audio$`), and
 * print each speaker's loudness once a second, for as long as the call lasts (reconnects included:
 * a track's `audio$` goes on, on the same clock, when the connection under it is replaced).
 *
 *   npx tsx examples/speaker-levels.ts            (against the embedded emulator, 6 s)
 */
import { bufferTime, filter, finalize, map, mergeMap, takeUntil, timer } from 'rxjs';
import { joinCall$ } from '../lib/index.js';
import { rmsLevel } from '../lib/media/index.js';
import { startEmulator } from '../lib/emulator/index.js';

const emu = await startEmulator({ host: '127.0.0.1' });
await emu.addParticipant({ callId: 'levels', userId: 'alice', audio: true });
await emu.addParticipant({ callId: 'levels', userId: 'bob', audio: true });

joinCall$({
  ...emu.agentOptions('listener', 'levels'),
}).pipe(
  mergeMap((call) => call.remoteTracks$.pipe(
    filter((track) => track.kind === 'audio'),
    mergeMap((track) => track.audio$({ sampleRate: 16000 }).pipe(   // jitter-buffered, decoded, losses concealed
      map((frame) => rmsLevel(frame.samples)),
      bufferTime(1000),
      filter((levels) => levels.length > 0),
      map((levels) => ({ speaker: track.participant.userId, dbfs: 20 * Math.log10(Math.max(1, ...levels) / 32768) })),
    )),
    takeUntil(timer(6000)),
    finalize(() => void call.leave('done').then(() => emu.close())),
  )),
).subscribe(({ speaker, dbfs }) => console.log(`${speaker.padEnd(6)} ${dbfs.toFixed(1).padStart(6)} dBFS ${'#'.repeat(Math.max(0, Math.round(60 + dbfs)))}`));
