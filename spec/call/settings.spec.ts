import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { joinCall$ } from '../../lib/call/join-call.js';
import { resolveSettings } from '../../lib/call/join-options.js';
import { isRxsfuError } from '../../lib/errors.js';

describe('call settings', () => {
  it('defaults: 5 s open/join/RPC as the official client; health every 1 s, lost after 2.5 s of silence (bench:outage, issue 13)', () => {
    expect(resolveSettings({})).to.include({
      openTimeoutMs: 5000, joinTimeoutMs: 5000, rpcTimeoutMs: 5000, healthCheckIntervalMs: 1000, unhealthyAfterMs: 2500, rpcEncoding: 'protobuf',
      iceLoopbackOnly: false,
    });
  });

  it('refuses a silence limit that a health check cannot beat: healthy sockets would count as lost', async () => {
    const err = await firstValueFrom(joinCall$({ credentials: undefined, healthCheckIntervalMs: 5000, unhealthyAfterMs: 2000 })).catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect((err as Error).message).to.match(/unhealthyAfterMs \(2000\) must be greater than healthCheckIntervalMs \(5000\)/);
    expect(() => resolveSettings({ healthCheckIntervalMs: 0 })).to.throw(/healthCheckIntervalMs must be an integer number of ms in \[100, /);
    expect(resolveSettings({ healthCheckIntervalMs: 500, unhealthyAfterMs: 2000 })).to.include({ healthCheckIntervalMs: 500, unhealthyAfterMs: 2000 });
  });

  it('J2: peerConnectTimeoutMs defaults to 10 s, 0 disables it, a negative or non-finite one is refused', () => {
    expect(resolveSettings({}).peerConnectTimeoutMs).to.equal(10000);
    expect(resolveSettings({ peerConnectTimeoutMs: 0 }).peerConnectTimeoutMs).to.equal(0);
    expect(() => resolveSettings({ peerConnectTimeoutMs: -1 })).to.throw(/peerConnectTimeoutMs/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    expect(() => resolveSettings({ peerConnectTimeoutMs: Number.NaN })).to.throw(/peerConnectTimeoutMs/);
  });
});

describe('call state after the end', () => {
  it('a late subscriber to a finished state field still gets the final value, then completion', async () => {
    const { stateField } = await import('../../lib/call/state-field.js');
    const { lastValueFrom, toArray } = await import('rxjs');
    const field = stateField<string>('joined');
    field.set('left');
    field.complete();
    expect(await lastValueFrom(field.value$.pipe(toArray()))).to.deep.equal(['left']);
  });

  it('bad reconnection options fail the join before anything opens', async () => {
    const err = await firstValueFrom(joinCall$({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', token: 't', callType: 'default', callId: 'c', reconnect: { fastAttempts: -1 } }))
      .catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
  });
});
