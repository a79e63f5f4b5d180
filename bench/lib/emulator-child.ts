/**
 * Child-process entry: runs the emulator (SFUs, coordinator, simulated participants) in its own
 * process, so the benchmark process holds only agents. That keeps the SFU's side of every peer
 * connection out of the agent memory figures and lets the SFU use the second core, as a real SFU
 * would sit on another machine. Driven over the IPC channel by `bench/lib/remote-emulator.ts`.
 */
import { startEmulator, type Emulator, type SimulatedParticipant } from '../../lib/emulator/index.js';
import { ErrorCode, WebsocketReconnectStrategy } from '../../lib/protocol/index.js';
import { answerMediaOffer, type MediaPair } from './werift-media-pair.js';
import type { EmulatorCommand, EmulatorReply, SessionFault } from './remote-emulator.js';

function applyFault(emulator: Emulator, sessionId: string, fault: SessionFault): void {
  const faults = emulator.faults.session(sessionId);
  if (fault === 'destroyTcp') faults.destroyTcp();
  else if (fault === 'goSilent') faults.goSilent();
  else if (fault === 'rejoin') faults.sendError(ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, WebsocketReconnectStrategy.WEBSOCKET_RECONNECT_STRATEGY_REJOIN, 'bench: rejoin');
  else if (fault === 'resume') faults.resume();
  else faults.goAway();
}

/** Simulated participants by `callId/userId`, for `receivedPackets`. */
const participants = new Map<string, SimulatedParticipant>();

/** The far ends of the media floor's raw peers. */
const mediaPeers: MediaPair[] = [];

async function run(emulator: Emulator, command: EmulatorCommand): Promise<unknown> {
  switch (command.method) {
    case 'addParticipant': {
      const p = await emulator.addParticipant({ callId: command.callId, userId: command.userId, audio: true });
      participants.set(`${command.callId}/${command.userId}`, p);
      return { sessionId: p.sessionId, sfuId: p.sfuId };
    }
    case 'receivedPackets': {
      const p = participants.get(`${command.callId}/${command.userId}`);
      const from = command.fromSessionId;
      return (p?.received() ?? []).filter((r) => from === undefined || r.fromSessionId === from).reduce((sum, r) => sum + r.packets, 0);
    }
    case 'fault':
      for (const sessionId of command.sessionIds) applyFault(emulator, sessionId, command.fault);
      return null;
    case 'network': {
      const network = emulator.faults.network(command.userId);
      if (command.cut) network.cut();
      else network.restore();
      return null;
    }
    case 'delay':
      emulator.faults.session(command.sessionId).delayFrames(command.ms);
      return null;
    case 'mediaPeer': {
      const { answer, peer } = await answerMediaOffer(command.offer);
      mediaPeers.push(peer);
      return answer;
    }
    case 'closeMediaPeers':
      await Promise.all(mediaPeers.splice(0).map((p) => p.close()));
      return null;
    case 'close':
      await emulator.close();
      return null;
  }
}

async function main(): Promise<void> {
  const sfuCount = Number(process.argv[2] ?? '2');
  const emulator = await startEmulator({ host: '127.0.0.1', sfuCount });
  const reply = (message: EmulatorReply) => process.send!(message);
  process.on('message', (command: EmulatorCommand) => {
    run(emulator, command).then(
      (result) => {
        reply({ id: command.id, result });
        if (command.method === 'close') process.disconnect();
      },
      (err: Error) => reply({ id: command.id, error: err.message }),
    );
  });
  reply({ id: 0, result: { coordinatorUrl: emulator.coordinatorUrl, apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, sfus: emulator.sfus.map((s) => s.id) } });
}

main().catch((err: Error) => {
  console.error('emulator child failed:', err.message);
  process.exit(1);
});
