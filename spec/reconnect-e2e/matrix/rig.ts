/**
 * One cell's world for the fault matrix: an emulator with two SFUs, a killable TCP proxy in front of
 * each SFU's signaling socket, a simulated participant ("human") publishing Opus, and the agent
 * (joinCall through the coordinator) listening to it and, if asked, publishing. Timings are short so
 * that every trigger (heartbeat, media stall, peer stuck, coordinator timeout) fires within seconds.
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
  readonly call: Call;
  readonly states: CallState[];
  readonly records: ReconnectionRecord[];
  /** The proxy in front of the SFU the agent is on now. */
  currentProxy(): TcpProxy;
  /** Runs `hit` right after the next signaling join_response (a reconnect's), as the executor goes on. */
  onNextJoin(hit: () => void): void;
  /** Leaves, closes the proxies and the emulator (idempotent). */
  close(): Promise<void>;
}

export interface RigOptions {
  /** The agent publishes Opus too (else it only listens). */
  readonly publish: boolean;
}

export const CALL_ID = 'matrix';

export async function startRig(options: RigOptions): Promise<Rig> {
  const proxies = new Map<string, TcpProxy>();
  const emu = await startEmulator({
    sfuCount: 2,
    sfuAddress: (sfu) => ({ ...sfu, wsEndpoint: proxies.get(sfu.id)?.wsEndpoint ?? sfu.wsEndpoint }),
  });
  let call: Call | undefined;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await call?.leave('matrix cell over').catch(() => undefined);
    await Promise.all([...proxies.values()].map((p) => p.close()));
    await emu.close();
  })());
  try {
    for (const sfu of emu.sfus) proxies.set(sfu.id, await startTcpProxy(Number(new URL(sfu.url).port)));
    const { logger, onNextJoin } = nextJoinHook();
    await emu.addParticipant({ callId: CALL_ID, userId: 'human', audio: true });
    call = await joinCall({
      ...emu.agentOptions('agent', CALL_ID),
      ...QUICK, logger, coordinatorTimeoutMs: 2000,
      healthCheckIntervalMs: 500, unhealthyAfterMs: 1500, mediaStallAfterMs: 1500, peerConnectTimeoutMs: 4000,
      reconnect: { ...QUICK.reconnect, disconnectionTimeoutMs: 20000 },
    });
    const joined = call;
    const states: CallState[] = [];
    const records: ReconnectionRecord[] = [];
    joined.state$.subscribe((s) => states.push(s));
    joined.reconnections$.subscribe((r) => records.push(r));
    if (options.publish) await joined.publishAudioRtp(opusRtpPackets$());
    return {
      emu, call: joined, states, records, close,
      currentProxy: () => proxies.get(joined.currentConnection?.sfuId ?? '') ?? [...proxies.values()][0]!,
      onNextJoin,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
