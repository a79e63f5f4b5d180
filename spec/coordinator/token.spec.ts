import { expect } from 'chai';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createUserToken$ } from '../../lib/coordinator/index.js';
import { isRxsfuError } from '../../lib/errors.js';

const SECRET = 'test-api-secret-of-reasonable-length';
const key = new TextEncoder().encode(SECRET);

describe('coordinator: createUserToken$', () => {
  it('mints an HS256 JWT that verifies with the secret and carries user_id, iat, exp', async () => {
    const iat = Math.floor(Date.now() / 1000) - 10;
    const tokens = await lastValueFrom(createUserToken$({ apiSecret: SECRET, userId: 'agent-1', issuedAt: iat, validitySeconds: 600 }).pipe(toArray()));
    expect(tokens).to.have.length(1);
    const { payload } = await jwtVerify(tokens[0]!, key, { algorithms: ['HS256'] });
    expect(payload).to.deep.equal({ user_id: 'agent-1', iat, exp: iat + 600 });
    expect(decodeProtectedHeader(tokens[0]!).alg).to.equal('HS256');
  });

  it('a server token has no user_id; validity defaults to one hour', async () => {
    const token = await firstValueFrom(createUserToken$({ apiSecret: SECRET }));
    const { payload } = await jwtVerify(token, key);
    expect(payload).not.to.have.property('user_id');
    expect(payload.exp! - payload.iat!).to.equal(3600);
  });

  it('takes the default iat from the injected scheduler', async () => {
    const scheduler = new TestScheduler(() => undefined);
    const now = 1_700_000_000_500;
    scheduler.now = () => now;
    const token = await firstValueFrom(createUserToken$({ apiSecret: SECRET, userId: 'u', scheduler }));
    const { payload } = await jwtVerify(token, key, { currentDate: new Date(now) });
    expect(payload.iat).to.equal(1_700_000_000);
  });

  it('a token signed with another secret does not verify', async () => {
    const token = await firstValueFrom(createUserToken$({ apiSecret: 'other-secret', userId: 'u' }));
    let failed = false;
    await jwtVerify(token, key).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });

  it('is cold and rejects bad options with RXSFU_ERR_INVALID_ARGUMENT (as an error, not a throw)', async () => {
    for (const options of [{ apiSecret: '' }, { apiSecret: SECRET, validitySeconds: 0 }, { apiSecret: SECRET, issuedAt: Number.NaN }]) {
      const token$ = createUserToken$(options); // no throw here: cold
      const err = await firstValueFrom(token$).then(() => undefined, (e: unknown) => e);
      expect(isRxsfuError(err, 'RXSFU_ERR_INVALID_ARGUMENT'), String(err)).to.equal(true);
    }
  });
});
