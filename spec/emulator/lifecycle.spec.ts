import { expect } from 'chai';
import { request } from 'node:http';
import { isRxsfuError } from '../../lib/errors.js';
import { startEmulator } from '../../lib/emulator/index.js';
import { coordinatorJoin, joinAgent, startTestEmulator } from './support/fixture.js';
import { recordingMediaFactory, type RecordedMedia } from './support/recording-media.js';
import { until } from './support/until.js';
import { resourceBaseline, resourceGrowth, type ResourceType } from '../support/resources.js';

const WATCHED: ResourceType[] = ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'Timeout', 'Immediate'];

function refuses(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => (res.resume(), resolve(false)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    req.end();
  });
}

describe('emulator lifecycle', () => {
  it('close() frees every port, socket and timer, even with sessions waiting out deadlines, delayed frames and stalled joins', async () => {
    const baseline = await resourceBaseline(WATCHED);
    const { emu, media } = await startTestEmulator({ sfuCount: 2, fastReconnectDeadlineSeconds: 60 });
    const alice = await joinAgent(emu, 'alice');
    const bob = await joinAgent(emu, 'bob');
    await emu.addParticipant({ callId: 'demo', userId: 'human', audio: true, video: true });
    emu.faults.session(bob.sessionId).delayFrames(60_000);
    bob.client.send({ healthCheckRequest: {} });
    await alice.client.terminate(); // alice now waits out a 60 s FAST deadline
    await until(() => emu.liveSessions().some((s) => s.userId === 'alice' && !s.connected), 5000, 'alice disconnected');
    emu.faults.coordinator.stallJoins(1);
    const stalled = coordinatorJoin(emu, { userId: 'carol' }).catch(() => 'destroyed');
    await until(() => emu.records.coordinatorJoins.some((r) => r.fault === 'stall'), 5000, 'stalled join');
    await emu.faults.sfu('sfu-1').kill();

    await emu.close();
    await emu.close(); // idempotent
    expect(await stalled).to.equal('destroyed');
    await bob.client.closed;
    expect(media.every((m) => m.closed), 'every media plane closed').to.equal(true);
    for (const url of [emu.coordinatorUrl, ...emu.sfus.map((s) => s.url)]) expect(await refuses(url), url).to.equal(true);
    expect(await resourceGrowth(baseline, 5000)).to.deep.equal({});
  });

  it('rejects a bad sfuCount with a typed error and opens nothing', async () => {
    const baseline = await resourceBaseline(WATCHED);
    const media: RecordedMedia[] = [];
    const failure = await startEmulator({ sfuCount: 0, mediaPlaneFactory: recordingMediaFactory(media) }).catch((e: unknown) => e);
    expect(isRxsfuError(failure, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect(media).to.have.length(0);
    expect(await resourceGrowth(baseline)).to.deep.equal({});
  });

  it('liveSessions lists one entry per live session, per call', async () => {
    const { emu } = await startTestEmulator({ sfuCount: 1 });
    try {
      const a = await joinAgent(emu, 'alice', 'one');
      const b = await joinAgent(emu, 'bob', 'two');
      expect(emu.liveSessions('default:one').map((s) => [s.userId, s.sessionId, s.connected])).to.deep.equal([['alice', a.sessionId, true]]);
      expect(emu.liveSessions().map((s) => s.callCid).sort()).to.deep.equal(['default:one', 'default:two']);
      await Promise.all([a.client.terminate(), b.client.terminate()]);
    } finally {
      await emu.close();
    }
  });
});
