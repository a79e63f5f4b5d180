/**
 * ICE for real networks (issue 11 item 4): werift tries only the first TURN URL it can parse, so
 * rxsfu hands the credentials' TURN URLs over best first (UDP, TCP, TLS; the unusable left out:
 * lib/rtc/werift-ice-servers.ts), and one that cannot be reached must not stall the call. No TURN
 * server runs here, so which one werift tried is read from what the blackholes below received. The emulator's coordinator
 * hands out a TURN server that swallows every UDP packet: a blackhole (werift retransmits its
 * allocation for about 6 s, then falls back to TCP, refused here). Before the bound, each
 * setLocalDescription waited for that allocation, so the join, the first publish and every REJOIN
 * piled those waits up; now a description goes out once gathering is under way (bounded) and the
 * host candidates carry the call; the abandoned allocation ends by itself and leaves no socket.
 */
import { expect } from 'chai';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Socket as TcpSocket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { joinCall } from '../../lib/call/index.js';
import { opusRtpPackets$ } from '../../lib/media/index.js';
import { ErrorCode, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import { emulatorPerTest, until } from './e2e-fixture.js';
import { silentLogger } from '../../lib/logger.js';
import { resourceCounts } from '../support/resources.js';

interface Blackhole {
  port: number;
  /** UDP datagrams received (TURN allocate requests), none answered. */
  datagrams(): number;
  close(): Promise<void>;
}

/** A UDP port that swallows every datagram; TCP to the same port is refused (werift's fallback). */
async function turnBlackhole(): Promise<Blackhole> {
  const udp: Socket = createSocket('udp4');
  let datagrams = 0;
  udp.on('message', () => datagrams++);
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  return {
    port: udp.address().port,
    datagrams: () => datagrams,
    close: () => new Promise<void>((resolve) => udp.close(() => resolve())),
  };
}

/** A TCP port that accepts (a TLS TURN server's transport) and never answers; counts connections. */
async function tcpBlackhole(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<TcpSocket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

describe('call: an unreachable TURN server does not stall the call', function () {
  this.timeout(60000);
  const emulators = emulatorPerTest();

  it('werift tries the TURN URL rxsfu puts first: UDP, not the TLS one listed before it; the call joins and media flows', async () => {
    const hole = await turnBlackhole();
    const tls = await tcpBlackhole();
    const { emu, keep, track } = await emulators.start({
      iceServers: [
        { urls: [`turns:127.0.0.1:${tls.port}`, `turns:127.0.0.1:${tls.port}?transport=udp`], username: 'u', password: 'p' },
        { urls: [`turn:127.0.0.1:${hole.port}?transport=udp`], username: 'u', password: 'p' },
      ],
    });
    keep(hole);
    keep(tls);
    const human = await emu.addParticipant({ callId: 'turn-order', userId: 'human', audio: true });
    const infos: { message: string; fields?: Record<string, unknown> }[] = [];
    const call = track(await joinCall({ ...emu.agentOptions('agent', 'turn-order'), logger: { ...silentLogger, info: (message, fields) => infos.push({ message, fields }) } }));
    expect(infos.filter((i) => /left out/.test(i.message)).map((i) => i.fields?.['url'])).to.deep.equal([`turns:127.0.0.1:${tls.port}?transport=udp`]);
    await call.publishAudioRtp(opusRtpPackets$());
    await firstValueFrom(call.remoteTracks$);
    await until(() => (human.received().find((r) => r.fromSessionId === call.sessionId)?.packets ?? 0) > 10, 15000, 'the human to hear the agent');
    await until(() => hole.datagrams() > 0, 15000, 'werift to try the UDP TURN server');
    // werift tries one TURN URL; had the credentials' order been kept it would have been the TLS one.
    expect(tls.connections(), 'connections to the TLS TURN server listed first').to.equal(0);
  });

  it('join, publish, hear and REJOIN with a blackholed TURN server in the credentials (host candidates carry the media)', async () => {
    const hole = await turnBlackhole();
    const { emu, keep, track } = await emulators.start({ iceServers: [{ urls: [`turn:127.0.0.1:${hole.port}`], username: 'u', password: 'p' }] });
    keep(hole);
    const human = await emu.addParticipant({ callId: 'turn', userId: 'human', audio: true });
    // A REJOIN must fit in one attempt: the stall alone used to exceed it.
    const call = track(await joinCall({ ...emu.agentOptions('agent', 'turn'), reconnect: { attemptTimeoutMs: 6000 } }));
    await call.publishAudioRtp(opusRtpPackets$());
    await firstValueFrom(call.remoteTracks$);
    await until(() => (human.received().find((r) => r.fromSessionId === call.sessionId)?.packets ?? 0) > 10, 15000, 'the human to hear the agent');
    expect(hole.datagrams(), 'werift did try the TURN server from the credentials').to.be.greaterThan(0);

    emu.faults.session(call.sessionId).sendError(ErrorCode.ERROR_CODE_PARTICIPANT_MEDIA_TRANSPORT_FAILURE, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN);
    const record = await firstValueFrom(call.reconnections$);
    expect(record).to.deep.include({ outcome: 'joined', strategiesTried: ['rejoin'] });
    const after = call.sessionId;
    await until(() => (human.received().find((r) => r.fromSessionId === after)?.packets ?? 0) > 10, 15000, 'the human to hear the agent after REJOIN');
    const sockets = () => resourceCounts(['TCPSocketWrap', 'UDPWrap']);
    const during = sockets();
    await call.leave('test over');
    await emu.close();
    // The abandoned TURN allocations end by themselves (werift's retransmissions run out) and leave
    // no socket behind: only the blackhole's own UDP socket stays (the blackhole is still up).
    await until(() => (sockets().UDPWrap ?? 0) <= 1 && (sockets().TCPSocketWrap ?? 0) === 0, 15000, `sockets released (during the call ${JSON.stringify(during)}, now ${JSON.stringify(sockets())})`);
  });
});
