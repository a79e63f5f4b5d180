/**
 * resolveJoinOptions: every option checked and defaulted once, at the door. Anything a caller may
 * pass gives either a complete object or RXSFU_ERR_INVALID_ARGUMENT naming the option; never a
 * TypeError, never a value a timer would clamp.
 */
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import { resolveJoinOptions } from '../../lib/call/join-options.js';
import { validateSubscriptionPolicy } from '../../lib/call/subscription-policy.js';
import { silentLogger } from '../../lib/logger.js';
import { isRxsfuError } from '../../lib/errors.js';
import { joinCall } from '../../lib/call/index.js';
import { createSignalConnection } from '../../lib/signaling/index.js';
import { createSignalServerClient } from '../../lib/rpc/index.js';
import { coordinatorJoin$ } from '../../lib/coordinator/index.js';

const target = { apiKey: 'key', apiSecret: 'secret', userId: 'agent', callType: 'default', callId: 'c' };
const credentials = { server: { url: 'http://127.0.0.1:1/twirp', wsEndpoint: 'ws://127.0.0.1:1/ws', edgeName: 'sfu-a' }, token: 't', iceServers: [] };

function invalid(input: unknown, name?: RegExp): void {
  let thrown: unknown;
  try {
    resolveJoinOptions(input);
  } catch (err) {
    thrown = err;
  }
  expect(isRxsfuError(thrown, 'RXSFU_ERR_INVALID_ARGUMENT'), `${String(thrown)} for ${JSON.stringify(input)}`).to.equal(true);
  if (name) expect((thrown as Error).message).to.match(name);
}

