/**
 * The fault matrix (issue 9 item 2) as data: faults × phases. A phase brings the call to a moment
 * (joining before join_response, joined, publishing, inside an episode before or right after its
 * connection was adopted, at the coordinator, migrating, leaving) and then injects the cell's fault.
 * An attempt phase starts its attempt with a first fault (each of its `starters`), so its cells are
 * the pairs starter × fault. Each fault says how the cell must end: the joined invariant holding
 * again, or the stated end `left` (RXSFU_ERR_CALL_ENDED); a joining cell may also end in a typed
 * rejection of joinCall.
 */
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../../lib/protocol/index.js';
import { AGENT, type Rig } from './rig.js';

export type Outcome = 'recovers' | 'call-ended';

export interface Fault {
  readonly name: string;
  /** What the fault does, at the moment the phase chose. */
  inject(rig: Rig): Promise<void> | void;
  readonly outcome: Outcome;
  /** The fault ends the call at the coordinator too, so it reaches an agent that has no SFU socket (its next join is refused). */
  readonly endsCall?: boolean;
}

export interface Phase {
  readonly name: string;
  /** The agent publishes in this phase (else it only listens). */
  readonly publish: boolean;
  /**
   * An attempt phase: the faults that can start its attempt, the first of the pair (FAULTS names;
   * the first one is the phase's default, the one `npm test` uses). The cell's fault is the second.
   */
  readonly starters?: readonly string[];
  /** Brings the call to the phase (an attempt phase by injecting `first`), then runs `inject` (once). */
  enter(rig: Rig, inject: () => void, first?: Fault): void;
  /** A leave in progress: every cell ends `left` by our own hand. */
  readonly leaving?: boolean;
  /** The agent has not joined yet: the cell ends in joinCall's outcome (joined, or a typed rejection). */
  readonly joining?: boolean;
  /**
   * The agent has no SFU socket in this window (REJOIN closed it before asking the coordinator), so
   * an SFU event (`error` DISCONNECT) cannot reach it: such a cell must end joined. A call ended at
   * the coordinator (`endsCall`) still reaches it: the REJOIN's join is refused (RXSFU_ERR_CALL_ENDED).
   */
  readonly socketless?: boolean;
}

const session = (r: Rig) => r.emu.faults.session(r.sessionId());
const currentSfu = (r: Rig) => r.emu.faults.sfu(r.sfuId());
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
  { name: 'call_ended', outcome: 'call-ended', endsCall: true, inject: (r) => session(r).callEnded() },
];

/** How long the emulator holds a join_response (under QUICK's joinTimeoutMs): the window a "before join_response" fault lands in. */
const JOIN_RESPONSE_HOLD_MS = 1000;
const FAST_STARTERS = ['TCP reset', 'TCP blackhole', 'TCP half-open', 'close 1011', 'SFU error FAST'];
const REJOIN_STARTERS = ['SFU error REJOIN', 'coordinator 5xx', 'coordinator stall'];
const MIGRATE_STARTERS = ['go_away', 'SFU error MIGRATE'];

const startAttempt = (r: Rig, first: Fault | undefined) => void first?.inject(r);
const agentJoinsSince = (r: Rig, before: number) => r.emu.records.joins.slice(before).some((j) => j.userId === AGENT);

/** Holds every SFU's frames (so the next join_response), runs `start`, then `inject` once the agent's join request arrived. */
function beforeJoinResponse(r: Rig, inject: () => void, start: () => void): void {
  const sfus = r.emu.sfus.map((sfu) => r.emu.faults.sfu(sfu.id));
  const before = r.emu.records.joins.length;
  sfus.forEach((sfu) => sfu.delayFrames(JOIN_RESPONSE_HOLD_MS));
  start();
  r.when(() => agentJoinsSince(r, before), () => {
    inject();
    // Frames already held keep their order and due time; later ones queue behind them.
    sfus.forEach((sfu) => sfu.resume());
  });
}

