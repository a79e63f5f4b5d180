/**
 * `rxsfu join`: joins a call (real Stream, or an embedded emulator with simulated participants),
 * prints a live timeline (state, participants, tracks, per-speaker audio level, each reconnection
 * with its strategy and duration), optionally publishes a tone and records what it hears (levels and
 * recording from one `audio$` per voice: each is decoded once), and at
 * the end (Ctrl-C, `--duration`, or the call ending) leaves cleanly and prints a summary.
 */
import { writeFile } from 'node:fs/promises';
import { asyncScheduler, filter, firstValueFrom, interval, map, merge, mergeAll, NEVER, Subscription, tap, timer, type Observable } from 'rxjs';
import { joinCall, type Call, type CallRemoteTrack, type JoinCallOptions } from '../call/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { errorMessage } from '../errors.js';
import { mixAudio$, opusRtpPackets$, rmsLevel } from '../media/index.js';
import { TrackType } from '../protocol/index.js';
import type { JoinArgs } from './join-options.js';
import type { Output } from './output.js';
import { CallReport, describeRecord } from './call-report.js';
import { wavBytes } from './wav.js';

const LEVEL_PERIOD_MS = 2000;

/** Runs the whole session; resolves with the exit code. `stop$` is Ctrl-C (and SIGTERM). */
export async function runJoin(args: JoinArgs, out: Output, stop$: Observable<unknown>): Promise<number> {
  let emulator: Emulator | undefined;
  try {
    emulator = args.emulator ? await embeddedEmulator(args, out) : undefined;
    out.event(`joining ${args.callType}:${args.callId} as ${args.user}${emulator ? ' (embedded emulator)' : ''}`);
    const call = await joinCall(emulator ? { ...emulator.agentOptions(args.user, args.callId, args.callType), ...common() } : realTarget(args));
    return await session(call, args, out, stop$);
  } finally {
    await emulator?.close();
  }
}

function common(): Partial<JoinCallOptions> {
  return { subscriptions: { audio: true, video: true } };
}

function realTarget(args: JoinArgs): JoinCallOptions {
  return {
    apiKey: args.apiKey!, callType: args.callType, callId: args.callId, userId: args.user, create: true,
    ...(args.apiSecret ? { apiSecret: args.apiSecret } : { token: args.token! }),
    ...(args.baseUrl ? { baseUrl: args.baseUrl } : {}),
    ...common(),
  };
}

async function embeddedEmulator(args: JoinArgs, out: Output): Promise<Emulator> {
  const emu = await startEmulator({ sfuCount: 2 });
  for (let i = 0; i < args.participants; i++) {
    const userId = SIMULATED_NAMES[i] ?? `human-${i + 1}`;
    await emu.addParticipant({ callType: args.callType, callId: args.callId, userId, audio: true, video: i === 0 });
  }
  out.event(`emulator up: ${emu.sfus.length} SFUs, ${args.participants} simulated participant(s)`);
  return emu;
}

const SIMULATED_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];

async function session(call: Call, args: JoinArgs, out: Output, stop$: Observable<unknown>): Promise<number> {
  const report = new CallReport();
  const recorded: Int16Array[] = [];
  const startedAt = asyncScheduler.now();
  const subs = new Subscription();
  subs.add(call.state$.subscribe((state) => out.event(`state ${state}`)));
  subs.add(call.participants$.subscribe((map) => report.participants(map, out)));
  // Each voice is decoded once, by its track's audio$: the levels are read off its frames, and
  // --record mixes those same frames (mixAudio$, what call.mixedAudio$ does, without a second decode).
  const voices$ = call.remoteTracks$.pipe(
    filter((track) => track.kind === 'audio'),
    map((track) => track.audio$({ sampleRate: 48000 }).pipe(tap((frame) => report.level(speaker(track), rmsLevel(frame.samples))))),
  );
  subs.add(args.record
    ? mixAudio$(voices$, { sampleRate: 48000, scheduler: asyncScheduler }).subscribe((frame) => recorded.push(frame.samples))
    : voices$.pipe(mergeAll()).subscribe());
  subs.add(call.reconnections$.subscribe((record) => {
    report.reconnected(record);
    out.event(`reconnection: ${describeRecord(record)}`);
  }));
  subs.add(call.remoteTracks$.subscribe((track) => {
    const who = speaker(track);
    out.event(`track ${who} ${TrackType[track.trackType]?.replace('TRACK_TYPE_', '').toLowerCase() ?? track.trackType}`);
    subs.add(track.rtp$.subscribe(() => report.packet(who, asyncScheduler.now())));
  }));
  subs.add(interval(LEVEL_PERIOD_MS, asyncScheduler).subscribe(() => report.printLevels(out)));
  if (args.tone !== undefined) {
    await call.publishAudioRtp(opusRtpPackets$({ frequencyHz: args.tone }));
    out.event(`publishing a ${args.tone} Hz tone`);
  }
  const reason = await firstValueFrom(merge(
    stop$.pipe(map(() => 'interrupted')),
    args.durationS !== undefined ? timer(args.durationS * 1000, asyncScheduler).pipe(map(() => 'duration over')) : NEVER,
    call.state$.pipe(
      filter((state) => state === 'left' || state === 'reconnecting-failed'),
      map((state) => (state === 'left' ? 'the call ended' : `reconnection failed: ${errorMessage(call.failure)}`)),
    ),
  ));
  out.event(`leaving (${reason})`);
  if (call.state !== 'left' && call.state !== 'reconnecting-failed') await call.leave(reason);
  subs.unsubscribe();
  if (args.record) {
    const pcm = concatPcm(recorded);
    await writeFile(args.record, wavBytes(pcm));
    report.recorded(args.record, pcm.length / 48000);
  }
  report.summary(out, asyncScheduler.now() - startedAt, call);
  return call.failure && call.failure.code !== 'RXSFU_ERR_CALL_ENDED' ? 1 : 0;
}

/** How the timeline names a track's participant. */
function speaker(track: CallRemoteTrack): string {
  return track.participant.userId || track.participant.sessionId;
}

function concatPcm(chunks: readonly Int16Array[]): Int16Array {
  const pcm = new Int16Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    pcm.set(chunk, offset);
    offset += chunk.length;
  }
  return pcm;
}
