/**
 * The media-stall trigger end to end: the SFU silently stops forwarding RTP to the agent while
 * signaling stays healthy (werift would notice after ~28 s, or never) → REJOIN → media back.
 */
import { expect } from 'chai';
import { joinCall } from '../../lib/call/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { expectRecovered, lastReconnectJoin, recovered, scenarioPerTest, until } from './support/scenario.js';

describe('reconnect e2e: media stall', function () {
  this.timeout(45000);
  const scenarios = scenarioPerTest();

  it('no inbound RTP for mediaStallAfterMs while signaling lives → REJOIN → media both ways again', async () => {
    const s = await scenarios.start({ join: { mediaStallAfterMs: 1500 } });
    const before = s.call.sessionId;
    s.emu.faults.session(before).dropMedia();
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['rejoin'] });
    expect(record.trigger).to.deep.include({ source: 'media-stalled', strategy: 'rejoin', detail: 'no inbound RTP for 1500 ms' });
    expect(s.call.sessionId).to.not.equal(before);
    expect(lastReconnectJoin(s).reconnectDetails).to.include({
      strategy: 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN', previousSessionId: before, fromSfuId: 'sfu-0', announcedTracks: 1, subscriptions: 1,
    });
    expect(s.emu.records.sockets.filter((c) => c.sessionId === before && c.code === 1006), 'the socket was never lost').to.deep.equal([]);
    await expectRecovered(s);
  });

  it('no media expected (the human unsubscribed) → silence is not a stall: no reconnect', async () => {
    const scenario = await scenarios.start({ join: { mediaStallAfterMs: 1000 } });
    scenario.call.setSubscriptions({ audio: false });
    const lastSubscription = () => scenario.emu.records.subscriptions.filter((r) => r.sessionId === scenario.call.sessionId).at(-1);
    await until(() => lastSubscription()?.tracks.length === 0, 10000, 'the empty subscription list at the SFU');
    // The agent's own audio (50 packets/s) is the clock: 150 more packets at the human is ~3 stall windows.
    const sent = scenario.atHuman();
    await until(() => scenario.atHuman() >= sent + 150, 15000, '150 more packets from the agent');
    expect(scenario.records).to.deep.equal([]);
    expect(scenario.call.state).to.equal('joined');
    expect(scenario.agentJoins()).to.have.length(1);
  });

  it('mediaStallAfterMs 0 turns the trigger off: a silent media path does not reconnect', async () => {
    const s = await scenarios.start({ join: { mediaStallAfterMs: 0 } });
    s.emu.faults.session(s.call.sessionId).dropMedia();
    const received = s.fromHuman();
    // The agent's own audio at the human is the clock: 150 packets is ~3 s of a dead inbound path.
    const sent = s.atHuman();
    await until(() => s.atHuman() >= sent + 150, 15000, '150 more packets from the agent');
    expect(s.fromHuman() - received, 'the fault holds: almost nothing arrived').to.be.lessThan(10);
    expect(s.records).to.deep.equal([]);
    expect(s.call.state).to.equal('joined');
  });

  it('a mediaStallAfterMs that is negative or not finite is RXSFU_ERR_INVALID_ARGUMENT before any I/O', async () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const joining = joinCall({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', apiSecret: 's', userId: 'u', callType: 'default', callId: 'c', mediaStallAfterMs: bad });
      const err = await joining.then(() => undefined, (e: unknown) => e);
      expect(isRxsfuError(err, 'RXSFU_ERR_INVALID_ARGUMENT'), `${bad}: ${String(err)}`).to.equal(true);
    }
  });
});