export const PHASES: readonly Phase[] = [
  {
    name: 'joining (before join_response)', publish: false, joining: true,
    enter: (r, inject) => beforeJoinResponse(r, inject, () => void r.startJoin().catch(() => undefined)),
  },
  { name: 'joined idle (listening only)', publish: false, enter: (_r, inject) => inject() },
  { name: 'publishing', publish: true, enter: (_r, inject) => inject() },
  {
    name: 'FAST, before adoption (new socket, no join_response yet)', publish: true, starters: FAST_STARTERS,
    enter: (r, inject, first) => beforeJoinResponse(r, inject, () => startAttempt(r, first)),
  },
  {
    name: 'FAST, right after adoption (ICE-restart check)', publish: true, starters: FAST_STARTERS, enter: (r, inject, first) => {
      r.onNextJoin(inject);
      startAttempt(r, first);
    },
  },
  {
    name: 'REJOIN, at the coordinator (join in flight)', publish: true, starters: REJOIN_STARTERS, socketless: true, enter: (r, inject, first) => {
      // The attempt's coordinator join is held unanswered (until coordinatorTimeoutMs); the fault lands while it is in flight.
      const before = r.emu.records.coordinatorJoins.length;
      r.emu.faults.coordinator.stallJoins(1);
      startAttempt(r, first);
      r.when(() => r.emu.records.coordinatorJoins.slice(before).some((j) => j.fault === 'stall'), inject);
    },
  },
  {
    name: 'REJOIN, republishing', publish: true, starters: REJOIN_STARTERS, enter: (r, inject, first) => {
      r.onNextJoin(inject);
      startAttempt(r, first);
    },
  },
  {
    name: 'MIGRATE, waiting for completion', publish: true, starters: MIGRATE_STARTERS, enter: (r, inject, first) => {
      r.onNextJoin(inject);
      startAttempt(r, first);
    },
  },
  {
    name: 'leaving', publish: true, leaving: true, enter: (r, inject) => {
      void r.call.leave('matrix: leaving');
      inject();
    },
  },
];

export interface Cell {
  readonly name: string;
  readonly phase: Phase;
  /** The fault that started the attempt (attempt phases only). */
  readonly first?: Fault;
  readonly fault: Fault;
  /** How the cell must end: the fault's outcome, unless the phase cannot deliver it (`socketless`). */
  readonly outcome: Outcome;
  /** The first fault is not the phase's default starter (only in `RXSFU_MATRIX=full`). */
  readonly otherStarter: boolean;
}

const faultNamed = (name: string): Fault => {
  const fault = FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`no fault "${name}" in FAULTS`);
  return fault;
};

/**
 * Every cell: phase × fault, and in an attempt phase every pair (starter × fault). A cell with the
 * phase's default starter is named "phase × fault"; another starter makes it "phase × first then fault".
 */
export function allCells(): Cell[] {
  return PHASES.flatMap((phase) => {
    const starters = phase.starters ?? [undefined];
    return starters.flatMap((starter, i) => FAULTS.map((fault): Cell => {
      const first = starter === undefined ? undefined : faultNamed(starter);
      const name = i === 0 ? `${phase.name} × ${fault.name}` : `${phase.name} × ${starter} then ${fault.name}`;
      const outcome = phase.socketless && !fault.endsCall ? 'recovers' : fault.outcome;
      return { name, phase, fault, outcome, otherStarter: i > 0, ...(first ? { first } : {}) };
    }));
  });
}

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
  'joining (before join_response) × TCP reset',
  'joining (before join_response) × call_ended',
  'FAST, before adoption (new socket, no join_response yet) × TCP reset',
  'REJOIN, at the coordinator (join in flight) × TCP reset',
  'REJOIN, at the coordinator (join in flight) × call_ended',
  'FAST, before adoption (new socket, no join_response yet) × SFU error DISCONNECT',
  // Pairs with another starter than the phase's default.
  'FAST, right after adoption (ICE-restart check) × SFU error FAST then TCP reset',
  'MIGRATE, waiting for completion × SFU error MIGRATE then go_away',
]);
