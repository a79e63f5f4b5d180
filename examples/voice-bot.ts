/**
 * Voice bot skeleton with barge-in: it answers with "TTS" (a tone, produced much faster than real
 * time, paced by `pace()`), and the moment someone else starts talking the reply is cut off
 * (`takeUntil` drops what `pace()` still queues; `switchMap` does the same for a newer reply).
 *
 *   npx tsx examples/voice-bot.ts
 */
import { Subject, filter, from, map, mergeMap, share, switchMap, take, takeUntil, tap } from 'rxjs';
import { joinCall, pace, rmsLevel } from '../lib/index.js';
import { exampleTarget, sleep, toneFrames, waitFor } from './support/target.js';

/** Stand-in for a TTS engine: the whole reply at once, 24 kHz, long before it is due. */
const tts = (text: string) => from(toneFrames(Math.max(1, text.length / 8), 500));

const target = await exampleTarget({ human: { audio: { frequencyHz: 440, speechLike: false } } });
target.human?.speak(from(toneFrames(0.1, 440, 48000, 0)).pipe(pace())); // alice listens first
const call = await joinCall(target.joinOptions('voice-bot'));

// Someone else talking: a loud frame from any remote voice.
let hearing = false;
const someoneTalks$ = call.remoteTracks$.pipe(
  filter((t) => t.kind === 'audio'),
  mergeMap((t) => t.audio$().pipe(tap(() => (hearing = true)), filter((f) => rmsLevel(f.samples) > 1000), map(() => t.participant.userId))),
  share(),
);
const replies$ = new Subject<string>();
let sent = 0;
let cutAt: number | undefined;
const speech$ = replies$.pipe(
  switchMap((text) => {
    console.log(`bot: replying "${text}" (${Math.max(1, text.length / 8).toFixed(1)} s of audio, produced at once)`);
    return tts(text).pipe(pace(), takeUntil(someoneTalks$.pipe(take(1), tap((who) => {
      cutAt = performance.now();
      console.log(`bot: ${who} started talking → reply cut after ${(sent * 20 / 1000).toFixed(2)} s`);
    }))));
  }),
  tap(() => sent++),
);
await call.publishAudio(speech$);
replies$.next('Hello! I am a voice bot and I can talk for a long long time if nobody stops me.');

// The bot talks on for 1.5 s once it hears the room (on a busy machine the join may take a while).
await waitFor(() => hearing, target.durationMs);
await sleep(1500);
const talkAt = performance.now();
target.human?.speak(from(toneFrames(1, 440, 48000)).pipe(pace()));
if (target.human) await waitFor(() => cutAt !== undefined, target.durationMs);
else await sleep(Math.max(0, target.durationMs - 1500));
if (target.human) {
  if (cutAt === undefined) {
    console.log('bot: never interrupted');
    process.exitCode = 1;
  } else {
    console.log(`bot: stopped ${(cutAt - talkAt).toFixed(0)} ms after alice started talking (network, jitter buffer and one frame)`);
  }
}
await call.leave('bot done');
await target.close();
