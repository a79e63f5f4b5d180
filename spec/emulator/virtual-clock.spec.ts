/**
 * The emulator's clock is injectable (`startEmulator({ scheduler })`): with one manual scheduler
 * shared by the emulator and the agent, emulator-side timing (record stamps, the FAST window,
 * delayed frames, the migrated-copy grace) is checked in virtual time, against the agent's own.
 * Sockets stay real; only the clock is virtual, so nothing here waits on wall-clock time.
 */
import { expect } from 'chai';
import { filter, type Subscription } from 'rxjs';
import { MIGRATED_COPY_GRACE_MS } from '../../lib/emulator/sfu-server.js';
import { WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { createSignalConnection, SignalCloseCode } from '../../lib/signaling/index.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { credentialsFor, joinAgent, startTestEmulator, type TestEmulator } from './support/fixture.js';
import { RawSfuClient } from './support/sfu-client.js';
import { until } from './support/until.js';

// Far from any real epoch value: a stamp taken from Date.now() cannot pass for virtual time.
const START = 1_000_000;

describe('emulator: injected clock (virtual time, real sockets)', () => {
  let t: TestEmulator;
  let clock: ManualScheduler;
  const clients: RawSfuClient[] = [];
  const keep = (c: RawSfuClient) => (clients.push(c), c);
  let agent: Subscription | undefined;

  async function start(options: { sfuCount?: number; fastReconnectDeadlineSeconds?: number } = {}): Promise<void> {
    clock = new ManualScheduler(START);
    t = await startTestEmulator({ sfuCount: 1, ...options, scheduler: clock });
  }

  afterEach(async () => {
    agent?.unsubscribe();
    agent = undefined;
    await Promise.all(clients.splice(0).map((c) => c.terminate()));
    await t.emu.close();
  });

  /** Alice joined, her frames delayed 60 s, a health check answered (its response waiting in the delay). */
  async function aliceWithDelayedHealthCheck(): Promise<Awaited<ReturnType<typeof joinAgent>>> {
    await start();
    const alice = await joinAgent(t.emu, 'alice');
    keep(alice.client);
    t.emu.faults.session(alice.sessionId).delayFrames(60_000);
    alice.client.send({ healthCheckRequest: {} });
    await until(() => t.emu.records.healthChecks.length === 1, 5000, 'the health check to reach the SFU');
    return alice;
  }

  it('stamps records from the scheduler; the agent\'s health checks land at the agent\'s interval', async () => {
    await start();
    const credentials = await credentialsFor(t.emu, 'alice');
    expect(t.emu.records.coordinatorJoins.map((r) => r.at)).to.deep.equal([START]);
    // The agent's signaling on the same clock: its health checks go out every 5000 virtual ms.
    const connection = createSignalConnection({ url: credentials.server.ws_endpoint, scheduler: clock, healthCheckIntervalMs: 5000, unhealthyAfterMs: 12_000 });
    let responses = 0;
    agent = connection.events$.pipe(filter((e) => e.eventPayload === 'healthCheckResponse')).subscribe(() => (responses += 1));
    agent.add(() => connection.close(SignalCloseCode.LEAVE, 'spec done'));
    await new Promise<void>((resolve, reject) => {
      agent!.add(connection.join$({ token: credentials.token, sessionId: 'alice-1' }).subscribe({ next: () => resolve(), error: reject }));
    });
    expect(t.emu.records.joins.map((r) => [r.at, r.outcome])).to.deep.equal([[START, 'joined']]);
    for (const n of [1, 2, 3]) {
      clock.advanceBy(5000);
      await until(() => responses === n, 5000, `health check ${n} answered`);
    }
    expect(t.emu.records.healthChecks.map((h) => h.at - START)).to.deep.equal([5000, 10000, 15000]);
  });

  it('FAST window: a session whose socket vanished is kept exactly fastReconnectDeadlineSeconds of scheduler time', async () => {
    await start({ fastReconnectDeadlineSeconds: 5 });
    const alice = await joinAgent(t.emu, 'alice');
    clock.advanceBy(1234);
    await alice.client.terminate();
    await until(() => t.emu.records.sockets.length === 1, 5000, 'the SFU to see the socket go');
    expect(t.emu.records.sockets[0]!.at).to.equal(START + 1234);
    clock.advanceBy(4999);
    expect(t.emu.liveSessions().map((s) => s.sessionId), 'still resumable 1 ms before the deadline').to.deep.equal([alice.sessionId]);
    expect(t.emu.records.leaves).to.have.length(0);
    clock.advanceBy(1);
    expect(t.emu.liveSessions()).to.have.length(0);
    expect(t.emu.records.leaves.map((l) => [l.at - START, l.reason])).to.deep.equal([[1234 + 5000, 'fast-deadline']]);
  });

  it('delayFrames: held frames go out when the scheduler reaches their due time, in order', async () => {
    const alice = await aliceWithDelayedHealthCheck();
    t.emu.faults.session(alice.sessionId).goAway();
    expect(alice.client.count('healthCheckResponse') + alice.client.count('goAway')).to.equal(0);
    // With a wall-clock timer this would take a real minute and the wait below would time out.
    clock.advanceBy(60_000);
    await alice.client.waitFor('goAway');
    expect(alice.client.events.map((e) => e.eventPayload).slice(-2)).to.deep.equal(['healthCheckResponse', 'goAway']);
  });

  it('frames held by a network cut go out behind the frames delayed before the cut (one TCP stream never reorders)', async () => {
    const alice = await aliceWithDelayedHealthCheck();
    const cut = t.emu.faults.network('alice').cut();
    t.emu.faults.session(alice.sessionId).goAway();
    cut.restore();
    // Let the restore settle (promise callbacks and the socket's write), still before the delayed frame's due time.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    clock.advanceBy(60_000);
    await alice.client.waitFor('goAway');
    await alice.client.waitFor('healthCheckResponse');
    expect(alice.client.events.map((e) => e.eventPayload).slice(-2)).to.deep.equal(['healthCheckResponse', 'goAway']);
  });

  it('a delayed frame that falls due during a network cut stays held until the restore (TCP retransmits it then), in order with the frames after it', async () => {
    const alice = await aliceWithDelayedHealthCheck();
    const cut = t.emu.faults.network('alice').cut();
    t.emu.faults.session(alice.sessionId).goAway();
    clock.advanceBy(60_000); // the health-check response is due now, inside the cut
    await new Promise<void>((resolve) => setTimeout(resolve, 200)); // a real socket would have delivered it by now
    expect(alice.client.count('healthCheckResponse') + alice.client.count('goAway'), 'nothing leaves while cut').to.equal(0);
    cut.restore();
    await alice.client.waitFor('goAway');
    expect(alice.client.events.map((e) => e.eventPayload).slice(-2)).to.deep.equal(['healthCheckResponse', 'goAway']);
  });

  it('MIGRATE: the old SFU keeps the migrated copy (and its media) for MIGRATED_COPY_GRACE_MS of scheduler time', async () => {
    await start({ sfuCount: 2 });
    const alice = await joinAgent(t.emu, 'alice');
    keep(alice.client);
    const from = alice.credentials.server.edge_name;
    const creds = await credentialsFor(t.emu, 'alice', 'demo', { migrating_from: from });
    const client = keep(await RawSfuClient.connect(creds.server.ws_endpoint));
    await client.join({ token: creds.token, sessionId: alice.sessionId, reconnectDetails: { strategy: S.WEBSOCKET_RECONNECT_STRATEGY_MIGRATE, fromSfuId: from, announcedTracks: [] } });
    await alice.client.waitFor('participantMigrationComplete'); // said by the SFU being left, on the old socket
    const fromPlane = t.media[Number(from.slice(4))]!;
    // The agent never closes the old socket: only the grace, on the emulator's clock, ends the old copy.
    clock.advanceBy(MIGRATED_COPY_GRACE_MS - 1);
    expect(fromPlane.sessions.has(alice.sessionId), 'old copy still served 1 ms before the grace ends').to.equal(true);
    clock.advanceBy(1);
    expect(fromPlane.sessions.has(alice.sessionId)).to.equal(false);
    expect(t.emu.records.leaves, 'dropping the old copy is no leave').to.have.length(0);
  });
});
