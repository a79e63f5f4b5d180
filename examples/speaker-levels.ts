/**
 * An agent as one Rx pipeline: join, take every remote audio track, decode its Opus to PCM, and
 * print each speaker's loudness once a second, for as long as the call lasts (reconnects included:
 * a track keeps its `rtp$` when the connection under it is replaced).
 *
 *   npx tsx examples/speaker-levels.ts            (against the embedded emulator, 6 s)
 */
import { bufferTime, filter, finalize, map, mergeMap, takeUntil, timer } from 'rxjs';
import { joinCall$, createOpusDecoder } from '../lib/index.js';
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
    mergeMap((track) => {
      const decoder = createOpusDecoder();   // one per track: Opus decoding is stateful
      return track.rtp$.pipe(
        map((packet) => rmsLevel(decoder.decode(packet.payload))),
        bufferTime(1000),
        filter((levels) => levels.length > 0),
        map((levels) => ({ speaker: track.participant.userId, dbfs: 20 * Math.log10(Math.max(...levels) / 32768) })),
      );
    }),
    takeUntil(timer(6000)),
    finalize(() => void call.leave('done').then(() => emu.close())),
  )),
).subscribe(({ speaker, dbfs }) => console.log(`${speaker.padEnd(6)} ${dbfs.toFixed(1).padStart(6)} dBFS ${'#'.repeat(Math.max(0, Math.round(60 + dbfs)))}`));
