/**
 * TLS all the way: an https coordinator that hands out ws:// and http:// SFU endpoints is refused
 * (RXSFU_ERR_INSECURE_TRANSPORT) before the SFU token leaves the process, and so is cleartext
 * anywhere else, unless `allowInsecure` (what the emulator's agentOptions set) says otherwise.
 * The https coordinator is a real TLS server on loopback in front of the emulator's coordinator; the
 * agent runs in a child process that trusts its test certificate (NODE_EXTRA_CA_CERTS).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { joinCall, type JoinCallOptions } from '../../lib/call/index.js';
import { assertSecureCoordinator, assertSecureSfu, type Credentials } from '../../lib/coordinator/index.js';
import { isRxsfuError } from '../../lib/errors.js';
import { useEmulator } from './e2e-fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const tls = join(here, '../support/tls');

async function joinFailure(options: JoinCallOptions): Promise<string> {
  try {
    const call = await joinCall(options);
    await call.leave('unexpected');
  } catch (err) {
    return isRxsfuError(err) ? err.code : String(err);
  }
  return 'joined';
}

const creds = (url: string, wsEndpoint: string): Credentials => ({ server: { url, wsEndpoint, edgeName: 'sfu-x' }, token: 't', iceServers: [] });

describe('call: TLS all the way', function () {
  this.timeout(60000);

  it('the checks: https/wss pass; http, ws or garbage fail unless allowInsecure', () => {
    const code = (fn: () => void) => {
      try {
        fn();
        return 'ok';
      } catch (err) {
        return isRxsfuError(err) ? err.code : String(err);
      }
    };
    expect(code(() => assertSecureCoordinator('https://video.stream-io-api.com', false))).to.equal('ok');
    expect(code(() => assertSecureCoordinator('http://video.stream-io-api.com', false))).to.equal('RXSFU_ERR_INSECURE_TRANSPORT');
    expect(code(() => assertSecureCoordinator('http://127.0.0.1:1', true))).to.equal('ok');
    expect(code(() => assertSecureSfu(creds('https://sfu/twirp', 'wss://sfu/ws'), false, 'x'))).to.equal('ok');
    for (const [url, ws] of [['https://sfu/twirp', 'ws://sfu/ws'], ['http://sfu/twirp', 'wss://sfu/ws'], ['nope', 'wss://sfu/ws']]) {
      expect(code(() => assertSecureSfu(creds(url!, ws!), false, 'x')), `${url} ${ws}`).to.equal('RXSFU_ERR_INSECURE_TRANSPORT');
      expect(code(() => assertSecureSfu(creds(url!, ws!), true, 'x'))).to.equal('ok');
    }
  });

  describe('against the emulator (plain http and ws on loopback)', () => {
    const ctx = useEmulator();

    it('without allowInsecure: refused before any request (no coordinator join, no socket)', async () => {
      const { emu, options } = ctx();
      expect(await joinFailure({ ...options('agent', 'tls'), allowInsecure: undefined })).to.equal('RXSFU_ERR_INSECURE_TRANSPORT');
      expect(emu.records.coordinatorJoins).to.deep.equal([]);
      expect(emu.records.joins).to.deep.equal([]);
    });

    it('direct ws:// credentials without allowInsecure: refused before the socket opens; allowed, they join', async () => {
      const { emu, options, track } = ctx();
      const token = await emu.createUserToken('agent');
      const answer = await fetch(`${emu.coordinatorUrl}/video/call/default/tls/join?api_key=${emu.apiKey}`, {
        method: 'POST', headers: { authorization: token, 'stream-auth-type': 'jwt', 'content-type': 'application/json' }, body: JSON.stringify({ create: true, location: 'EMU' }),
      });
      const { credentials: c } = await answer.json() as { credentials: { server: { url: string; ws_endpoint: string; edge_name: string }; token: string } };
      const credentials = { server: { url: c.server.url, wsEndpoint: c.server.ws_endpoint, edgeName: c.server.edge_name }, token: c.token, iceServers: [] };
      expect(await joinFailure({ credentials })).to.equal('RXSFU_ERR_INSECURE_TRANSPORT');
      expect(emu.records.joins).to.deep.equal([]);
      const call = track(await joinCall({ ...options('agent', 'tls'), credentials }));
      expect(call.state).to.equal('joined');
    });
  });

  describe('an https coordinator handing out ws:// and http:// SFUs', () => {
    const ctx = useEmulator();
    let coordinator: Server | undefined;
    let joins = 0;
    afterEach(async () => {
      coordinator?.closeAllConnections();
      await new Promise((resolve) => (coordinator ? coordinator.close(resolve) : resolve(undefined)));
      coordinator = undefined;
      joins = 0;
    });

    /** A TLS front for the emulator's coordinator: the same answers, over https. */
    async function httpsCoordinator(target: string): Promise<string> {
      coordinator = createServer({ key: readFileSync(join(tls, 'loopback.key')), cert: readFileSync(join(tls, 'loopback.crt')) }, (req, res) => {
        joins++;
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          void fetch(`${target}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) })
            .then(async (upstream) => res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' }).end(Buffer.from(await upstream.arrayBuffer())));
        });
      });
      await new Promise<void>((resolve) => coordinator!.listen(0, '127.0.0.1', resolve));
      return `https://127.0.0.1:${(coordinator.address() as AddressInfo).port}`;
    }

    async function joinInChild(options: JoinCallOptions): Promise<{ joined?: string; code?: string }> {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(tls, 'join-child.ts'), JSON.stringify(options)], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(tls, 'loopback.crt') },
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!);
    }

    it('is refused with RXSFU_ERR_INSECURE_TRANSPORT after the coordinator answered, and no SFU is contacted', async () => {
      const { emu, options } = ctx();
      const baseUrl = await httpsCoordinator(emu.coordinatorUrl);
      const result = await joinInChild({ ...options('agent', 'tls'), baseUrl, allowInsecure: false });
      expect(result).to.deep.equal({ code: 'RXSFU_ERR_INSECURE_TRANSPORT' });
      expect(joins, 'the https coordinator was asked').to.equal(1);
      expect(emu.records.coordinatorJoins.map((r) => r.status)).to.deep.equal([200]);
      expect(emu.records.joins, 'the SFU token never left').to.deep.equal([]);
    });

    it('allowInsecure lets a local setup through (the same coordinator, the same SFU)', async () => {
      const { emu, options } = ctx();
      const baseUrl = await httpsCoordinator(emu.coordinatorUrl);
      const result = await joinInChild({ ...options('agent', 'tls'), baseUrl, allowInsecure: true });
      expect(result).to.deep.equal({ joined: emu.sfus[0]!.id });
      expect(emu.records.joins.map((j) => j.outcome)).to.deep.equal(['joined']);
    });
  });
});
