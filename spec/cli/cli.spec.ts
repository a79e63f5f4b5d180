/**
 * The `rxsfu` command line, spawned as a user would (`bin/rxsfu.mjs`): help and usage errors (exit
 * 2, one line, no stack), `join --emulator` with a tone and a recording (a playable WAV, exit 0),
 * Ctrl-C leaving cleanly with a summary, and `rxsfu emulator` driven through its HTTP admin
 * endpoint by an agent in another process.
 */
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom } from 'rxjs';
import { joinCall, type Call } from '../../lib/call/index.js';
import { emulatorAgentOptions } from '../../lib/emulator/index.js';
import { estimateFrequencyHz, rmsLevel, vp8RtpPackets$ } from '../../lib/media/index.js';
import { TrackType } from '../../lib/protocol/index.js';
import { until } from '../emulator/support/until.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/rxsfu.mjs');

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exit: Promise<number>;
}

function rxsfu(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const clean = { ...process.env };
  for (const key of ['STREAM_API_KEY', 'STREAM_API_SECRET', 'STREAM_TOKEN']) delete clean[key];
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...clean, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
  return { child, stdout: () => out, stderr: () => err, exit };
}

const noStack = (text: string) => expect(text, text).to.not.match(/\n\s+at /);

describe('cli: rxsfu', function () {
  this.timeout(90000);
  const dirs: string[] = [];
  const running: Run[] = [];
  afterEach(async () => {
    for (const run of running.splice(0)) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('--help documents the real-call path and the emulator, exit 0', async () => {
    const run = rxsfu(['--help']);
    expect(await run.exit).to.equal(0);
    for (const text of ['rxsfu join TYPE:ID', 'STREAM_API_KEY', 'STREAM_API_SECRET', '--emulator', '--tone', '--record', 'rxsfu emulator', '--admin-port']) {
      expect(run.stdout()).to.contain(text);
    }
  });

  it('usage mistakes: exit 2 with one line on stderr, no stack trace', async () => {
    // Each spawn compiles the CLI with tsx: a few cases, in parallel.
    const cases = [['join', '--bogus', 'default:x'], ['join', 'default:x'], ['join', 'nocolon', '--emulator', '--tone', 'loud'], ['emulator', '--sfus', '0']];
    const runs = cases.map((args) => rxsfu(args));
    for (const [i, run] of runs.entries()) {
      expect(await run.exit, cases[i]!.join(' ')).to.equal(2);
      expect(run.stderr().trim().split('\n'), run.stderr()).to.have.length(1);
      expect(run.stderr()).to.match(/^rxsfu: /);
      noStack(run.stderr());
    }
    expect(runs[1]!.stderr(), 'a real call says where the key comes from').to.contain('STREAM_API_KEY');
  });

  it('join --emulator --tone 440 --record out.wav --duration 3: a timeline, a playable WAV of what was heard, a summary, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxsfu-cli-'));
    dirs.push(dir);
    const wav = join(dir, 'out.wav');
    const run = rxsfu(['join', '--emulator', 'default:demo', '--tone', '440', '--record', wav, '--duration', '3']);
    running.push(run);
    expect(await run.exit, run.stderr()).to.equal(0);
    const out = run.stdout();
    for (const text of ['state joined', '+ alice joined', 'track alice audio', 'publishing a 440 Hz tone', 'leaving (duration over)', 'state left', 'summary:', 'heard alice:', 'recorded']) {
      expect(out, out).to.contain(text);
    }
    // alice's speech-like tone (12000 peak) read off her decoded frames: loud, not silent
    expect(out, out).to.match(/levels: alice -(1[0-9]|[0-9]) dBFS/);
    const file = readFileSync(wav);
    expect(file.toString('ascii', 0, 4)).to.equal('RIFF');
    expect(file.toString('ascii', 8, 16)).to.equal('WAVEfmt ');
    expect([file.readUInt16LE(20), file.readUInt16LE(22), file.readUInt32LE(24), file.readUInt16LE(34)], 'PCM, mono, 48 kHz, 16 bit').to.deep.equal([1, 1, 48000, 16]);
    expect(file.readUInt32LE(40)).to.equal(file.length - 44);
    const pcm = new Int16Array(file.buffer.slice(file.byteOffset + 44, file.byteOffset + file.length));
    expect(pcm.length / 48000, 'seconds recorded').to.be.greaterThan(2);
    // alice's speech-like tone pauses 0.5 s in every 2 s: where the pause falls in the recording
    // depends on when the CLI joined, so look at every 100 ms window, not at a fixed one.
    const windows = Array.from({ length: Math.floor(pcm.length / 4800) }, (_, i) => pcm.subarray(i * 4800, (i + 1) * 4800));
    const loud = windows.filter((w) => rmsLevel(w) > 500);
    expect(loud.length, 'the recording is not silence: at least 1 s of it is loud').to.be.at.least(10);
    const loudest = loud.reduce((a, b) => (rmsLevel(b) > rmsLevel(a) ? b : a));
    expect(estimateFrequencyHz(loudest, 48000), 'alice\'s tone').to.be.within(200, 2000);
  });

  it('Ctrl-C leaves cleanly (state left, summary) and exits 0', async () => {
    const run = rxsfu(['join', '--emulator', 'default:demo']);
    running.push(run);
    await until(() => run.stdout().includes('track alice audio'), 60000, 'the CLI to join and receive');
    run.child.kill('SIGINT');
    expect(await run.exit, run.stderr()).to.equal(0);
    expect(run.stdout()).to.contain('leaving (interrupted)').and.contain('state left').and.contain('summary:');
  });

  it('rxsfu emulator --participants 2 --admin-port 0: an agent in another process joins; faults and records over HTTP', async () => {
    const run = rxsfu(['emulator', '--participants', '2', '--admin-port', '0']);
    running.push(run);
    await until(() => /admin\s+: (http:\/\/\S+)/.test(run.stdout()), 60000, 'the emulator to print its admin URL');
    const admin = /admin\s+: (http:\/\/\S+)/.exec(run.stdout())![1]!;
    const get = async (path: string) => (await fetch(`${admin}${path}`)).json() as Promise<Record<string, unknown>>;
    const post = (path: string, body: unknown) => fetch(`${admin}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const address = await get('/') as { coordinatorUrl: string; apiKey: string; apiSecret: string };
    expect(await get('/sessions?call=default:demo')).to.have.length(2);
    let call: Call | undefined;
    try {
      call = await joinCall(emulatorAgentOptions(address, 'agent', 'demo'));
      const reconnected = firstValueFrom(call.reconnections$);
      expect((await post(`/faults/session/${call.sessionId}/destroyTcp`, {})).status).to.equal(200);
      expect((await reconnected).strategiesTried).to.deep.equal(['fast']);
      const records = await get('/records') as { joins: { sessionId: string; outcome: string }[] };
      expect(records.joins.filter((j) => j.sessionId === call!.sessionId).map((j) => j.outcome)).to.deep.equal(['joined', 'resumed']);
      // an outage over HTTP: the agent's whole network cut, its loss noticed, then restored
      const lost = firstValueFrom(call.connectionLost$);
      const back = firstValueFrom(call.reconnections$);
      expect((await post('/faults/network/agent/cut', {})).status).to.equal(200);
      await lost;
      expect((await post('/faults/network/agent/restore', {})).status).to.equal(200);
      expect((await back).outcome).to.equal('joined');
      // publish control over HTTP: video layers off on a session that publishes none is a 400; with video, the agent gets it
      const noVideo = await post(`/faults/session/${call.sessionId}/setVideoLayersActive`, { args: [false] });
      expect([noVideo.status, ((await noVideo.json()) as { error: string }).error]).to.deep.equal([400, 'setVideoLayersActive: the session announced no TRACK_TYPE_VIDEO video track']);
      await call.publishVideoRtp(vp8RtpPackets$());
      const videoPackets = async () => ((await get(`/sessions/${call!.sessionId}/published`)) as unknown as { trackType: number; packets: number }[])
        .find((c) => c.trackType === TrackType.TRACK_TYPE_VIDEO)?.packets ?? 0;
      for (let tries = 0; (await videoPackets()) === 0; tries++) {
        if (tries === 400) throw new Error('the SFU never counted the video over HTTP');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const quality = firstValueFrom(call.events$.pipe(filter((e) => e.eventPayload === 'changePublishQuality')));
      expect((await post(`/faults/session/${call.sessionId}/setVideoLayersActive`, { args: [false] })).status).to.equal(200);
      expect((await quality).changePublishQuality?.videoSenders?.[0]?.layers?.[0]?.active).to.equal(false);
      const unknown = await post(`/faults/session/${call.sessionId}/selfDestruct`, {});
      expect(unknown.status).to.equal(404);
      expect(((await unknown.json()) as { error: string }).error).to.contain('destroyTcp');
    } finally {
      await call?.leave('test over');
    }
    run.child.kill('SIGINT');
    expect(await run.exit, run.stderr()).to.equal(0);
  });
});
