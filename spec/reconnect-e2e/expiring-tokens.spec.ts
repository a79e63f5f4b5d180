/**
 * Credentials that outlive a token (issue 11 item 3), over real I/O against the emulator:
 * - an SFU token that expired mid-call makes FAST fail (the SFU refuses the join): the call goes on
 *   with REJOIN and fresh coordinator credentials instead of ending (R4);
 * - a `tokenProvider` is asked for user tokens: first, again before a join when the token expires
 *   within a minute, once more when the coordinator refuses one; a refused fresh token is final.
 */
import { expect } from 'chai';
import { firstValueFrom, of, type Observable } from 'rxjs';
import { joinCall, type Call } from '../../lib/call/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { useEmulator } from '../support/emulator-fixture.js';
import { CALL_ID, expectRecovered, recovered, scenarioPerTest, until } from './support/scenario.js';

const expiry = (jwt: string): number => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;

describe('reconnect e2e: tokens that expire mid-call', function () {
  this.timeout(45000);
  const scenarios = scenarioPerTest();

  it('SFU token expired → FAST refused (UNAUTHENTICATED) → REJOIN with fresh credentials, not the end of the call', async () => {
    const s = await scenarios.start({ emulator: { sfuTokenValiditySeconds: 2 } });
    const before = s.call.sessionId;
    const sfuToken = s.call.currentConnection!.credentials.token;
    // Expired for the SFU (jose compares whole seconds): wait it out, then lose the socket.
    await until(() => Date.now() / 1000 > expiry(sfuToken) + 1, 10000, 'the SFU token to expire');
    const joinsBefore = s.emu.records.coordinatorJoins.length;
    s.emu.faults.session(before).destroyTcp();
    const record = await recovered(s);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['fast', 'rejoin'] });
    const refused = s.emu.records.joins.filter((j) => j.outcome === 'rejected');
    expect(refused.map((j) => j.detail), 'the SFU refused the stale token').to.deep.equal(['token expired']);
    expect(s.emu.records.coordinatorJoins.slice(joinsBefore).map((j) => j.status), 'fresh credentials').to.deep.equal([200]);
    expect(s.call.currentConnection!.credentials.token).to.not.equal(sfuToken);
    await expectRecovered(s);
  });

  describe('tokenProvider', () => {
    const ctx = useEmulator({});
    /** Joins with `tokenProvider` and no API secret (so no token can be minted but the provider's). */
    const join = (tokenProvider: () => Promise<string> | Observable<string> | string): Promise<Call> => {
      const { apiSecret: _secret, ...rest } = ctx().emu.agentOptions('agent', CALL_ID);
      return joinCall({ ...rest, tokenProvider, reconnect: { backoff: { baseMs: 20, maxDelayMs: 100 } } }).then(ctx().track);
    };
    const rejoin = async (c: Call) => {
      ctx().emu.faults.session(c.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
      return firstValueFrom(c.reconnections$);
    };

    it('asked once for a long-lived token (a Promise); a REJOIN reuses it', async () => {
      const { emu } = ctx();
      let asked = 0;
      const call = await join(() => (asked++, emu.createUserToken('agent', 3600)));
      expect((await rejoin(call)).outcome).to.equal('joined');
      expect(asked).to.equal(1);
      expect(emu.records.coordinatorJoins.map((j) => j.status)).to.deep.equal([200, 200]);
    });

    it('a token that expires within a minute is replaced before the next coordinator join (an Observable provider)', async () => {
      const { emu } = ctx();
      let asked = 0;
      const call = await join(() => (asked++, new Promise<string>((resolve) => void emu.createUserToken('agent', 5).then(resolve))));
      const first = asked;
      const token = await emu.createUserToken('agent', 5);
      await until(() => Date.now() / 1000 > expiry(token) + 1, 10000, 'the first user token to expire');
      expect((await rejoin(call)).outcome, 'REJOIN after the user token expired').to.equal('joined');
      expect([first, asked]).to.deep.equal([1, 2]);
      expect(emu.records.coordinatorJoins.map((j) => j.status), 'the expired token never reached the coordinator').to.deep.equal([200, 200]);
    });

    it('a refused token (401) gets one more token from the provider, and the join goes through', async () => {
      const { emu } = ctx();
      const tokens = ['not-a-jwt', await emu.createUserToken('agent')];
      let asked = 0;
      const call = await join(() => of(tokens[asked++]!));
      expect(call.state).to.equal('joined');
      expect(asked).to.equal(2);
      expect(emu.records.coordinatorJoins.map((j) => j.status)).to.deep.equal([401, 200]);
    });

    it('a refreshed token refused as well is final: RXSFU_ERR_UNAUTHORIZED after exactly two tries', async () => {
      const { emu } = ctx();
      let asked = 0;
      const err = await join(() => (asked++, 'not-a-jwt')).then(() => undefined, (e: unknown) => e);
      expect(isRxsfuError(err, 'RXSFU_ERR_UNAUTHORIZED'), String(err)).to.equal(true);
      expect(asked).to.equal(2);
      expect(emu.records.coordinatorJoins.map((j) => j.status)).to.deep.equal([401, 401]);
    });
  });
});
