/**
 * The faults the soak draws from: the matrix's faults that a call recovers from (those that end
 * the call, `call_ended` and DISCONNECT, would only shrink the soak), aimed at one agent.
 */
import type { Call } from '../../lib/call/index.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import type { TcpProxy } from '../support/tcp-proxy.js';

export interface ChaosTarget {
  readonly emu: Emulator;
  readonly call: Call;
  proxyOf(sfuId: string): TcpProxy | undefined;
}

export interface ChaosFault {
  readonly name: string;
  /** It hits every agent on the target's SFU, not the target alone (the soak blames it on each of them). */
  readonly wholeSfu?: boolean;
  inject(target: ChaosTarget): Promise<void> | void;
}

const session = (t: ChaosTarget) => t.emu.faults.session(t.call.sessionId);
export const sfuId = (t: ChaosTarget) => t.call.currentConnection?.sfuId ?? 'sfu-0';
const socket = (t: ChaosTarget) => t.proxyOf(sfuId(t))?.connections().filter((c) => c.kind === 'websocket' && c.open).at(-1);
const sfuError = (strategy: S) => (t: ChaosTarget) => session(t).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, strategy, 'chaos');

export const CHAOS_FAULTS: readonly ChaosFault[] = [
  { name: 'TCP reset', inject: (t) => socket(t)?.reset() },
  { name: 'TCP blackhole', inject: (t) => socket(t)?.blackhole() },
  { name: 'TCP half-open', inject: (t) => socket(t)?.halfOpen() },
  { name: 'close 1011', inject: (t) => session(t).close(1011, 'chaos') },
  { name: 'SFU error FAST', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_FAST) },
  { name: 'SFU error REJOIN', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN) },
  { name: 'SFU error MIGRATE', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE) },
  { name: 'go_away', inject: (t) => session(t).goAway() },
  {
    name: 'SFU restarted', wholeSfu: true, inject: async (t) => {
      const sfu = t.emu.faults.sfu(sfuId(t));
      await sfu.kill();
      await sfu.restart();
    },
  },
  { name: 'coordinator 5xx', inject: (t) => { t.emu.faults.coordinator.failJoins(1, 503); sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN)(t); } },
  { name: 'join refused', inject: (t) => { t.emu.faults.sfu(sfuId(t)).rejectJoins(1, 'sfu-full'); socket(t)?.reset(); } },
  { name: 'media path dropped', inject: (t) => session(t).dropMedia() },
];
