/**
 * The main job: an agent joins a call on the embedded emulator, receives a participant's audio and
 * video, publishes its own audio, survives three network faults, and leaves. Prints a timeline
 * (each line says something new) and a summary: faults survived, how, and the longest gap in what
 * the agent heard.
 *
 *   npm run demo
 */
import { filter, firstValueFrom, timeout } from 'rxjs';
import { joinCall, opusRtpPackets$, type Call } from '../lib/index.js';
import { startEmulator, type Emulator, type SimulatedParticipant } from '../lib/emulator/index.js';

const started = performance.now();
const say = (who: string, what: string) =>
  console.log(`${`+${((performance.now() - started) / 1000).toFixed(2)}s`.padStart(8)}  ${who.padEnd(9)} ${what}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const emu = await startEmulator({ host: '127.0.0.1', sfuCount: 2 });
  say('emulator', `coordinator ${emu.coordinatorUrl}, SFUs ${emu.sfus.map((s) => s.id).join(', ')}`);
  const alice = await emu.addParticipant({ callType: 'default', callId: 'demo', userId: 'alice', audio: true, video: true });
  say('alice', 'joined (simulated participant publishing Opus audio and VP8 video)');

  const call = await joinCall({
    ...emu.agentOptions('agent', 'demo'),
    subscriptions: { audio: true, video: true },
    // Shorter than the defaults (5 s / 12 s) so the silent-SFU fault is noticed quickly in the demo.
    healthCheckIntervalMs: 1000, unhealthyAfterMs: 3000,
  });
  say('agent', `joined on ${call.currentConnection?.sfuId} as session ${call.sessionId.slice(0, 8)}…`);
  sessionsChanged(emu);
  const counts = watch(call);
  await call.publishAudioRtp(opusRtpPackets$({ frequencyHz: 440 }));
  say('agent', 'publishing a 440 Hz Opus tone');

  await expectMediaBothWays('initial media', call, alice, counts);
  await fault('TCP connection destroyed, no close frame', emu, call, alice, counts,
    () => emu.faults.session(call.sessionId).destroyTcp());
  await fault('SFU goes silent (no frames, TCP open)', emu, call, alice, counts,
    () => emu.faults.session(call.sessionId).goSilent());
  await fault('SFU sends go_away (shutting down)', emu, call, alice, counts,
    () => emu.faults.session(call.sessionId).goAway());

  await call.leave('demo finished');
  // The SFU handles our LeaveCallRequest on its own time; give it a moment before reading its state.
  for (let i = 0; i < 20 && emu.liveSessions().some((s) => s.userId === 'agent'); i++) await sleep(50);
  say('agent', `left (state ${call.state}); live sessions now: ${emu.liveSessions().map((s) => s.userId).join(', ')}`);
  await emu.close();
  say('emulator', 'closed');
  summary(counts, faults);
}

interface Counts {
  fromAlice: number;
  /** Arrival of the last packet from alice, and the longest silence between two of them (ms). */
  lastAt?: number;
  longestGapMs: number;
}

interface FaultOutcome { name: string; how: string }
const faults: FaultOutcome[] = [];

function watch(call: Call): Counts {
  const counts: Counts = { fromAlice: 0, longestGapMs: 0 };
  // Who is in the call: said once per arrival and departure, not on every participant update.
  const present = new Set<string>();
  call.participants$.subscribe((participants) => {
    const now = new Set([...participants.values()].filter((p) => !p.isLocal).map((p) => p.userId));
    for (const user of now) if (!present.has(user)) say('agent', `sees ${user} in the call`);
    for (const user of present) if (!now.has(user)) say('agent', `sees ${user} leave`);
    present.clear();
    now.forEach((user) => present.add(user));
  });
  call.remoteTracks$.subscribe((track) => {
    say('agent', `receiving ${track.kind} from ${track.participant.userId}`);
    track.rtp$.subscribe(() => {
      const at = performance.now();
      if (track.kind === 'audio' && counts.lastAt !== undefined) counts.longestGapMs = Math.max(counts.longestGapMs, at - counts.lastAt);
      if (track.kind === 'audio') counts.lastAt = at;
      counts.fromAlice += 1;
    });
    track.replaced$.subscribe(({ reason }) => say('agent', `${track.kind} from ${track.participant.userId} moved: ${reason}`));
  });
  call.connectionLost$.subscribe((lost) => say('agent', `connection lost: ${lost.kind}${lost.closeCode ? ` ${lost.closeCode}` : ''} (${lost.detail})`));
  // "reconnecting" and "joined again" are what the loss and recovery lines already say.
  let joinedOnce = false;
  call.state$.subscribe((state) => {
    if (state === 'reconnecting' || (state === 'joined' && joinedOnce)) return;
    joinedOnce ||= state === 'joined';
    say('agent', `state → ${state}`);
  });
  call.reconnections$.subscribe((r) => {
    const how = `${r.strategiesTried.join(' → ')} in ${r.durationMs.toFixed(0)} ms`;
    faults.at(-1)!.how = how;
    say('agent', `recovered by ${how} (${r.attempts} attempt${r.attempts > 1 ? 's' : ''}, outcome ${r.outcome})`);
  });
  return counts;
}

function summary(counts: Counts, survived: FaultOutcome[]): void {
  console.log('');
  console.log(`summary: ${survived.length} faults survived, media both ways after each`);
  for (const f of survived) console.log(`  - ${f.name}: ${f.how}`);
  console.log(`  longest gap in alice's audio at the agent: ${counts.longestGapMs.toFixed(0)} ms (one packet every 20 ms when flowing)`);
  console.log(`  ${counts.fromAlice} RTP packets received from alice in all`);
}

let lastSessions = '';
/** The emulator's view, said only when it changed. */
function sessionsChanged(emu: Emulator): void {
  const sessions = emu.liveSessions().map((s) => `${s.userId}@${s.sfuId}`).sort().join(', ');
  if (sessions !== lastSessions) say('emulator', `live sessions: ${sessions}`);
  lastSessions = sessions;
}

async function fault(name: string, emu: Emulator, call: Call, alice: SimulatedParticipant, counts: Counts, inject: () => void): Promise<void> {
  say('fault', name);
  faults.push({ name, how: 'not recovered' });
  inject();
  await firstValueFrom(call.state$.pipe(filter((s) => s !== 'joined'), timeout(15_000)));
  await firstValueFrom(call.state$.pipe(filter((s) => s === 'joined' || s === 'reconnecting-failed'), timeout(30_000)));
  if (call.state !== 'joined') throw new Error(`did not recover from "${name}": ${call.failure?.message}`);
  sessionsChanged(emu);
  await expectMediaBothWays(`after "${name}"`, call, alice, counts);
}

async function expectMediaBothWays(label: string, call: Call, alice: SimulatedParticipant, counts: Counts): Promise<void> {
  const fromAgent = () => alice.received().filter((r) => r.fromSessionId === call.sessionId).reduce((n, r) => n + r.packets, 0);
  const before = { rx: counts.fromAlice, tx: fromAgent() };
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    if (counts.fromAlice - before.rx > 20 && fromAgent() - before.tx > 20) break;
  }
  const rx = counts.fromAlice - before.rx;
  const tx = fromAgent() - before.tx;
  say('media', `${label}: agent received ${rx} RTP packets from alice, alice received ${tx} from the agent`);
  if (rx === 0 || tx === 0) throw new Error(`media is not flowing both ways ${label}`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`demo failed: ${err.message}`);
    process.exit(1);
  },
);
