/**
 * `location` on every coordinator join of a call (WIRE.md "coordinator join"): the first join
 * resolves it from the hint URL (a local server here), REJOIN and MIGRATE reuse what is known and
 * never wait for the hint. Against the emulator, which refuses a join without `location` (400).
 */
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { ErrorCode, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import { startTestServer, type TestServer } from '../http/test-server.js';
import { useEmulator } from './e2e-fixture.js';

describe('call: location on every coordinator join', function () {
  this.timeout(30000);
  const ctx = useEmulator(2);
  let hint: TestServer | undefined;
  afterEach(async () => {
    await hint?.close();
    hint = undefined;
  });
  const answer = (res: ServerResponse, popHeader: string | undefined) => {
    res.writeHead(popHeader === undefined ? 500 : 200, popHeader === undefined ? {} : { 'x-amz-cf-pop': popHeader });
    res.end();
  };

  it('the first join resolves it once; REJOIN and MIGRATE send the cached value without asking again', async () => {
    hint = await startTestServer((_req, res) => answer(res, 'CDG50-P1'));
    const { emu, join } = ctx();
    const call = await join('agent', 'loc-cached', { location: undefined, locationHintUrl: hint.origin });
    emu.faults.session(call.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    expect((await firstValueFrom(call.reconnections$)).strategiesTried).to.deep.equal(['rejoin']);
    emu.faults.session(call.sessionId).goAway();
    expect((await firstValueFrom(call.reconnections$)).strategiesTried).to.deep.equal(['migrate']);
    const joins = emu.records.coordinatorJoins.filter((r) => r.callCid === 'default:loc-cached');
    expect(joins.map((r) => [r.status, r.location])).to.deep.equal([[200, 'CDG'], [200, 'CDG'], [200, 'CDG']]);
    expect(hint.requests, 'one look-up for the whole call').to.have.length(1);
  });

  it('a reconnect never waits for the hint: after a failed look-up (ERR) REJOIN sends ERR without asking again', async () => {
    let silent = false;
    hint = await startTestServer((_req, res) => {
      if (!silent) answer(res, undefined); // then: never answered
    });
    const { emu, join } = ctx();
    const call = await join('agent', 'loc-err', { location: undefined, locationHintUrl: hint.origin });
    const asked = hint.requests.length;
    expect(asked, 'the first join tried 3 times').to.equal(3);
    silent = true;
    emu.faults.session(call.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    expect((await firstValueFrom(call.reconnections$)).outcome).to.equal('joined');
    const joins = emu.records.coordinatorJoins.filter((r) => r.callCid === 'default:loc-err');
    expect(joins.map((r) => r.location)).to.deep.equal(['ERR', 'ERR']);
    expect(hint.requests, 'the reconnect asked nothing').to.have.length(asked);
  });

  it('an explicit location is sent as given and no hint is asked', async () => {
    hint = await startTestServer((_req, res) => answer(res, 'AMS1-P2'));
    const { emu, join } = ctx();
    await join('agent', 'loc-given', { location: 'SYD', locationHintUrl: hint.origin });
    expect(emu.records.coordinatorJoins.filter((r) => r.callCid === 'default:loc-given').map((r) => r.location)).to.deep.equal(['SYD']);
    expect(hint.requests).to.have.length(0);
  });
});
