/**
 * The coordinator join's `location` (WIRE.md "coordinator join"), resolved as the official client
 * does: HEAD the hint URL, first three letters of `x-amz-cf-pop`, 3 tries, `ERR` when they all
 * fail; once per process and cached; a reconnect never waits for it. Real HTTP on loopback (a
 * local hint server; no network).
 */
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { coordinatorJoin$, fetchLocationHint$, locationFromPop, processLocation$, assertLocationOptions } from '../../lib/coordinator/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { eventually, reply, startTestServer, type TestHandler, type TestServer } from '../http/test-server.js';

/** A HEAD answer with the CDN's POP header (or none). */
const pop = (value: string | undefined, status = 200) => (res: ServerResponse): void => {
  res.writeHead(status, value === undefined ? {} : { 'x-amz-cf-pop': value });
  res.end();
};

describe('coordinator: location hint', () => {
  const servers: TestServer[] = [];
  const serve = async (handler: TestHandler): Promise<TestServer> => {
    const server = await startTestServer(handler);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('reads the first three letters of x-amz-cf-pop (AMS1-P2 → AMS); a missing or empty header is ERR', () => {
    expect(locationFromPop('AMS1-P2')).to.equal('AMS');
    expect(locationFromPop(['FRA56-C1'])).to.equal('FRA');
    expect(locationFromPop(undefined)).to.equal('ERR');
    expect(locationFromPop('  ')).to.equal('ERR');
  });

  it('HEADs the hint URL once when the first try answers', async () => {
    const server = await serve((_req, res) => pop('AMS1-P2')(res));
    const values = await lastValueFrom(fetchLocationHint$({ url: `${server.origin}/` }).pipe(toArray()));
    expect(values).to.deep.equal(['AMS']);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal(['HEAD /']);
  });

  it('tries again while there is no POP header, at most 3 tries in all', async () => {
    const third = await serve((_req, res, i) => (i < 2 ? pop(undefined, 503)(res) : pop('FRA2-P1')(res)));
    expect(await firstValueFrom(fetchLocationHint$({ url: third.origin }))).to.equal('FRA');
    expect(third.requests).to.have.length(3);
    const never = await serve((_req, res) => pop(undefined)(res));
    expect(await firstValueFrom(fetchLocationHint$({ url: never.origin }))).to.equal('ERR');
    expect(never.requests, 'no fourth try').to.have.length(3);
  });

  it('a try that gets no answer is cut at its timeout and aborted; three of them give ERR', async () => {
    const silent = await serve(() => undefined);
    expect(await firstValueFrom(fetchLocationHint$({ url: silent.origin, timeoutMs: 100 }))).to.equal('ERR');
    expect(silent.requests).to.have.length(3);
    expect(await eventually(() => silent.openConnections() === 0), 'every timed-out request was aborted').to.equal(true);
  });

  it('an unreachable hint server (connection refused) gives ERR, never an error', async () => {
    const gone = await serve(() => undefined);
    const url = gone.origin;
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    expect(await firstValueFrom(fetchLocationHint$({ url }))).to.equal('ERR');
  });

  describe('once per process', () => {
    it('concurrent and later first joins share one look-up; the result is cached', async () => {
      const server = await serve((_req, res) => setTimeout(() => pop('SIN1-P3')(res), 50));
      const url = server.origin;
      const both = await Promise.all([firstValueFrom(processLocation$({ url, wait: true })), firstValueFrom(processLocation$({ url, wait: true }))]);
      expect(both).to.deep.equal(['SIN', 'SIN']);
      expect(await firstValueFrom(processLocation$({ url, wait: true }))).to.equal('SIN');
      expect(await firstValueFrom(processLocation$({ url, wait: false }))).to.equal('SIN');
      expect(server.requests, 'one HEAD for the whole process').to.have.length(1);
    });

    it('a reconnect (wait: false) never waits: ERR at once while nothing is known, and asks nothing', async () => {
      const server = await serve(() => undefined);
      expect(await firstValueFrom(processLocation$({ url: server.origin, wait: false }))).to.equal('ERR');
      expect(server.requests).to.have.length(0);
    });

    it('ERR is not cached: the next first join looks again (as the official client does)', async () => {
      let answer: string | undefined;
      const server = await serve((_req, res) => pop(answer)(res));
      const url = server.origin;
      expect(await firstValueFrom(processLocation$({ url, wait: true }))).to.equal('ERR');
      answer = 'GRU3-C1';
      expect(await firstValueFrom(processLocation$({ url, wait: true }))).to.equal('GRU');
      expect(server.requests).to.have.length(4);
    });
  });

  describe('in the coordinator join', () => {
    const joinAnswer: TestHandler = (_req, res) => reply(res, 200, 'application/json', JSON.stringify({
      credentials: { server: { edge_name: 'sfu-a', url: 'http://127.0.0.1:1/twirp', ws_endpoint: 'ws://127.0.0.1:1/ws' }, token: 't', ice_servers: [] },
    }));
    const target = (origin: string) => ({ baseUrl: origin, apiKey: 'k', token: 'jwt', callType: 'default', callId: 'c' });

    it('the body always carries location: the hint when none is given', async () => {
      const hint = await serve((_req, res) => pop('AMS1-P2')(res));
      const coordinator = await serve(joinAnswer);
      await firstValueFrom(coordinatorJoin$({ ...target(coordinator.origin), locationHintUrl: hint.origin }));
      expect(JSON.parse(coordinator.requests[0]!.body.toString()).location).to.equal('AMS');
    });

    it('ERR when the hint fails (the join still happens)', async () => {
      const hint = await serve((_req, res) => pop(undefined, 500)(res));
      const coordinator = await serve(joinAnswer);
      await firstValueFrom(coordinatorJoin$({ ...target(coordinator.origin), locationHintUrl: hint.origin }));
      expect(JSON.parse(coordinator.requests[0]!.body.toString()).location).to.equal('ERR');
    });

    it('an explicit location wins and no hint is asked', async () => {
      const hint = await serve((_req, res) => pop('AMS1-P2')(res));
      const coordinator = await serve(joinAnswer);
      await firstValueFrom(coordinatorJoin$({ ...target(coordinator.origin), location: 'NRT', locationHintUrl: hint.origin }));
      expect(JSON.parse(coordinator.requests[0]!.body.toString()).location).to.equal('NRT');
      expect(hint.requests).to.have.length(0);
    });
  });

  it('options: location must be a short printable token, locationHintUrl an http(s) URL', () => {
    expect(() => assertLocationOptions({ location: 'AMS', locationHintUrl: 'https://hint.example/' })).to.not.throw();
    for (const bad of [{ location: '' }, { location: 'A M S' }, { location: 'x'.repeat(33) }, { location: 3 }, { locationHintUrl: 'ftp://x/' }, { locationHintUrl: 'nope' }]) {
      let caught: unknown;
      try {
        assertLocationOptions(bad);
      } catch (err) {
        caught = err;
      }
      expect(isRxsfuError(caught) && caught.code, JSON.stringify(bad)).to.equal('RXSFU_ERR_INVALID_ARGUMENT');
    }
  });
});