describe('resolveJoinOptions (issue 8 item 7, issue 10 items 2–3)', () => {
  it('returns one complete object: every default applied, the target checked', () => {
    const resolved = resolveJoinOptions(target);
    expect(resolved.target).to.include({ ...target, create: true, coordinatorTimeoutMs: 10_000 });
    expect(resolved.settings).to.deep.equal({
      rpcEncoding: 'protobuf', rpcTimeoutMs: 5000, openTimeoutMs: 5000, joinTimeoutMs: 5000, healthCheckIntervalMs: 1000,
      unhealthyAfterMs: 2500, networkDeadAfterMs: 1500, peerConnectTimeoutMs: 10000, scheduler: asyncScheduler, logger: silentLogger, iceLoopbackOnly: false,
    });
    expect(resolved).to.include({ mediaStallAfterMs: 8000, statsIntervalMs: undefined, recordFrames: false });
    expect(resolved.subscriptions).to.deep.equal({});
    expect(resolved.reconnect).to.include({ fastAttempts: 3, attemptTimeoutMs: 10_000, disconnectionTimeoutMs: 60_000 });
    expect(resolved.reconnect).to.include({ outageBudgetMs: 900_000, probeTimeoutMs: 2000 });
    expect(resolved.supervisor).to.deep.include({ enabled: true, maxRestarts: 3, windowMs: 3_600_000 });
    expect(resolveJoinOptions({ credentials }).target.credentials).to.deep.equal(credentials);
  });

  it('refuses what is not an options object, and a target that names no call', () => {
    for (const input of [undefined, null, 42, 'options', []]) invalid(input, /joinCall options must be an object/);
    invalid({}, /needs `credentials`, or `apiKey`/);
    invalid({ ...target, apiSecret: undefined }, /`token`, a `tokenProvider` or an `apiSecret`/);
    invalid({ ...target, apiSecret: undefined, tokenProvider: "nope" }, /tokenProvider must be a function/);
    invalid({ ...target, userId: undefined }, /`userId`/);
    invalid({ ...target, callId: 7 }, /callId must be a non-empty string/);
    invalid({ ...target, baseUrl: 'ftp://x' }, /baseUrl/);
  });

  it('network options (issue 11): location, locationHintUrl, allowInsecure and iceLoopbackOnly are checked and kept', () => {
    const resolved = resolveJoinOptions({ ...target, location: 'AMS', locationHintUrl: 'http://127.0.0.1:1/', allowInsecure: true, iceLoopbackOnly: true });
    expect(resolved.target).to.include({ location: 'AMS', locationHintUrl: 'http://127.0.0.1:1/', allowInsecure: true });
    expect(resolved.settings.iceLoopbackOnly).to.equal(true);
    expect(resolveJoinOptions({ credentials, allowInsecure: true }).target.allowInsecure).to.equal(true);
    expect(resolveJoinOptions(target).target).to.not.have.any.keys('location', 'locationHintUrl', 'allowInsecure');
    invalid({ ...target, location: '' }, /location/);
    invalid({ ...target, location: 'has space' }, /location/);
    invalid({ ...target, locationHintUrl: 'file:///etc/passwd' }, /locationHintUrl/);
    invalid({ ...target, allowInsecure: 'yes' }, /allowInsecure/);
    invalid({ ...target, iceLoopbackOnly: 1 }, /iceLoopbackOnly/);
  });

  it('refuses incomplete direct credentials ({}, no server, no token)', () => {
    invalid({ credentials: {} }, /credentials\.server must be an object/);
    invalid({ credentials: null }, /credentials must be an object/);
    invalid({ credentials: { ...credentials, token: undefined } }, /credentials\.token/);
    invalid({ credentials: { ...credentials, server: { ...credentials.server, wsEndpoint: 3 } } }, /wsEndpoint/);
    invalid({ credentials: { ...credentials, iceServers: [{}] } }, /iceServers/);
  });

  it('refuses a logger or scheduler without its methods (logger: {} used to crash later in the socket)', () => {
    invalid({ ...target, logger: {} }, /logger must have the methods debug, info, warn, error/);
    invalid({ ...target, logger: { debug() {}, info() {}, warn() {} } }, /missing: error/);
    invalid({ ...target, scheduler: {} }, /scheduler/);
    invalid({ ...target, rpcEncoding: 'xml' }, /rpcEncoding/);
  });

  it('every duration is a finite integer in its documented range: Infinity, 2**31, -1, NaN, 1.5 and strings refused', () => {
    const durations = ['rpcTimeoutMs', 'openTimeoutMs', 'joinTimeoutMs', 'healthCheckIntervalMs', 'unhealthyAfterMs', 'peerConnectTimeoutMs', 'networkDeadAfterMs', 'coordinatorTimeoutMs', 'mediaStallAfterMs', 'statsIntervalMs'];
    for (const key of durations) {
      for (const bad of [Infinity, -Infinity, 2 ** 31, -1, Number.NaN, 1.5, '5000', null]) invalid({ ...target, [key]: bad }, new RegExp(key));
    }
    invalid({ ...target, healthCheckIntervalMs: 99 }, /healthCheckIntervalMs must be an integer number of ms in \[100, 2147483647\]/);
    invalid({ ...target, mediaStallAfterMs: 50 }, /mediaStallAfterMs.*\(or 0: off\)/);
    invalid({ ...target, reconnect: { attemptTimeoutMs: Infinity } }, /reconnect\.attemptTimeoutMs/);
    invalid({ ...target, reconnect: null }, /reconnect must be an object/);
    invalid({ ...target, reconnect: { outageBudgetMs: -1 } }, /reconnect\.outageBudgetMs/);
    invalid({ ...target, reconnect: { probeBackoff: { baseMs: 0 } } }, /reconnect\.probeBackoff\.baseMs/);
    invalid({ ...target, supervisor: { maxRestarts: 10, windowMs: 10 } }, /supervisor\.windowMs/);
    invalid({ ...target, supervisor: 'yes' }, /supervisor must be an object/);
    const max = resolveJoinOptions({ ...target, joinTimeoutMs: 2 ** 31 - 1, unhealthyAfterMs: 2 ** 31 - 1, mediaStallAfterMs: 0, statsIntervalMs: 0 });
    expect(max.settings).to.include({ joinTimeoutMs: 2 ** 31 - 1, unhealthyAfterMs: 2 ** 31 - 1 });
    expect(max).to.include({ mediaStallAfterMs: 0, statsIntervalMs: 0 });
  });

  it('refuses a malformed subscription policy (null, numbers for session ids, unknown track types)', () => {
    invalid({ ...target, subscriptions: null }, /subscriptions must be an object/);
    invalid({ ...target, subscriptions: { explicit: [{ sessionId: 1, trackType: 1 }] } }, /subscriptions\.explicit\[0\]\.sessionId/);
    invalid({ ...target, subscriptions: { explicit: [{ sessionId: 's', trackType: 9 }] } }, /trackType/);
    invalid({ ...target, subscriptions: { video: ['a', 2] } }, /subscriptions\.video\[1\]/);
    invalid({ ...target, subscriptions: { audio: 'yes' } }, /subscriptions\.audio/);
    invalid({ ...target, subscriptions: { videoDimension: { width: 0, height: 10 } } }, /videoDimension\.width/);
    expect(validateSubscriptionPolicy({ video: ['a'], explicit: [{ sessionId: 's', trackType: 2 }] })).to.deep.equal({
      video: ['a'], explicit: [{ userId: '', sessionId: 's', trackType: 2 }],
    });
  });

  it('an options object whose getters throw (a Proxy, a getter) is RXSFU_ERR_INVALID_ARGUMENT too, not the getter\'s TypeError', () => {
    const hostile = new Proxy({}, { get() { throw new TypeError('boom'); } });
    expect(() => resolveJoinOptions(hostile)).to.throw(/joinCall options could not be read/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    const getter = { ...target, get subscriptions(): unknown { throw new Error('no'); } };
    expect(() => resolveJoinOptions(getter)).to.throw(/could not be read/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
    expect(() => validateSubscriptionPolicy(new Proxy({}, { get() { throw new TypeError('boom'); } }))).to.throw(/subscription policy could not be read/)
      .with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
  });

  it('error messages name options, never quote string values (a token must not end up in a log)', () => {
    invalid({ ...target, rpcTimeoutMs: 'secret-token-value' }, /a string of 18 characters/);
    try {
      resolveJoinOptions({ ...target, rpcTimeoutMs: 'secret-token-value' });
    } catch (err) {
      expect((err as Error).message).not.to.contain('secret-token-value');
    }
  });

  it('the layers below joinCall refuse durations Node would clamp too (signal connection, Twirp client, coordinator join)', () => {
    for (const bad of [Infinity, 2 ** 31, -1, Number.NaN]) {
      expect(() => createSignalConnection({ url: 'ws://127.0.0.1:9/ws', openTimeoutMs: bad })).to.throw(/openTimeoutMs/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
      expect(() => createSignalConnection({ url: 'ws://127.0.0.1:9/ws', unhealthyAfterMs: bad })).to.throw(/unhealthyAfterMs/);
      expect(() => createSignalConnection({ url: 'ws://127.0.0.1:9/ws', logger: {} as never })).to.throw(/logger must have the methods/);
      expect(() => createSignalServerClient({ url: 'http://127.0.0.1:9/twirp', token: 't', timeoutMs: bad })).to.throw(/timeoutMs/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
      expect(() => coordinatorJoin$({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', token: 't', callType: 'default', callId: 'c', timeoutMs: bad })).to.throw(/timeoutMs/);
    }
  });

  it('joinCall(undefined) and joinCall(null) reject with RXSFU_ERR_INVALID_ARGUMENT, not a TypeError', async () => {
    for (const input of [undefined, null]) {
      const err = await joinCall(input as never).catch((e: unknown) => e);
      expect(isRxsfuError(err, 'RXSFU_ERR_INVALID_ARGUMENT'), String(err)).to.equal(true);
    }
  });
});
