/**
 * Other ways to be dead while `joined` (issue 9 item 5), each over real I/O: the call must notice and
 * recover, ending with the joined invariant (J1, J2) holding on the emulator's side too.
 */
import { expect } from 'chai';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import type { ReconnectionRecord } from '../../lib/reconnect/index.js';
import { untilJoinedAndHealthy } from '../support/call-health.js';
import { emulatorPerTest } from '../support/emulator-fixture.js';
import { QUICK, until } from './support/scenario.js';

describe('reconnect e2e: dead while joined', function () {
  this.timeout(60000);
  const emulators = emulatorPerTest();

  it('J2: a publisher whose ICE never connects is noticed (peerConnectTimeoutMs) and recovered, not left connecting while joined', async () => {
    const { emu, join } = await emulators.start();
    const call = await join('speaker', 'ice', { ...QUICK, healthCheckIntervalMs: 500, peerConnectTimeoutMs: 1500 });
    const records: ReconnectionRecord[] = [];
    call.reconnections$.subscribe((r) => records.push(r));
    const session = call.sessionId;
    emu.faults.session(session).blockPublisherIce();
    await call.publishAudioRtp(opusRtpPackets$());
    await until(() => records.length >= 1, 40000, 'a reconnection episode');
    expect(records[0]!.trigger.source).to.equal('peer-stuck');
    await untilJoinedAndHealthy(call, emu, 40000);
    let publisher = '';
    call.health$.subscribe((h) => { publisher = h.publisher; }).unsubscribe();
    expect(publisher, 'the publisher carries its track again').to.equal('connected');
  });
});
