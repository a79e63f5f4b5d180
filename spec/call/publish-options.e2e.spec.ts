/**
 * Publish options end to end through the emulator (issue 11 item 6): the SFU switches the agent's
 * video layers off and on (`change_publish_quality`) and asks for another codec
 * (`change_publish_options`); what the emulator's SFU receives from the agent's publisher shows
 * what the agent did. The agent publishes real VP8 and Opus RTP over werift.
 */
import { expect } from 'chai';
import { filter, firstValueFrom } from 'rxjs';
import { opusRtpPackets$, vp8RtpPackets$ } from '../../lib/media/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { EMULATOR_PUBLISH_OPTIONS } from '../../lib/emulator/publish-control.js';
import { silentLogger, type Logger } from '../../lib/logger.js';
import type { Call } from '../../lib/call/index.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { until, useEmulator } from './e2e-fixture.js';

const AUDIO = TrackType.TRACK_TYPE_AUDIO;
const VIDEO = TrackType.TRACK_TYPE_VIDEO;

/** Packets of `trackType` the emulator's SFU received from the agent so far. */
const sent = (emu: Emulator, call: Call, trackType: TrackType) =>
  emu.publishedPackets(call.sessionId).find((c) => c.trackType === trackType)?.packets ?? 0;

/** Waits until the agent's audio (sent all along) advanced `packets` more: what was in flight has landed. */
async function audioAdvances(emu: Emulator, call: Call, packets: number, what: string): Promise<void> {
  const from = sent(emu, call, AUDIO);
  await until(() => sent(emu, call, AUDIO) >= from + packets, 20000, what);
}

describe('call e2e: publish options from the SFU (change_publish_quality, change_publish_options)', function () {
  this.timeout(60000);
  const ctx = useEmulator();

  async function publishing(callId: string, logger: Logger = silentLogger): Promise<{ emu: Emulator; agent: Call }> {
    const { emu, join } = ctx();
    const agent = await join('agent', callId, { logger });
    await agent.publishAudioRtp(opusRtpPackets$());
    await agent.publishVideoRtp(vp8RtpPackets$());
    await until(() => sent(emu, agent, VIDEO) >= 20 && sent(emu, agent, AUDIO) >= 20, 20000, 'the SFU receiving both tracks');
    return { emu, agent };
  }

  it('layers switched off: the SFU stops receiving the video; switched on: it resumes; audio flows throughout', async () => {
    const { emu, agent } = await publishing('layers');
    const quality = firstValueFrom(agent.events$.pipe(filter((e) => e.eventPayload === 'changePublishQuality')));
    emu.faults.session(agent.sessionId).setVideoLayersActive(false);
    const event = await quality;
    expect(event.changePublishQuality?.videoSenders?.[0]?.layers?.map((l) => [l.name, l.active])).to.deep.equal([['q', false]]);
    await audioAdvances(emu, agent, 25, 'in-flight video to land');
    const atOff = sent(emu, agent, VIDEO);
    await audioAdvances(emu, agent, 50, 'a second of audio with the video off');
    expect(sent(emu, agent, VIDEO), 'video packets received while every layer is off').to.equal(atOff);

    emu.faults.session(agent.sessionId).setVideoLayersActive(true);
    await until(() => sent(emu, agent, VIDEO) >= atOff + 20, 20000, 'the video to resume');
  });

  it('a codec the agent cannot produce is refused with a logged reason and the track keeps its codec and flows; an accepted change is announced', async () => {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const { emu, agent } = await publishing('codec', { ...silentLogger, warn: (message, fields) => warnings.push({ message, fields }) });
    const setPublishers = () => emu.records.rpcs.filter((r) => r.method === 'SetPublisher' && r.sessionId === agent.sessionId && r.status === 200).length;
    const before = setPublishers();
    const [opus, vp8] = EMULATOR_PUBLISH_OPTIONS;
    emu.faults.session(agent.sessionId).changePublishOptions([opus!, { ...vp8!, id: 7, codec: { name: 'H264', payloadType: 102, clockRate: 90000 } }]);
    await until(() => warnings.some((w) => w.message === 'change_publish_options refused'), 20000, 'the refusal to be logged');
    expect(warnings.find((w) => w.message === 'change_publish_options refused')?.fields?.['reason']).to.match(/TRACK_TYPE_VIDEO codec H264: this publisher sends vp8 only/);
    const atRefusal = sent(emu, agent, VIDEO);
    await until(() => sent(emu, agent, VIDEO) >= atRefusal + 30, 20000, 'the VP8 track to keep flowing');
    expect(setPublishers(), 'no renegotiation for a refused codec').to.equal(before);

    // A change it can follow (VP8, another option id) is announced with a new SetPublisher.
    emu.faults.session(agent.sessionId).changePublishOptions([opus!, { ...vp8!, id: 9, bitrate: 300_000 }]);
    await until(() => setPublishers() === before + 1, 20000, 'the accepted options to be announced');
    const atAccept = sent(emu, agent, VIDEO);
    await until(() => sent(emu, agent, VIDEO) >= atAccept + 30, 20000, 'video after the accepted change');
  });
});
