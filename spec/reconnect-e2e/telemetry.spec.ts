/**
 * What outlives a reconnect, seen from outside: the SFU learns how we came back (SendStats
 * telemetry, WIRE.md `Telemetry.reconnection`), the session keeps its unified id, and a remote
 * track stays the same object with the same `rtp$` when REJOIN replaces the peer connection
 * underneath it, announced on `replaced$` (issue 5, item 5).
 */
import { expect } from 'chai';
import { firstValueFrom, take, toArray } from 'rxjs';
import { ErrorCode, TrackType, WebsocketReconnectStrategy as S } from '../../lib/protocol/index.js';
import { vp8RtpPackets$ } from '../../lib/media/index.js';
import type { CallRemoteTrack } from '../../lib/call/index.js';
import { recovered, scenarioPerTest, until, type Scenario } from './support/scenario.js';

describe('reconnect e2e: telemetry and continuity', function () {
  this.timeout(45000);
  const scenarios = scenarioPerTest();

  const reconnectionStats = (s: Scenario) => s.emu.records.stats
    .filter((r) => r.method === 'SendStats' && (r.body['telemetry'] as { reconnection?: unknown } | undefined)?.reconnection)
    .map((r) => ({ sessionId: r.sessionId, unifiedSessionId: r.body['unifiedSessionId'], ...(r.body['telemetry'] as { reconnection: { strategy: string; timeSeconds?: number } }).reconnection }));

  it('after FAST the SFU receives SendStats with telemetry.reconnection {strategy FAST, time}', async () => {
    const s = await scenarios.start();
    s.emu.faults.session(s.call.sessionId).destroyTcp();
    const record = await recovered(s);
    await until(() => reconnectionStats(s).length === 1, 10000, 'one SendStats with reconnection telemetry');
    const [stats] = reconnectionStats(s);
    expect(stats).to.include({ sessionId: s.call.sessionId, unifiedSessionId: s.call.unifiedSessionId, strategy: 'WEBSOCKET_RECONNECT_STRATEGY_FAST' });
    expect(stats!.timeSeconds).to.be.closeTo(record.durationMs / 1000, 0.001);
  });

  it('REJOIN: a new session id, the same unified session id, the same remote track object whose rtp$ keeps flowing, replaced$ once', async () => {
    const s = await scenarios.start();
    const track: CallRemoteTrack = await firstValueFrom(s.call.remoteTracks$);
    const replaced = firstValueFrom(track.replaced$);
    const packets = firstValueFrom(track.rtp$.pipe(take(200), toArray()));
    const before = s.call.sessionId;
    s.emu.faults.session(before).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, 'rejoin please');
    await recovered(s);
    expect(s.call.sessionId).to.not.equal(before);
    expect(await replaced).to.have.property('reason').that.matches(/replaced/);
    // The same object keeps delivering: 200 packets is about 4 s of audio, which spans the REJOIN.
    const rtp = await packets;
    expect(rtp).to.have.length(200);
    const current = await firstValueFrom(s.call.remoteTracks$.pipe(take(1)));
    expect(current, 'remoteTracks$ replays the same track, no duplicate').to.equal(track);
    await until(() => reconnectionStats(s).length === 1, 10000, 'one SendStats with reconnection telemetry');
    expect(reconnectionStats(s)[0]).to.include({ sessionId: s.call.sessionId, unifiedSessionId: s.call.unifiedSessionId, strategy: 'WEBSOCKET_RECONNECT_STRATEGY_REJOIN' });
  });

  it('a track published while a REJOIN runs lands on the connection the call ends on', async () => {
    const s = await scenarios.start();
    s.emu.faults.session(s.call.sessionId).sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, S.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, 'rejoin please');
    await until(() => s.call.state === 'reconnecting', 10000, 'the REJOIN to start');
    const video = await s.call.publishVideoRtp(vp8RtpPackets$());
    expect(s.call.state).to.equal('joined');
    expect(video.trackType).to.equal(TrackType.TRACK_TYPE_VIDEO);
    const videoAtHuman = () => s.human.received().filter((r) => r.fromSessionId === s.call.sessionId && r.trackType === TrackType.TRACK_TYPE_VIDEO).reduce((n, r) => n + r.packets, 0);
    await until(() => videoAtHuman() >= 20, 15000, 'the new track\'s video at the human, from the new session');
  });
});
