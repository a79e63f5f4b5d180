/**
 * The "never silently out" invariant (docs/RECONNECT.md, "The joined invariant") as a test helper:
 * what the agent believes (its `health$`: J1 socket joined, J2 negotiated peers connected) checked
 * against what the emulator knows (the session is live and connected on the SFU the agent thinks it
 * is on, and it answers health checks).
 */
import { take } from 'rxjs';
import type { Call, CallHealth } from '../../lib/call/index.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { until } from '../emulator/support/until.js';

/** What is wrong with `call` now, as `joined` promises it (empty: the invariant holds). */
export function joinedProblems(call: Call, emu: Emulator): string[] {
  let health: CallHealth | undefined;
  call.health$.pipe(take(1)).subscribe((h) => { health = h; });
  if (!health) return ['health$ gave no current value'];
  const problems = [...health.problems];
  const conn = call.currentConnection;
  if (health.state !== 'joined' || !conn) return problems;
  const live = emu.liveSessions().find((s) => s.sessionId === conn.sessionId && !s.simulated);
  if (!live) problems.push(`the SFU does not know session ${conn.sessionId}`);
  else if (!live.connected) problems.push('the SFU sees no socket for the session');
  else if (live.sfuId !== conn.sfuId) problems.push(`the session lives on ${live.sfuId}, the agent talks to ${conn.sfuId}`);
  return problems;
}

/**
 * Resolves once the invariant holds and a health check of the current session was answered after
 * this call; rejects with the last problems after `timeoutMs` (a bound, not a timing assertion).
 */
export async function untilJoinedAndHealthy(call: Call, emu: Emulator, timeoutMs = 20000): Promise<void> {
  let problems: string[] = ['not checked yet'];
  const checksBefore = emu.records.healthChecks.length;
  const answeredSince = () => emu.records.healthChecks.slice(checksBefore)
    .some((h) => h.sessionId === call.currentConnection?.sessionId && h.answered);
  try {
    await until(() => {
      // A terminal state never turns back into joined: say so now rather than at the deadline.
      if (call.state === 'left' || call.state === 'reconnecting-failed') throw new Error(`the call ended (${call.state}): ${call.failure?.message ?? 'left'}`);
      problems = joinedProblems(call, emu);
      if (problems.length === 0 && !answeredSince()) problems = ['no answered health check yet'];
      return problems.length === 0;
    }, timeoutMs, 'the joined invariant');
  } catch (err) {
    if ((err as Error).message.startsWith('the call ended')) throw err;
    throw new Error(`the joined invariant does not hold: ${problems.join('; ')}`);
  }
}
