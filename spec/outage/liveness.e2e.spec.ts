/**
 * Issue 13, item 1 over real I/O: every liveness signal, not only the signaling watchdog. With the
 * heartbeat set far away (10 s), a whole-network cut is still reported, as `network-dead`: the
 * signaling and the media (RTP from the human, the SFU's RTCP reports) fell silent together. A
 * signaling path that goes silent while media flows is the heartbeat's to judge, never network-dead.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import type { ConnectionLost } from '../../lib/signaling/index.js';
import { scenarioPerTest, until } from '../reconnect-e2e/support/scenario.js';

describe('outage e2e: liveness from signaling and media together (issue 13)', function () {
  this.timeout(60_000);
  const scenarios = scenarioPerTest();
  const farHeartbeat = { healthCheckIntervalMs: 1000, unhealthyAfterMs: 10_000 };

  it('a whole-network cut is lost as network-dead, before the heartbeat could tell', async () => {
    const s = await scenarios.start({ join: farHeartbeat });
    await until(() => s.fromHuman() > 20, 10_000, 'media from the human');
    const lost = firstValueFrom(s.call.connectionLost$);
    const cut = s.emu.faults.session(s.call.sessionId).cutNetwork();
    const loss: ConnectionLost = await lost;
    cut.restore();
    expect(loss.kind).to.equal('network-dead');
    expect(loss.detail).to.match(/no frame and no media for 1500 ms/);
  });

  it('an agent that receives no RTP still hears its SFU through RTCP: a cut is still network-dead', async () => {
    const s = await scenarios.start({ join: farHeartbeat });
    s.call.setSubscriptions({ audio: false });
    // Wait until the human's RTP has stopped arriving (unsubscribed): then only RTCP is left.
    let last = s.fromHuman();
    let since = Date.now();
    await until(() => {
      if (s.fromHuman() !== last) [last, since] = [s.fromHuman(), Date.now()];
      return Date.now() - since > 1000;
    }, 15_000, 'RTP from the human stopped');
    const rtpBefore = s.fromHuman();
    const lost = firstValueFrom(s.call.connectionLost$);
    const cut = s.emu.faults.session(s.call.sessionId).cutNetwork();
    const loss = await lost;
    cut.restore();
    expect(s.fromHuman(), 'no RTP came in: the media signal was RTCP only').to.equal(rtpBefore);
    expect(loss.kind).to.equal('network-dead');
  });

  it('signaling silent while media flows: lost by the heartbeat, never as network-dead', async () => {
    const s = await scenarios.start({ join: { healthCheckIntervalMs: 1000, unhealthyAfterMs: 2500 } });
    await until(() => s.fromHuman() > 20, 10_000, 'media from the human');
    const lost = firstValueFrom(s.call.connectionLost$);
    const faults = s.emu.faults.session(s.call.sessionId);
    faults.goSilent();
    const loss = await lost;
    faults.resume();
    expect(loss.kind).to.equal('heartbeat-timeout');
  });

  it('networkDeadAfterMs: 0 turns it off: the same cut waits for the heartbeat', async () => {
    const s = await scenarios.start({ join: { healthCheckIntervalMs: 1000, unhealthyAfterMs: 4000, networkDeadAfterMs: 0 } });
    await until(() => s.fromHuman() > 20, 10_000, 'media from the human');
    const lost = firstValueFrom(s.call.connectionLost$);
    const cut = s.emu.faults.session(s.call.sessionId).cutNetwork();
    const loss = await lost;
    cut.restore();
    expect(loss.kind).to.equal('heartbeat-timeout');
  });
});
