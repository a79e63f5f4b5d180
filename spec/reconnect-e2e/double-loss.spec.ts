/**
 * Two losses close together (issue 9): the signaling TCP connection is reset, the agent reconnects,
 * and the NEW connection is reset again a moment after its join_response, while the episode is still
 * finishing (FAST's ICE-restart check, REJOIN's republish). A loss of the connection that ends up
 * current must never be dropped (R16): the call ends `joined` with a live, joined signaling socket
 * whose health checks are answered, for an agent that only publishes and one that only listens.
 *
 * The resets go through a TCP proxy in front of the SFU (real sockets, RST on both sides).
 */
import { expect } from 'chai';
import type { Call } from '../../lib/call/index.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { ErrorCode, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import type { ReconnectionRecord } from '../../lib/reconnect/index.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { untilJoinedAndHealthy } from '../support/call-health.js';
import { emulatorPerTest } from '../support/emulator-fixture.js';
import { QUICK, until } from './support/scenario.js';
import { nextJoinHook } from './support/next-join.js';

type Role = 'publishes only' | 'listens only';

interface Rig {
  emu: Emulator;
  proxy: TcpProxy;
  call: Call;
  records: ReconnectionRecord[];
  /** Runs `hit` once, right after the next signaling join_response (a reconnect's). */
  onNextJoin(hit: () => void): void;
}

describe('reconnect e2e: a second loss while the episode finishes (R16)', function () {
  this.timeout(60000);
  const emulators = emulatorPerTest();

  async function start(role: Role): Promise<Rig> {
    let proxy: TcpProxy | undefined;
    const { emu, join, keep } = await emulators.start({ sfuAddress: (sfu) => ({ ...sfu, wsEndpoint: proxy?.wsEndpoint ?? sfu.wsEndpoint }) });
    proxy = keep(await startTcpProxy(Number(new URL(emu.sfus[0]!.url).port)));
    const { logger, onNextJoin } = nextJoinHook();
    if (role === 'listens only') await emu.addParticipant({ callId: 'double', userId: 'human', audio: true });
    const call = await join('agent', 'double', { ...QUICK, healthCheckIntervalMs: 500, logger });
    const records: ReconnectionRecord[] = [];
    call.reconnections$.subscribe((r) => records.push(r));
    if (role === 'publishes only') await call.publishAudioRtp(opusRtpPackets$());
    await untilJoinedAndHealthy(call, emu);
    return { emu, proxy, call, records, onNextJoin };
  }

  function resetSignaling(r: Rig): void {
    const ws = r.proxy.latest('websocket');
    expect(ws, 'an open signaling connection through the proxy').to.not.equal(undefined);
    ws!.reset();
  }

  for (const role of ['publishes only', 'listens only'] as const) {
    it(`${role}: TCP reset, then the FAST connection reset right after its join → joined and healthy`, async () => {
      const r = await start(role);
      const session = r.call.sessionId;
      r.onNextJoin(() => resetSignaling(r));
      resetSignaling(r);
      await until(() => r.records.length >= 1, 30000, 'the first episode');
      await untilJoinedAndHealthy(r.call, r.emu, 30000);
      expect(r.records.every((rec) => rec.outcome === 'joined')).to.equal(true);
      expect(r.records[0]!.trigger.source).to.equal('connection-lost');
      // Both resets were losses the agent acted on: at least three signaling joins in all.
      expect(r.emu.records.joins.filter((j) => j.userId === 'agent').length).to.be.at.least(3);
      expect(r.call.sessionId === session || r.records.some((rec) => rec.strategiesTried.includes('rejoin'))).to.equal(true);
    });

    it(`${role}: SFU error REJOIN, then the new connection reset right after its join → joined and healthy`, async () => {
      const r = await start(role);
      r.onNextJoin(() => resetSignaling(r));
      r.emu.faults.session(r.call.sessionId).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, 'rejoin please');
      await until(() => r.records.length >= 1, 30000, 'the first episode');
      await untilJoinedAndHealthy(r.call, r.emu, 30000);
      expect(r.records[0]!.trigger.source).to.equal('sfu-error');
      expect(r.emu.records.joins.filter((j) => j.userId === 'agent').length).to.be.at.least(3);
    });
  }
});
