/**
 * Video snapshot agent: subscribes to everyone's video and saves one keyframe per participant as a
 * WebP picture. A VP8 keyframe is a whole picture and a lossy WebP file is one VP8 keyframe in a
 * RIFF container, so `vp8KeyframeToWebp` makes the file without decoding anything; any image viewer
 * opens it. It also decodes the keyframe to pixels (`vp8KeyframeCodec$`, libwebp in wasm) and
 * prints the colour at the picture's centre of each quadrant. On the emulator, alice's camera shows
 * her colour, white, black and the complement.
 *
 *   npx tsx examples/video-snapshot.ts [output-dir]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, first, firstValueFrom, mergeMap, timeout } from 'rxjs';
import { joinCall, vp8KeyframeCodec$, vp8KeyframeToWebp, type RgbaImage } from '../lib/index.js';
import { exampleTarget, sleep } from './support/target.js';

/** The RGB at the centre of each quadrant, as `r,g,b`. */
function quadrants({ width, height, rgba }: RgbaImage): string[] {
  return [[1, 1], [3, 1], [1, 3], [3, 3]].map(([qx, qy]) => {
    const at = (Math.floor((qy! * height) / 4) * width + Math.floor((qx! * width) / 4)) * 4;
    return `${rgba[at]},${rgba[at + 1]},${rgba[at + 2]}`;
  });
}

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'rxsfu-snapshots-'));
const codec = await firstValueFrom(vp8KeyframeCodec$());
const target = await exampleTarget({ human: { audio: true, video: true } });
const call = await joinCall({ ...target.joinOptions('snapshotter'), subscriptions: { audio: false, video: true } });
let saved = 0;
call.remoteTracks$.pipe(
  filter((t) => t.kind === 'video'),
  // frames$ asks for a keyframe by itself: the first one comes within a few frames.
  mergeMap((t) => t.frames$.pipe(first((f) => f.keyframe), timeout(target.durationMs), mergeMap((frame) => [{ who: t.participant.userId, frame }]))),
).subscribe({
  next: ({ who, frame }) => {
    const path = join(outDir, `${who}.webp`);
    writeFileSync(path, vp8KeyframeToWebp(frame.data));
    saved++;
    const picture = codec.decode(frame.data);
    console.log(`${path}: ${picture.width}x${picture.height} keyframe, ${frame.data.length} bytes; quadrant colours ${quadrants(picture).join(' | ')}`);
  },
  error: (err: Error) => console.log(`no keyframe: ${err.message}`),
});

await sleep(target.durationMs);
await call.leave('snapshots taken');
await target.close();
if (target.human && saved === 0) process.exitCode = 1;
