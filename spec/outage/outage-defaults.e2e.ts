/**
 * Issue 13's "Done when", on default options: the agent's whole network is cut for
 * `RXSFU_OUTAGE_HOLD_SECONDS` (90 with `npm run test:outage:90s`), longer than the default 60 s
 * disconnection deadline, which is the point: `offline` pauses that deadline (R17). After the
 * restore the call is `joined` with media both ways, tracks and subscriptions restored.
 *
 * Not a `.spec.ts` file: a 90 s outage is too long for `npm test`; `npm run test:outage:90s` runs it.
 */
import { expect } from 'chai';
import { expectRecovered, reachState, recovered, scenarioPerTest } from '../reconnect-e2e/support/scenario.js';

const HOLD_MS = Number(process.env.RXSFU_OUTAGE_HOLD_SECONDS ?? 90) * 1000;

describe('outage e2e on default options (R17, issue 13 Done-when)', function () {
  this.timeout(HOLD_MS + 180_000);
  const scenarios = scenarioPerTest();

  it(`a ${HOLD_MS / 1000} s network cut, every option at its default: offline past the 60 s deadline, then joined with media both ways`, async () => {
    const s = await scenarios.start({ defaults: true });
    const before = s.call.sessionId;
    const cut = s.emu.faults.session(before).cutNetwork();
    const cutAt = Date.now();
    await reachState(s.call, 'offline', HOLD_MS);
    const media = { rx: s.fromHuman(), tx: s.atHuman() };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, HOLD_MS - (Date.now() - cutAt))));
    expect(s.call.state, 'still offline at the end of the cut, not failed').to.equal('offline');
    expect(s.fromHuman(), 'no RTP reached the agent through the cut').to.equal(media.rx);
    expect(s.atHuman(), 'no RTP from the agent reached the human through the cut').to.equal(media.tx);
    cut.restore();

    const record = await recovered(s, 1, 60_000);
    expect(record.outcome).to.equal('joined');
    expect(record.outages?.map((o) => o.ended)).to.deep.equal(['network-back']);
    expect(s.states).to.include('offline');
    expect(s.states, 'the supervisor was not needed').to.not.include('restarting');
    await expectRecovered(s);
  });
});
