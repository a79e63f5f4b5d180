/**
 * The fault matrix (issue 9 item 2) as data: faults × phases. A phase brings the call to a moment
 * (joined, publishing, inside an episode right after its connection was adopted, migrating, leaving)
 * and then injects the cell's fault; the attempt phases have already injected a first fault, so
 * their cells are pairs of faults. Each fault says how the cell must end: the joined invariant
 * holding again, or the stated end `left` (RXSFU_ERR_CALL_ENDED).
 */
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../../lib/protocol/index.js';
import type { Rig } from './rig.js';

export type Outcome = 'recovers' | 'call-ended';

export interface Fault {
  readonly name: string;
  /** What the fault does, at the moment the phase chose. */
  inject(rig: Rig): Promise<void> | void;
  readonly outcome: Outcome;
}

export interface Phase {
  readonly name: string;
  /** The agent publishes in this phase (else it only listens). */
  readonly publish: boolean;
  /** Brings the call to the phase, then runs `inject` (once). */
  enter(rig: Rig, inject: () => void): void;
  /** A leave in progress: every cell ends `left` by our own hand. */
  readonly leaving?: boolean;
}

const session = (r: Rig) => r.emu.faults.session(r.call.sessionId);
const currentSfu = (r: Rig) => r.emu.faults.sfu(r.call.currentConnection?.sfuId ?? 'sfu-0');
const signalingSocket = (r: Rig) => r.currentProxy().latest('websocket');
const sfuError = (strategy: S) => (r: Rig) => session(r).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, strategy, 'matrix fault');

export const FAULTS: readonly Fault[] = [
  { name: 'TCP reset', outcome: 'recovers', inject: (r) => signalingSocket(r)?.reset() },
  { name: 'TCP blackhole', outcome: 'recovers', inject: (r) => signalingSocket(r)?.blackhole() },
  { name: 'TCP half-open', outcome: 'recovers', inject: (r) => signalingSocket(r)?.halfOpen() },
  { name: 'close 1011', outcome: 'recovers', inject: (r) => session(r).close(1011, 'matrix fault') },
  { name: 'SFU error FAST', outcome: 'recovers', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_FAST) },
  { name: 'SFU error REJOIN', outcome: 'recovers', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN) },
  { name: 'SFU error MIGRATE', outcome: 'recovers', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE) },
  { name: 'SFU error DISCONNECT', outcome: 'call-ended', inject: sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_DISCONNECT) },
  { name: 'go_away', outcome: 'recovers', inject: (r) => session(r).goAway() },
  { name: 'SFU killed', outcome: 'recovers', inject: (r) => currentSfu(r).kill() },
  {
    name: 'SFU restarted', outcome: 'recovers', inject: async (r) => {
      const sfu = currentSfu(r);
      await sfu.kill();
      await sfu.restart();
    },
  },
  {
    name: 'coordinator 5xx', outcome: 'recovers', inject: (r) => {
      r.emu.faults.coordinator.failJoins(2, 503);
      sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN)(r);
    },
  },
  {
    name: 'coordinator stall', outcome: 'recovers', inject: (r) => {
      r.emu.faults.coordinator.stallJoins(1);
      sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN)(r);
    },
  },
  {
    name: 'join refused', outcome: 'recovers', inject: (r) => {
      for (const sfu of r.emu.sfus) r.emu.faults.sfu(sfu.id).rejectJoins(1, 'sfu-full');
      signalingSocket(r)?.reset();
    },
  },
  { name: 'media path dropped', outcome: 'recovers', inject: (r) => session(r).dropMedia() },
  { name: 'call_ended', outcome: 'call-ended', inject: (r) => session(r).callEnded() },
];

export const PHASES: readonly Phase[] = [
  { name: 'joined idle (listening only)', publish: false, enter: (_r, inject) => inject() },
  { name: 'publishing', publish: true, enter: (_r, inject) => inject() },
  {
    name: 'FAST, right after adoption (ICE-restart check)', publish: true, enter: (r, inject) => {
      r.onNextJoin(inject);
      signalingSocket(r)?.reset();
    },
  },
  {
    name: 'REJOIN, republishing', publish: true, enter: (r, inject) => {
      r.onNextJoin(inject);
      sfuError(S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN)(r);
    },
  },
  {
    name: 'MIGRATE, waiting for completion', publish: true, enter: (r, inject) => {
      r.onNextJoin(inject);
      session(r).goAway();
    },
  },
  {
    name: 'leaving', publish: true, leaving: true, enter: (r, inject) => {
      void r.call.leave('matrix: leaving');
      inject();
    },
  },
];

/** The cells `npm test` runs (the rest with `npm run test:matrix`): one per phase, plus the core faults while publishing. */
export const FAST_SUBSET: ReadonlySet<string> = new Set([
  'joined idle (listening only) × TCP blackhole',
  'publishing × TCP reset',
  'publishing × TCP half-open',
  'publishing × SFU error REJOIN',
  'publishing × go_away',
  'publishing × call_ended',
  'FAST, right after adoption (ICE-restart check) × TCP reset',
  'REJOIN, republishing × TCP reset',
  'MIGRATE, waiting for completion × SFU killed',
  'leaving × TCP reset',
]);
