/**
 * Video snapshot agent: subscribes to everyone's video and saves one keyframe per participant as
 * an IVF file (the simplest VP8 container: `ffmpeg -i alice.ivf alice.png` turns it into a picture;
 * pick any VP8 decoder you like to do it in-process). On the emulator the frames are synthetic
 * (valid VP8 headers, filler bodies), so the files are well-formed but not pictures.
 *
 *   npx tsx examples/video-snapshot.ts [output-dir]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, first, mergeMap, timeout } from 'rxjs';
import { joinCall, type VideoFrame } from '../lib/index.js';
import { exampleTarget, sleep } from './support/target.js';

/** One VP8 frame in an IVF file: 32-byte file header, 12-byte frame header, the frame. */
function ivf(frame: VideoFrame): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4); // version
  header.writeUInt16LE(32, 6); // header size
  header.write('VP80', 8, 'ascii');
  header.writeUInt16LE(frame.width ?? 0, 12);
  header.writeUInt16LE(frame.height ?? 0, 14);
  header.writeUInt32LE(90000, 16); // time base: the RTP clock
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(1, 24); // one frame
  const frameHeader = Buffer.alloc(12);
  frameHeader.writeUInt32LE(frame.data.length, 0);
  frameHeader.writeUInt32LE(frame.rtpTimestamp, 4);
  return Buffer.concat([header, frameHeader, frame.data]);
}

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'rxsfu-snapshots-'));
const target = await exampleTarget({ human: { audio: true, video: true } });
const call = await joinCall({ ...target.joinOptions('snapshotter'), subscriptions: { audio: false, video: true } });
let saved = 0;
call.remoteTracks$.pipe(
  filter((t) => t.kind === 'video'),
  // frames$ asks for a keyframe by itself: the first one comes within a few frames.
  mergeMap((t) => t.frames$.pipe(first((f) => f.keyframe), timeout(target.durationMs), mergeMap((frame) => [{ who: t.participant.userId, frame }]))),
).subscribe({
  next: ({ who, frame }) => {
    const path = join(outDir, `${who}.ivf`);
    writeFileSync(path, ivf(frame));
    saved++;
    console.log(`${path}: ${frame.width}x${frame.height} keyframe, ${frame.data.length} bytes`);
  },
  error: (err: Error) => console.log(`no keyframe: ${err.message}`),
});

await sleep(target.durationMs);
await call.leave('snapshots taken');
await target.close();
if (target.human && saved === 0) process.exitCode = 1;
