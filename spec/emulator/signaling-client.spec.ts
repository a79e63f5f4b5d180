import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { createSignalConnection, type SignalConnection } from '../../lib/signaling/index.js';
import { credentialsFor, useTestEmulator, type Credentials } from './support/fixture.js';

describe('emulator driven by the SDK signaling connection (createSignalConnection)', () => {
  const t = useTestEmulator({ sfuCount: 1 });
  let creds: Credentials;
  beforeEach(async () => {
    creds = await credentialsFor(t().emu, 'agent');
  });

  const connect = (options: { healthCheckIntervalMs?: number; unhealthyAfterMs?: number } = {}): SignalConnection => {
    const connection = createSignalConnection({ url: creds.server.ws_endpoint, ...options });
    t().keep({ close: () => connection.close(1000, 'test over') });
    return connection;
  };

  it('joins and keeps getting health check responses', async () => {
    const signal = connect({ healthCheckIntervalMs: 20 });
    const health = firstValueFrom(signal.events$.pipe(filter((e) => e.eventPayload === 'healthCheckResponse'), take(2), toArray()));
    const response = await firstValueFrom(signal.join$({ token: creds.token, sessionId: randomUUID() }));
    expect(response.callState!.participants!.map((p) => p.userId)).to.deep.equal(['agent']);
    expect((await health).map((e) => e.healthCheckResponse!.participantCount!.total)).to.deep.equal([1, 1]);
  });

  it('goSilent is noticed as a heartbeat timeout', async () => {
    const signal = connect({ healthCheckIntervalMs: 20, unhealthyAfterMs: 200 });
    const sessionId = randomUUID();
    await firstValueFrom(signal.join$({ token: creds.token, sessionId }));
    const lost = firstValueFrom(signal.connectionLost$);
    t().emu.faults.session(sessionId).goSilent();
    expect((await lost).kind).to.equal('heartbeat-timeout');
  });

  it('destroyTcp is noticed as a close with 1006', async () => {
    const signal = connect();
    const sessionId = randomUUID();
    await firstValueFrom(signal.join$({ token: creds.token, sessionId }));
    const lost = firstValueFrom(signal.connectionLost$);
    t().emu.faults.session(sessionId).destroyTcp();
    expect(await lost).to.include({ kind: 'close', closeCode: 1006 });
  });

  it('a refused join fails join$ with RXSFU_ERR_JOIN_REJECTED carrying the SFU code', async () => {
    t().emu.faults.sfu(creds.server.edge_name).rejectJoins(1, 'sfu-full');
    const signal = connect();
    const failure = await firstValueFrom(signal.join$({ token: creds.token, sessionId: randomUUID() })).catch((e: unknown) => e);
    expect(failure).to.include({ code: 'RXSFU_ERR_JOIN_REJECTED', sfuErrorCode: 700 });
  });
});
