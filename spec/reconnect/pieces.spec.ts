/**
 * The rule pieces on their own: strategy choice (R3, R4), backoff (R6), rate limit (R8), SFU
 * exclusion (R5), error facts (R9), options.
 */
import { expect } from 'chai';
import { fullJitterBackoff } from '../../lib/backoff.js';
import { FINAL_RECONNECT_CODES, rxsfuError } from '../../lib/errors.js';
import {
  admitRejoin, asAttemptError, blameSfu, escalate, excludeSfu, fastDeadlineMs, finalReason, nextStrategy, NO_EXCLUSION,
  ReconnectFailedError, reconnectionTelemetry, resolveReconnectOptions, sfuIdOf, withSfuId,
} from '../../lib/reconnect/index.js';
import { req } from './helpers.js';

const base = { fastAttemptsMade: 0, elapsedMs: 0, fastDeadlineMs: 10_000, fastAttempts: 3 };

describe('reconnect pieces', () => {
  describe('R3 escalate / R4 nextStrategy', () => {
    it('R3: escalation keeps the higher rank: ice-restart < fast < migrate < rejoin', () => {
      expect(escalate('fast', 'migrate')).to.equal('migrate');
      expect(escalate('migrate', 'fast')).to.equal('migrate');
      expect(escalate('rejoin', 'migrate')).to.equal('rejoin');
      expect(escalate('ice-restart', 'fast')).to.equal('fast');
      expect(escalate('fast', 'ice-restart')).to.equal('fast');
    });

    it('R4: the first attempt uses the floor', () => {
      expect(nextStrategy({ ...base, floor: 'fast' })).to.equal('fast');
      expect(nextStrategy({ ...base, floor: 'migrate' })).to.equal('migrate');
      expect(nextStrategy({ ...base, floor: 'ice-restart' })).to.equal('ice-restart');
    });

    it('R4: a failed FAST is retried until 3 FAST attempts or the FAST deadline, then REJOIN', () => {
      expect(nextStrategy({ ...base, floor: 'fast', failed: 'fast', fastAttemptsMade: 2 })).to.equal('fast');
      expect(nextStrategy({ ...base, floor: 'fast', failed: 'fast', fastAttemptsMade: 3 })).to.equal('rejoin');
      expect(nextStrategy({ ...base, floor: 'fast', failed: 'fast', fastAttemptsMade: 1, elapsedMs: 10_000 })).to.equal('rejoin');
      expect(nextStrategy({ ...base, floor: 'fast', failed: 'fast', fastAttemptsMade: 1, elapsedMs: 9_999 })).to.equal('fast');
    });

    it('R4: failed MIGRATE, REJOIN and ICE restart → REJOIN; never below the floor', () => {
      expect(nextStrategy({ ...base, floor: 'migrate', failed: 'migrate' })).to.equal('rejoin');
      expect(nextStrategy({ ...base, floor: 'rejoin', failed: 'rejoin' })).to.equal('rejoin');
      expect(nextStrategy({ ...base, floor: 'ice-restart', failed: 'ice-restart' })).to.equal('rejoin');
      expect(nextStrategy({ ...base, floor: 'migrate', failed: 'fast', fastAttemptsMade: 1 })).to.equal('migrate');
    });

    it('R4: a FAST deadline of 0 turns the first FAST into REJOIN', () => {
      expect(nextStrategy({ ...base, floor: 'fast', fastDeadlineMs: 0 })).to.equal('rejoin');
    });
  });

  describe('R6 fullJitterBackoff', () => {
    const bounds = { baseMs: 250, maxDelayMs: 5000 };

    it('R6: waits random · min(maxDelayMs, baseMs · 2^retry), whole ms; none before the first attempt', () => {
      expect([0, 1, 2, 3, 4, 5, 6].map((n) => fullJitterBackoff(n, bounds, () => 0.5))).to.deep.equal([125, 250, 500, 1000, 2000, 2500, 2500]);
      expect(fullJitterBackoff(-1, bounds, () => 0.5)).to.equal(0);
      expect(fullJitterBackoff(3, bounds, () => 0)).to.equal(0);
    });

    it('R6: stays below the bound even when random returns 1 or more, and at 0 for negative randoms', () => {
      expect(fullJitterBackoff(0, bounds, () => 1)).to.equal(249);
      expect(fullJitterBackoff(10, bounds, () => 7)).to.equal(4999);
      expect(fullJitterBackoff(2, bounds, () => -3)).to.equal(0);
    });
  });

  describe('R8 admitRejoin', () => {
    const limit = { max: 2, windowMs: 10_000 };

    it('R8: admits up to max in the sliding window, refuses the next, admits again once the oldest left', () => {
      const a = admitRejoin([], 0, limit);
      const b = admitRejoin(a.history, 1000, limit);
      const c = admitRejoin(b.history, 2000, limit);
      const d = admitRejoin(c.history, 11_000, limit);
      expect([a.admitted, b.admitted, c.admitted, d.admitted]).to.deep.equal([true, true, false, true]);
      expect(c.history).to.deep.equal([0, 1000]);
      expect(d.history).to.deep.equal([11_000]);
    });

    it('R8: a refusal does not count against the window', () => {
      const full = admitRejoin(admitRejoin([], 0, limit).history, 0, limit).history;
      expect(admitRejoin(full, 9_999, limit)).to.deep.equal({ admitted: false, history: [0, 0] });
      expect(admitRejoin(full, 10_000, limit)).to.deep.equal({ admitted: true, history: [10_000] });
    });
  });

  describe('R5 SFU exclusion', () => {
    const internal = rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'internal', { sfuErrorCode: 500 });

    it('R5: lists an SFU on its second failure, or at once on SFU_FULL / SHUTTING_DOWN / PARTICIPANT_LIMIT', () => {
      const once = blameSfu(NO_EXCLUSION, 'a', internal);
      expect(once.migratingFromList).to.deep.equal([]);
      expect(blameSfu(once, 'a', internal).migratingFromList).to.deep.equal(['a']);
      for (const code of [700, 600, 301]) {
        expect(blameSfu(NO_EXCLUSION, 'b', rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'no', { sfuErrorCode: code })).migratingFromList).to.deep.equal(['b']);
      }
    });

    it('R5: no duplicates, unknown SFU ignored, go_away lists at once', () => {
      const full = rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'full', { sfuErrorCode: 700 });
      expect(blameSfu(blameSfu(NO_EXCLUSION, 'a', full), 'a', full).migratingFromList).to.deep.equal(['a']);
      expect(blameSfu(NO_EXCLUSION, undefined, full)).to.equal(NO_EXCLUSION);
      expect(excludeSfu(NO_EXCLUSION, 'a').migratingFromList).to.deep.equal(['a']);
    });

    it('R5: withSfuId tags an error without changing what it says', () => {
      const error = withSfuId(rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset'), 'sfu-9');
      expect(sfuIdOf(error)).to.equal('sfu-9');
      expect(Object.keys(error)).to.not.include('sfu-9');
      expect(sfuIdOf(rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset'))).to.equal(undefined);
    });
  });

  describe('R9 final errors, R11 failure error', () => {
    it('R9: unauthorized, call ended and DISCONNECT are final; others are not', () => {
      expect(finalReason(rxsfuError('RXSFU_ERR_UNAUTHORIZED', '401'))).to.equal('unauthorized');
      expect(finalReason(rxsfuError('RXSFU_ERR_CALL_ENDED', 'ended'))).to.equal('disconnected');
      expect(finalReason(rxsfuError('RXSFU_ERR_SFU_ERROR', 'x', { reconnectStrategy: 1 }))).to.equal('disconnected');
      expect(finalReason(rxsfuError('RXSFU_ERR_SFU_ERROR', 'x', { reconnectStrategy: 3 }))).to.equal(undefined);
      expect(finalReason(rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'slow'))).to.equal(undefined);
    });

    it('R9: every code listed final in lib/errors.ts is final; the attempt and migration timeouts are not; a bug (INTERNAL) is', () => {
      for (const code of FINAL_RECONNECT_CODES) expect(finalReason(rxsfuError(code, 'x')), code).to.not.equal(undefined);
      expect(finalReason(rxsfuError('RXSFU_ERR_INTERNAL', 'TypeError'))).to.equal('internal');
      expect(finalReason(rxsfuError('RXSFU_ERR_ATTEMPT_TIMEOUT', 'slow'))).to.equal(undefined);
      expect(finalReason(rxsfuError('RXSFU_ERR_MIGRATION_TIMEOUT', 'slow'))).to.equal(undefined);
      expect(finalReason(rxsfuError('RXSFU_ERR_JOIN_REJECTED', 'full', { sfuErrorCode: 700 }))).to.equal(undefined);
    });

    it('R9: asAttemptError keeps a typed error and turns an untyped one (a TypeError) into RXSFU_ERR_INTERNAL with it as cause', () => {
      const typed = rxsfuError('RXSFU_ERR_SOCKET_ERROR', 'reset');
      expect(asAttemptError(typed)).to.equal(typed);
      const bug = new TypeError('x is not a function');
      expect(asAttemptError(bug)).to.include({ code: 'RXSFU_ERR_INTERNAL', cause: bug });
    });

    it('R11: ReconnectFailedError carries the original cause, the reason and the last error', () => {
      const last = rxsfuError('RXSFU_ERR_JOIN_TIMEOUT', 'slow');
      const error = new ReconnectFailedError('deadline', req.fast, last);
      expect(error).to.include({ code: 'RXSFU_ERR_RECONNECT_FAILED', reason: 'deadline', cause: req.fast.cause, lastError: last, trigger: req.fast });
      expect(error.message).to.match(/deadline.*connection-lost.*RXSFU_ERR_JOIN_TIMEOUT/);
      expect(new ReconnectFailedError('rate-limit', req.migrate).cause).to.equal(req.migrate.detail);
    });
  });

  describe('reconnectionTelemetry', () => {
    const record = { trigger: req.fast, attempts: 2, durationMs: 2500, outcome: 'joined' } as const;

    it('reports the episode time and the wire strategy that rejoined', () => {
      expect(reconnectionTelemetry({ ...record, strategiesTried: ['fast', 'rejoin'] })).to.deep.equal({ timeSeconds: 2.5, strategy: 3 });
      expect(reconnectionTelemetry({ ...record, strategiesTried: ['migrate'] })).to.deep.equal({ timeSeconds: 2.5, strategy: 4 });
      expect(reconnectionTelemetry({ ...record, strategiesTried: ['fast'] })?.strategy).to.equal(2);
    });

    it('reports nothing for failed, cancelled and ICE-restart-only episodes', () => {
      expect(reconnectionTelemetry({ ...record, strategiesTried: ['fast'], outcome: 'failed' })).to.equal(undefined);
      expect(reconnectionTelemetry({ ...record, strategiesTried: ['fast'], outcome: 'cancelled' })).to.equal(undefined);
      expect(reconnectionTelemetry({ ...record, strategiesTried: ['ice-restart'] })).to.equal(undefined);
      expect(reconnectionTelemetry({ ...record, strategiesTried: [], attempts: 0 })).to.equal(undefined);
    });
  });

  describe('options', () => {
    it('applies the documented defaults', () => {
      const o = resolveReconnectOptions();
      expect(o).to.include({ fastAttempts: 3, attemptTimeoutMs: 10_000, migrationTimeoutMs: 7_000, disconnectionTimeoutMs: 60_000 });
      expect(o.backoff).to.deep.equal({ baseMs: 250, maxDelayMs: 5000 });
      expect(o.rateLimit).to.deep.equal({ max: 10, windowMs: 120_000 });
    });

    it('R4/R15: the FAST window is the option, else the last JoinedInfo, else 10 s', () => {
      expect(fastDeadlineMs(resolveReconnectOptions({ fastDeadlineMs: 7 }), { sfuId: 'a', fastReconnectDeadlineSeconds: 30 })).to.equal(7);
      expect(fastDeadlineMs(resolveReconnectOptions(), { sfuId: 'a', fastReconnectDeadlineSeconds: 30 })).to.equal(30_000);
      expect(fastDeadlineMs(resolveReconnectOptions(), { sfuId: 'a', fastReconnectDeadlineSeconds: 0 })).to.equal(10_000);
      expect(fastDeadlineMs(resolveReconnectOptions(), undefined)).to.equal(10_000);
    });

    it('R4: a fastDeadlineMs getter is read at each choice; undefined falls back to the JoinedInfo', () => {
      let current: number | undefined = 1500;
      const options = resolveReconnectOptions({ fastDeadlineMs: () => current });
      const join = { sfuId: 'a', fastReconnectDeadlineSeconds: 20 };
      expect(fastDeadlineMs(options, join)).to.equal(1500);
      current = undefined;
      expect(fastDeadlineMs(options, join)).to.equal(20_000);
    });

    it('rejects negative and non-finite numbers with RXSFU_ERR_INVALID_ARGUMENT naming the option', () => {
      expect(() => resolveReconnectOptions({ rateLimit: { max: -1 } })).to.throw(/rateLimit\.max/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
      expect(() => resolveReconnectOptions({ disconnectionTimeoutMs: Infinity })).to.throw(/disconnectionTimeoutMs/);
    });

    it('R8: every duration is a finite integer no timer would clamp; no rate limit allows a reconnect loop', () => {
      for (const bad of [Infinity, 2 ** 31, -1, Number.NaN, 1.5, '100', null]) {
        for (const key of ['attemptTimeoutMs', 'migrationTimeoutMs', 'disconnectionTimeoutMs', 'fastDeadlineMs'] as const) {
          expect(() => resolveReconnectOptions({ [key]: bad }), `${key}: ${String(bad)}`).to.throw(new RegExp(key)).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
        }
        expect(() => resolveReconnectOptions({ backoff: { maxDelayMs: bad as number } })).to.throw(/backoff\.maxDelayMs/);
      }
      expect(() => resolveReconnectOptions({ rateLimit: { max: 1000, windowMs: 1000 } })).to.throw(/rateLimit\.windowMs/).with.property('code', 'RXSFU_ERR_INVALID_ARGUMENT');
      expect(() => resolveReconnectOptions({ fastRateLimit: { windowMs: 0 } })).to.throw(/fastRateLimit\.windowMs/);
      expect(() => resolveReconnectOptions({ fastAttempts: 101 })).to.throw(/fastAttempts/);
      expect(() => resolveReconnectOptions(null)).to.throw(/reconnect must be an object/);
      expect(resolveReconnectOptions({ attemptTimeoutMs: 2 ** 31 - 1 }).attemptTimeoutMs).to.equal(2 ** 31 - 1);
      expect(resolveReconnectOptions().fastRateLimit).to.deep.equal({ max: 10, windowMs: 60_000 });
    });
  });
});
