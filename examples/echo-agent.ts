/**
 * Echo agent: hears each participant as PCM and says it right back; prints the mouth-to-ear delay
 * (alice starts a beep → alice hears the agent's echo of it), measured on the emulator.
 *
 *   npx tsx examples/echo-agent.ts
 */
import { filter, from, mergeMap } from 'rxjs';
import { joinCall, pace, rmsLevel } from '../lib/index.js';
import { exampleTarget, sleep, toneFrames } from './support/target.js';

const target = await exampleTarget({ human: { audio: { frequencyHz: 440, speechLike: false } } });
const call = await joinCall(target.joinOptions('echo-agent'));
console.log(`echo-agent joined as ${call.sessionId.slice(0, 8)}…`);

// Hear every voice at 48 kHz mono and publish it back as it comes (already real time: no pace()).
const heard$ = call.remoteTracks$.pipe(filter((t) => t.kind === 'audio'), mergeMap((t) => t.audio$()));
await call.publishAudio(heard$);

const human = target.human;
if (human) {
  // Alice goes quiet, then beeps once; the time until she hears the beep from the agent is the
  // mouth-to-ear delay (her encoder, SFU, agent's jitter buffer + decode + encode + pacing, SFU, her decoder).
  human.speak(from(toneFrames(0.5, 1000, 48000, 0)).pipe(pace()));
  await sleep(1000);
  const before = human.receivedAudio().find((r) => r.fromUserId === 'echo-agent')?.samples.length ?? 0;
  const spokeAt = performance.now();
  human.speak(from(toneFrames(0.3, 1000, 48000)).pipe(pace()));
  let delayMs: number | undefined;
  while (delayMs === undefined && performance.now() - spokeAt < target.durationMs) {
    await sleep(5);
    const echo = human.receivedAudio().find((r) => r.fromUserId === 'echo-agent')?.samples;
    if (!echo) continue;
    for (let i = before; i + 960 <= echo.length; i += 960) {
      if (rmsLevel(echo.subarray(i, i + 960)) > 1000) {
        delayMs = performance.now() - spokeAt;
        break;
      }
    }
  }
  console.log(delayMs === undefined ? 'no echo heard' : `mouth-to-ear delay: ${delayMs.toFixed(0)} ms`);
  if (delayMs === undefined) process.exitCode = 1;
} else {
  await sleep(target.durationMs);
}
await call.leave('echo done');
await target.close();
