/**
 * The main job: an agent joins a call on the embedded emulator, receives a participant's audio and
 * video, publishes its own audio, survives three network faults, and leaves. Prints a timeline.
 *
 *   npm run demo            (add `-- --quick` for a shorter run)
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
  const counts = watch(call);
  await call.publishAudio(opusRtpPackets$({ frequencyHz: 440 }));
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
}

interface Counts { fromAlice: number }

function watch(call: Call): Counts {
  const counts: Counts = { fromAlice: 0 };
  call.participants$.subscribe((participants) =>
    say('agent', `participants: ${[...participants.values()].map((p) => p.userId + (p.isLocal ? ' (me)' : '')).join(', ')}`));
  call.remoteTracks$.subscribe((track) => {
    say('agent', `receiving ${track.kind} from ${track.participant.userId}`);
    track.rtp$.subscribe(() => { counts.fromAlice += 1; });
    track.replaced$.subscribe(({ reason }) => say('agent', `${track.kind} from ${track.participant.userId} moved: ${reason}`));
  });
  call.connectionLost$.subscribe((lost) => say('agent', `connection lost: ${lost.kind}${lost.closeCode ? ` ${lost.closeCode}` : ''} (${lost.detail})`));
  call.state$.subscribe((state) => say('agent', `state → ${state}`));
  call.reconnections$.subscribe((r) => say('agent',
    `recovered by ${r.strategiesTried.join(' → ')} in ${r.durationMs.toFixed(0)} ms (${r.attempts} attempt${r.attempts > 1 ? 's' : ''}, outcome ${r.outcome})`));
  return counts;
}

async function fault(name: string, emu: Emulator, call: Call, alice: SimulatedParticipant, counts: Counts, inject: () => void): Promise<void> {
  say('fault', name);
  inject();
  await firstValueFrom(call.state$.pipe(filter((s) => s !== 'joined'), timeout(15_000)));
  await firstValueFrom(call.state$.pipe(filter((s) => s === 'joined' || s === 'reconnecting-failed'), timeout(30_000)));
  if (call.state !== 'joined') throw new Error(`did not recover from "${name}": ${call.failure?.message}`);
  say('emulator', `live sessions: ${emu.liveSessions().map((s) => `${s.userId}@${s.sfuId}`).join(', ')}`);
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
