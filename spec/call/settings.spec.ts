import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { joinCall$, resolveSettings } from '../../lib/call/join-call.js';
import { isRxsfuError } from '../../lib/errors.js';

describe('call settings', () => {
  it('defaults match the official client (5 s open/join/RPC, health every 5 s, lost after 12 s of silence)', () => {
    expect(resolveSettings({})).to.include({
      openTimeoutMs: 5000, joinTimeoutMs: 5000, rpcTimeoutMs: 5000, healthCheckIntervalMs: 5000, unhealthyAfterMs: 12000, rpcEncoding: 'protobuf',
    });
  });

  it('refuses a silence limit that a health check cannot beat: healthy sockets would count as lost', async () => {
    const err = await firstValueFrom(joinCall$({ credentials: undefined, healthCheckIntervalMs: 5000, unhealthyAfterMs: 2000 })).catch((e: unknown) => e);
    expect(isRxsfuError(err, 'RXSFU_ERR_INVALID_ARGUMENT')).to.equal(true);
    expect((err as Error).message).to.match(/unhealthyAfterMs \(2000\) must be greater than healthCheckIntervalMs \(5000\)/);
    expect(() => resolveSettings({ healthCheckIntervalMs: 0 })).to.throw(/must be greater/);
    expect(resolveSettings({ healthCheckIntervalMs: 500, unhealthyAfterMs: 2000 })).to.include({ healthCheckIntervalMs: 500, unhealthyAfterMs: 2000 });
  });
});
