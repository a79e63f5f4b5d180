/**
 * One cell's world for the fault matrix: an emulator with two SFUs, a killable TCP proxy in front of
 * each SFU's signaling socket, a simulated participant ("human") publishing Opus, and the agent
 * (joinCall through the coordinator) listening to it and, if asked, publishing. Timings are short so
 * that every trigger (heartbeat, media stall, peer stuck, coordinator timeout) fires within seconds.
 * With `deferJoin` the agent has not joined yet: the phase starts the join itself (`startJoin`).
 */
import { joinCall, type Call, type CallState } from '../../../lib/call/index.js';
import { startEmulator, type Emulator } from '../../../lib/emulator/index.js';
import { opusRtpPackets$ } from '../../../lib/media/index.js';
import type { ReconnectionRecord } from '../../../lib/reconnect/index.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { QUICK } from '../support/scenario.js';
import { nextJoinHook } from '../support/next-join.js';

export interface Rig {
  readonly emu: Emulator;
  /** The joined call (throws before the join resolved). */
  readonly call: Call;
  /** The join in flight or done (after `startJoin`). */
  readonly joining: Promise<Call> | undefined;
  readonly states: CallState[];
  readonly records: ReconnectionRecord[];
  /** Starts the agent's join (done by `startRig` unless `deferJoin`). */
  startJoin(): Promise<Call>;
  /** The agent's session id: the call's, or before it joined, the one its join request named. */
  sessionId(): string;
  /** The SFU the agent talks to (or asked to join, before the join resolved). */
  sfuId(): string;
  /** The proxy in front of the SFU the agent is on now. */
  currentProxy(): TcpProxy;
  /** Runs `hit` right after the next signaling join_response (a reconnect's), as the executor goes on. */
  onNextJoin(hit: () => void): void;
  /** Runs `hit` once `ready()` holds (polled; for windows the emulator's records reveal). */
  when(ready: () => boolean, hit: () => void): void;
  /** Leaves, closes the proxies and the emulator (idempotent). */
  close(): Promise<void>;
}

export interface RigOptions {
  /** The agent publishes Opus too (else it only listens). */
  readonly publish: boolean;
  /** Do not join yet: the phase calls `startJoin()`. */
  readonly deferJoin?: boolean;
}

export const CALL_ID = 'matrix';
export const AGENT = 'agent';

export async function startRig(options: RigOptions): Promise<Rig> {
  const proxies = new Map<string, TcpProxy>();
  const emu = await startEmulator({
    sfuCount: 2,
    sfuAddress: (sfu) => ({ ...sfu, wsEndpoint: proxies.get(sfu.id)?.wsEndpoint ?? sfu.wsEndpoint }),
  });
  let call: Call | undefined;
  let joining: Promise<Call> | undefined;
  const pollers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    pollers.forEach((p) => clearInterval(p));
    await joining?.catch(() => undefined);
    await call?.leave('matrix cell over').catch(() => undefined);
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await emu.close();
  })());
  const { logger, onNextJoin } = nextJoinHook();
  const states: CallState[] = [];
  const records: ReconnectionRecord[] = [];
  const join = async (): Promise<Call> => {
    const joined = await joinCall({
      ...emu.agentOptions(AGENT, CALL_ID),
      ...QUICK, logger, coordinatorTimeoutMs: 2000,
      healthCheckIntervalMs: 500, unhealthyAfterMs: 1500, mediaStallAfterMs: 1500, peerConnectTimeoutMs: 4000,
      reconnect: { ...QUICK.reconnect, disconnectionTimeoutMs: 20000 },
    });
    call = joined;
    joined.state$.subscribe((s) => states.push(s));
    joined.reconnections$.subscribe((r) => records.push(r));
    if (options.publish) await joined.publishAudioRtp(opusRtpPackets$());
    return joined;
  };
  const lastAgentJoin = () => emu.records.joins.filter((j) => j.userId === AGENT).at(-1);
  const sfuId = () => call?.currentConnection?.sfuId ?? lastAgentJoin()?.sfuId ?? 'sfu-0';
  const rig: Rig = {
    emu, states, records, close, onNextJoin, sfuId,
    get call() {
      if (!call) throw new Error('the agent has not joined yet');
      return call;
    },
    get joining() { return joining; },
    startJoin: () => (joining ??= join()),
    sessionId: () => call?.sessionId ?? lastAgentJoin()?.sessionId ?? '',
    currentProxy: () => proxies.get(sfuId()) ?? [...proxies.values()][0]!,
    when(ready, hit) {
      const poller = setInterval(() => {
        if (!ready()) return;
        clearInterval(poller);
        pollers.delete(poller);
        hit();
      }, 2);
      pollers.add(poller);
    },
  };
  try {
    for (const sfu of emu.sfus) proxies.set(sfu.id, await startTcpProxy(Number(new URL(sfu.url).port)));
    await emu.addParticipant({ callId: CALL_ID, userId: 'human', audio: true });
    if (!options.deferJoin) await rig.startJoin();
    return rig;
  } catch (err) {
    await close();
    throw err;
  }
}
