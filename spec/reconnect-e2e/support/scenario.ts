/**
 * One reconnection scenario over real I/O: its own emulator, a simulated participant ("human") that
 * publishes Opus, and the agent (joinCall through the coordinator) that publishes Opus RTP and
 * subscribes to the human. Counters for media both ways, every state and record the call emitted,
 * and the assertions every recovery shares.
 */
import { expect } from 'chai';
import { filter, firstValueFrom, take, throwError, timeout, type Subscription } from 'rxjs';
import { joinCall, type Call, type CallState, type JoinCallOptions } from '../../../lib/call/index.js';
import { startEmulator, type Emulator, type EmulatorOptions, type JoinRecord, type SimulatedParticipant } from '../../../lib/emulator/index.js';
import { opusRtpPackets$ } from '../../../lib/media/index.js';
import type { ReconnectionRecord } from '../../../lib/reconnect/index.js';
import { until } from '../../emulator/support/until.js';

export { until };

export const CALL_ID = 'reconnect-e2e';
export const AGENT = 'agent';

/** Timings small enough for quick tests, large enough for loopback werift under load. */
export const QUICK: Partial<JoinCallOptions> = {
  openTimeoutMs: 2000,
  joinTimeoutMs: 2000,
  rpcTimeoutMs: 2000,
  reconnect: { attemptTimeoutMs: 4000, migrationTimeoutMs: 4000, backoff: { baseMs: 50, maxDelayMs: 250 }, disconnectionTimeoutMs: 25000 },
};

export interface ScenarioOptions {
  /** @default 1 */
  sfuCount?: number;
  emulator?: EmulatorOptions;
  /** Merged over QUICK. */
  join?: Partial<JoinCallOptions>;
  /** Join with `join` alone over the SDK's defaults, without the QUICK timings (long runs on default options). */
  defaults?: boolean;
  /**
   * Called once, synchronously, when the agent's publisher starts its first ICE checks (before any
   * check can pass): a fault applied here hits a publisher that never connected. The scenario then
   * does not wait for media before returning.
   */
  onPublisherChecking?: (emu: Emulator) => void;
  /**
   * Called once, synchronously, when the agent's subscriber starts its first ICE checks. The human
   * then joins only after the agent published (its track brings the subscriber's first offer), so
   * the fault hits a subscriber that never connected and not the publisher's setup. The scenario
   * does not wait for media before returning.
   */
  onSubscriberChecking?: (emu: Emulator) => void;
  /**
   * Called once, synchronously, when the agent's signaling socket delivers its first
   * `subscriber_offer`, before the subscriber could answer it: a cut applied here catches the
   * subscriber's first `SendAnswer`. The human joins as with `onSubscriberChecking`; no media wait.
   */
  onFirstSubscriberOffer?: (emu: Emulator) => void;
}

export interface Scenario {
  emu: Emulator;
  human: SimulatedParticipant;
  call: Call;
  /** Every state the call went through after the first join, in order. */
  states: CallState[];
  /** Every reconnection record, in order. */
  records: ReconnectionRecord[];
  /** RTP packets the agent received from the human (all remote tracks, across reconnects). */
  fromHuman(): number;
  /** RTP packets `participant` (default: the human) received from the agent (every session of the agent). */
  atHuman(participant?: SimulatedParticipant): number;
  /** The agent's SFU joins, as the emulator recorded them. */
  agentJoins(): JoinRecord[];
  /** Lengths of the emulator's rpc and subscription records when the scenario was ready (before any fault). */
  readonly marks: { rpcs: number; subscriptions: number };
  /** The SFU the agent is connected to now. */
  currentSfu(): string | undefined;
  close(): Promise<void>;
}

