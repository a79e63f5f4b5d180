import { expect } from 'chai';
import { SignJWT } from 'jose';
import { StreamErrorCode } from '../../lib/emulator/index.js';
import { coordinatorJoin, useTestEmulator } from './support/fixture.js';
import { until } from './support/until.js';

async function userToken(secret: string, claims: Record<string, unknown>, expSeconds: number): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds).sign(new TextEncoder().encode(secret));
}

describe('emulator coordinator', () => {
  const t = useTestEmulator({ sfuCount: 2 });

  it('answers a join with credentials for one of its SFUs and an SFU token', async () => {
    const answer = await coordinatorJoin(t().emu, { userId: 'alice', callId: 'c1' });
    expect(answer.status).to.equal(200);
    const body = answer.json();
    expect(body.created).to.equal(true);
    expect(body.call.cid).to.equal('default:c1');
    expect(body.own_capabilities).to.include('send-audio');
    expect(body.stats_options).to.have.keys('reporting_interval_ms', 'enable_rtc_stats');
    const sfu = t().emu.sfus.find((s) => s.id === body.credentials.server.edge_name);
    expect(sfu, 'edge_name names an SFU').to.not.equal(undefined);
    expect(body.credentials.server.url).to.equal(sfu!.url).and.match(/\/twirp$/);
    expect(body.credentials.server.ws_endpoint).to.equal(sfu!.wsEndpoint);
    expect(body.credentials.token.split('.')).to.have.length(3);
    expect(body.credentials.ice_servers).to.deep.equal([]);
    expect(t().emu.records.coordinatorJoins.at(-1)).to.include({ callCid: 'default:c1', userId: 'alice', status: 200, sfuId: sfu!.id });
  });

  it('says created:false for a call that exists', async () => {
    await coordinatorJoin(t().emu, { userId: 'alice', callId: 'c2' });
    const second = await coordinatorJoin(t().emu, { userId: 'bob', callId: 'c2', body: { create: false } });
    expect(second.status).to.equal(200);
    expect(second.json().created).to.equal(false);
  });

  it('answers 404 (Stream code 16) for an unknown call without create', async () => {
    const answer = await coordinatorJoin(t().emu, { callId: 'nope', body: { create: false } });
    expect(answer.status).to.equal(404);
    expect(answer.json()).to.include({ code: StreamErrorCode.DOES_NOT_EXIST, StatusCode: 404 });
  });

  it('refuses a token signed with another secret: 401, code 43', async () => {
    const token = await userToken('not-the-secret', { user_id: 'mallory' }, 600);
    const answer = await coordinatorJoin(t().emu, { token });
    expect(answer.status).to.equal(401);
    const body = answer.json();
    expect(body).to.include({ code: StreamErrorCode.TOKEN_SIGNATURE_INVALID, StatusCode: 401 });
    expect(body).to.have.keys('code', 'message', 'StatusCode', 'duration', 'more_info', 'details');
  });

  it('refuses an expired token: 401, code 40', async () => {
    const token = await userToken(t().emu.apiSecret, { user_id: 'alice' }, -60);
    const answer = await coordinatorJoin(t().emu, { token });
    expect(answer.status).to.equal(401);
    expect(answer.json().code).to.equal(StreamErrorCode.TOKEN_EXPIRED);
  });

  it('refuses a malformed or missing token: 401, code 5', async () => {
    for (const token of ['not-a-jwt', ' ']) {
      const answer = await coordinatorJoin(t().emu, { token });
      expect(answer.status).to.equal(401);
      expect(answer.json().code).to.equal(StreamErrorCode.AUTHENTICATION);
    }
  });

  it('refuses a wrong api_key: 401, code 2', async () => {
    const answer = await coordinatorJoin(t().emu, { apiKey: 'wrong' });
    expect(answer.status).to.equal(401);
    expect(answer.json().code).to.equal(StreamErrorCode.API_KEY_INVALID);
  });

  it('requires location as the real API does: 400 (code 4) without it, empty or not a string; records it when given', async () => {
    for (const location of [undefined, '', 7, null]) {
      const answer = await coordinatorJoin(t().emu, { callId: 'loc', body: { create: true, location } });
      expect(answer.status, JSON.stringify(location)).to.equal(400);
      expect(answer.json().code).to.equal(StreamErrorCode.INPUT);
      expect(answer.json().message).to.contain('location');
    }
    const notCreated = await coordinatorJoin(t().emu, { callId: 'loc', body: { create: false, location: 'AMS' } });
    expect(notCreated.status, 'a refused join created no call').to.equal(404);
    const answer = await coordinatorJoin(t().emu, { callId: 'loc', body: { create: true, location: 'AMS' } });
    expect(answer.status).to.equal(200);
    expect(t().emu.records.coordinatorJoins.at(-1)).to.include({ callCid: 'default:loc', status: 200, location: 'AMS' });
  });

  it('answers 400 (code 4) to a body that is not JSON', async () => {
    const answer = await coordinatorJoin(t().emu, { body: '{nope' });
    expect(answer.status).to.equal(400);
    expect(answer.json().code).to.equal(StreamErrorCode.INPUT);
  });

  it('never hands out an SFU named in migrating_from or migrating_from_list', async () => {
    for (let i = 0; i < 4; i++) {
      const answer = await coordinatorJoin(t().emu, { userId: `u${i}`, callId: `m${i}`, body: { create: true, migrating_from: 'sfu-0' } });
      expect(answer.json().credentials.server.edge_name).to.equal('sfu-1');
      const listed = await coordinatorJoin(t().emu, { userId: `v${i}`, callId: `n${i}`, body: { create: true, migrating_from_list: ['sfu-1'] } });
      expect(listed.json().credentials.server.edge_name).to.equal('sfu-0');
    }
    const record = t().emu.records.coordinatorJoins.find((r) => r.callCid === 'default:n0');
    expect(record?.migratingFromList).to.deep.equal(['sfu-1']);
    expect(t().emu.records.coordinatorJoins.find((r) => r.callCid === 'default:m0')?.migratingFrom).to.equal('sfu-0');
  });

  it('spreads new calls over the SFUs (round-robin when equally loaded)', async () => {
    const edges = new Set<string>();
    for (let i = 0; i < 4; i++) edges.add((await coordinatorJoin(t().emu, { callId: `rr${i}` })).json().credentials.server.edge_name);
    expect([...edges].sort()).to.deep.equal(['sfu-0', 'sfu-1']);
  });

  it('fault failJoins(n, status) fails exactly the next n joins with a Stream error', async () => {
    t().emu.faults.coordinator.failJoins(2, 503);
    const first = await coordinatorJoin(t().emu, {});
    const second = await coordinatorJoin(t().emu, {});
    const third = await coordinatorJoin(t().emu, {});
    expect([first.status, second.status, third.status]).to.deep.equal([503, 503, 200]);
    expect(first.json().StatusCode).to.equal(503);
    expect(t().emu.records.coordinatorJoins.filter((r) => r.fault === 'fail')).to.have.length(2);
  });

  it('fault stallJoins(n) never answers the next n joins, then answers again', async () => {
    t().emu.faults.coordinator.stallJoins(1);
    let settled = false;
    const stalled = coordinatorJoin(t().emu, {}).then(
      () => (settled = true),
      () => (settled = true),
    );
    await until(() => t().emu.records.coordinatorJoins.some((r) => r.fault === 'stall'), 5000, 'the join to be stalled');
    const next = await coordinatorJoin(t().emu, {});
    expect(next.status).to.equal(200);
    expect(settled).to.equal(false);
    expect(t().emu.records.coordinatorJoins.filter((r) => r.fault === 'stall')).to.have.length(1);
    await t().emu.close();
    await stalled;
    expect(settled).to.equal(true);
  });
});