export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const emu = await startEmulator({ sfuCount: options.sfuCount ?? 1, ...options.emulator });
  const subs: Subscription[] = [];
  let call: Call | undefined;
  const close = async () => {
    subs.forEach((s) => s.unsubscribe());
    await call?.leave();
    await emu.close();
  };
  try {
    const addHuman = () => emu.addParticipant({ callId: CALL_ID, userId: 'human', audio: true });
    const subscriberHook = options.onSubscriberChecking;
    const offerHook = options.onFirstSubscriberOffer;
    const humanLate = subscriberHook !== undefined || offerHook !== undefined;
    const early = humanLate ? undefined : await addHuman();
    call = await joinCall({
      ...emu.agentOptions(AGENT, CALL_ID),
      ...(options.defaults ? options.join : { ...QUICK, ...options.join, reconnect: { ...QUICK.reconnect, ...options.join?.reconnect } }),
    });
    const states: CallState[] = [];
    const records: ReconnectionRecord[] = [];
    let received = 0;
    subs.push(call.state$.subscribe((s) => states.push(s)));
    subs.push(call.reconnections$.subscribe((r) => records.push(r)));
    subs.push(call.remoteTracks$.subscribe((t) => subs.push(t.rtp$.subscribe(() => received++))));
    const hook = options.onPublisherChecking;
    if (hook) subs.push(call.currentConnection!.publisher.iceConnectionState$.pipe(filter((st) => st === 'checking'), take(1)).subscribe(() => hook(emu)));
    if (subscriberHook) subs.push(call.currentConnection!.subscriber.iceConnectionState$.pipe(filter((st) => st === 'checking'), take(1)).subscribe(() => subscriberHook(emu)));
    if (offerHook) subs.push(call.currentConnection!.events$.pipe(filter((e) => !!e.subscriberOffer), take(1)).subscribe(() => offerHook(emu)));
    await call.publishAudioRtp(opusRtpPackets$());
    if (humanLate) {
      // The publisher connected first, so the fault catches the subscriber's setup alone.
      await firstValueFrom(call.currentConnection!.publisher.connectionState$.pipe(filter((st) => st === 'connected'), timeout(15000)));
    }
    const human = early ?? await addHuman();
    const scenario: Scenario = {
      emu, human, call, states, records, close,
      fromHuman: () => received,
      atHuman: (participant = human) => participant.received().reduce((sum, r) => sum + r.packets, 0),
      agentJoins: () => emu.records.joins.filter((j) => j.userId === AGENT),
      currentSfu: () => call?.currentConnection?.sfuId,
      marks: { rpcs: 0, subscriptions: 0 },
    };
    if (!hook && !humanLate) await mediaFlowsBothWays(scenario, 'before the fault');
    Object.assign(scenario.marks, { rpcs: emu.records.rpcs.length, subscriptions: emu.records.subscriptions.length });
    return scenario;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Mocha hooks: each test starts its own scenario, closed after the test whatever happened. */
export function scenarioPerTest(): { start(options?: ScenarioOptions): Promise<Scenario> } {
  let current: Scenario | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return { start: async (options) => (current = await startScenario(options)) };
}

/** Both counters grow by at least `packets` from now on (Opus at 50 packets/s: well under a second each). */
export async function mediaFlowsBothWays(s: Scenario, when: string, packets = 10, human = s.human): Promise<void> {
  const rx = s.fromHuman();
  const tx = s.atHuman(human);
  await until(() => s.fromHuman() >= rx + packets, 15000, `RTP from the human at the agent ${when}`);
  await until(() => s.atHuman(human) >= tx + packets, 15000, `RTP from the agent at ${human.userId} ${when}`);
}

/** Resolves at the first time the call is in `state` (now or later); fails after `timeoutMs`. */
export function reachState(call: Call, state: CallState, timeoutMs = 15000): Promise<CallState> {
  return firstValueFrom(call.state$.pipe(filter((s) => s === state), timeout({
    first: timeoutMs,
    with: () => throwError(() => new Error(`call never reached '${state}' within ${timeoutMs} ms (now '${call.state}')`)),
  })));
}

/** Waits for `count` records, then for 'joined' again. */
export async function recovered(s: Scenario, count = 1, timeoutMs = 20000): Promise<ReconnectionRecord> {
  await until(() => s.records.length >= count, timeoutMs, `${count} reconnection record(s)`);
  await reachState(s.call, 'joined', timeoutMs);
  return s.records[count - 1]!;
}

/**
 * What every successful recovery must show: joined, media both ways, the human's audio still
 * subscribed and the agent's audio still announced on the current session, one live session.
 */
export async function expectRecovered(s: Scenario, human = s.human): Promise<void> {
  expect(s.call.state).to.equal('joined');
  const sfuId = s.currentSfu();
  await mediaFlowsBothWays(s, 'after the recovery', 10, human);
  const episodes = s.records.map((r) => `${r.trigger.source}: ${r.strategiesTried.join('>')} ${r.outcome}`);
  expect(episodes, `one episode, no second one to get media back: ${episodes.join(' / ')}`).to.have.length(1);
  expect(s.currentSfu(), 'still on the SFU it recovered to').to.equal(sfuId);
  const sessionId = s.call.sessionId;
  const live = s.emu.liveSessions().filter((l) => l.userId === AGENT);
  expect(live.map((l) => l.sessionId), 'exactly one live session of the agent, the current one').to.deep.equal([sessionId]);
  // Both re-sent after the fault, on the current session: the full subscription list, and the
  // publisher offer (REJOIN/MIGRATE republish, FAST restarts the publisher's ICE).
  const lastSubscription = s.emu.records.subscriptions.slice(s.marks.subscriptions).filter((r) => r.sessionId === sessionId && r.sfuId === sfuId).at(-1);
  expect(lastSubscription?.tracks.map((t) => t.sessionId), 'the human is subscribed on the current session').to.include(human.sessionId);
  const publishes = s.emu.records.rpcs.slice(s.marks.rpcs).filter((r) => r.method === 'SetPublisher' && r.sessionId === sessionId && r.sfuId === sfuId && r.status === 200);
  expect(publishes.length, 'the current session published again').to.be.greaterThan(0);
}

/** The last join of the agent with reconnect details, checked against the strategy it names. */
export function lastReconnectJoin(s: Scenario): JoinRecord {
  const join = s.agentJoins().filter((j) => j.reconnectDetails !== undefined && j.outcome !== 'rejected').at(-1);
  expect(join, 'a reconnect join reached the SFU').to.not.equal(undefined);
  return join!;
}
