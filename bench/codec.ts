/**
 * Codec throughput: our static protobufjs codec vs the official client's protobuf-ts codec vs
 * protobufjs reflection (protos/ loaded at run time), on the same realistic mix of signaling frames.
 *
 *   npm run bench:codec            (about 30 s)
 *   npm run bench:codec -- --quick (a smoke run)
 *
 * Each round encodes (or decodes) the whole mix once per codec, codecs interleaved so drift hits
 * them alike; rounds are repeated for a fixed time, after warm-up, and the median round is reported.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { events } from '../lib/protocol/index.js';
import { loadProtos } from '../spec/protocol/lib/reflection.js';
import { officialEvents } from '../spec/protocol/lib/official.js';
import { sampleJoinRequest, sampleJoinResponse, sampleParticipant } from '../spec/protocol/lib/samples.js';

type Direction = 'request' | 'event';
interface Frame { kind: string; direction: Direction; message: object }

/** What one frame stream looks like over a call's first minutes, per 1 join. */
function mix(): Frame[] {
  const frames: Frame[] = [
    { kind: 'JoinRequest (2×4 KB SDP, ReconnectDetails)', direction: 'request', message: { joinRequest: sampleJoinRequest(4096) } },
    { kind: 'JoinResponse (50 participants)', direction: 'event', message: { joinResponse: sampleJoinResponse(50) } },
  ];
  for (let i = 0; i < 20; i += 1) {
    frames.push({ kind: 'HealthCheckRequest', direction: 'request', message: { healthCheckRequest: {} } });
    frames.push({ kind: 'HealthCheckResponse', direction: 'event', message: { healthCheckResponse: { participantCount: { total: 51, anonymous: 0 } } } });
    frames.push({ kind: 'ICETrickle', direction: 'event', message: { iceTrickle: { peerType: i % 2, sessionId: 's',
      iceCandidate: `{"candidate":"candidate:${i} 1 udp 2122260223 10.0.0.${i} ${50000 + i} typ host generation 0","sdpMid":"0","sdpMLineIndex":0}` } } });
  }
  for (let i = 0; i < 100; i += 1) {
    const levels = Array.from({ length: 3 }, (_, j) => ({ userId: `user-${j}`, sessionId: `session-${j}-7f3a`, level: 0.25 * ((i + j) % 4), isSpeaking: (i + j) % 3 === 0 }));
    frames.push({ kind: 'AudioLevelChanged (3 levels)', direction: 'event', message: { audioLevelChanged: { audioLevels: levels } } });
  }
  frames.push({ kind: 'ParticipantJoined', direction: 'event', message: { participantJoined: { callCid: 'default:abc', participant: sampleParticipant(51) } } });
  return frames;
}

interface Codec {
  name: string;
  /** Prepared inputs: messages in the codec's own representation, and its encoded frames. */
  prepare(frames: Frame[]): { messages: unknown[]; bytes: Uint8Array[] };
  encode(direction: Direction, message: unknown): Uint8Array;
  decode(direction: Direction, bytes: Uint8Array): unknown;
}

function ourStatic(): Codec {
  const type = (d: Direction) => (d === 'request' ? events.SfuRequest : events.SfuEvent);
  return {
    name: 'rxsfu static (protobufjs static code)',
    prepare: (frames) => ({ messages: frames.map((f) => f.message), bytes: frames.map((f) => type(f.direction).encode(f.message).finish()) }),
    encode: (d, m) => type(d).encode(m as never).finish(),
    decode: (d, b) => type(d).decode(b),
  };
}

function official(): Codec {
  const type = (d: Direction) => officialEvents[d === 'request' ? 'SfuRequest' : 'SfuEvent']!;
  return {
    name: 'official client (protobuf-ts)',
    prepare: (frames) => {
      const messages = frames.map((f) => type(f.direction).fromBinary(events[f.direction === 'request' ? 'SfuRequest' : 'SfuEvent'].encode(f.message).finish()));
      return { messages, bytes: frames.map((f, i) => type(f.direction).toBinary(messages[i])) };
    },
    encode: (d, m) => type(d).toBinary(m),
    decode: (d, b) => type(d).fromBinary(b),
  };
}

function reflection(): Codec {
  const root = loadProtos({ keepCase: false });
  const request = root.lookupType('stream.video.sfu.event.SfuRequest');
  const event = root.lookupType('stream.video.sfu.event.SfuEvent');
  const type = (d: Direction) => (d === 'request' ? request : event);
  return {
    name: 'protobufjs reflection (loadSync protos/)',
    prepare: (frames) => ({ messages: frames.map((f) => f.message), bytes: frames.map((f) => type(f.direction).encode(f.message).finish()) }),
    encode: (d, m) => type(d).encode(m as never).finish(),
    decode: (d, b) => type(d).decode(b),
  };
}

interface Prepared { codec: Codec; frames: Frame[]; messages: unknown[]; bytes: Uint8Array[] }
type Op = 'encode' | 'decode';

/** Runs `op` over the whole mix once; returns elapsed ms. `sink` keeps the work observable. */
let sink = 0;
function round(p: Prepared, op: Op): number {
  const start = performance.now();
  for (let i = 0; i < p.frames.length; i += 1) {
    const d = p.frames[i]!.direction;
    if (op === 'encode') sink += p.codec.encode(d, p.messages[i]).length;
    else sink += p.codec.decode(d, p.bytes[i]!) ? 1 : 0;
  }
  return performance.now() - start;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Interleaved rounds for `seconds`, after `warmup` rounds; median ms per mix, per codec. */
function measure(prepared: Prepared[], op: Op, seconds: number, warmup: number): number[] {
  for (let w = 0; w < warmup; w += 1) for (const p of prepared) round(p, op);
  const times = prepared.map((): number[] => []);
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || times[0]!.length < 5) prepared.forEach((p, i) => times[i]!.push(round(p, op)));
  return times.map(median);
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const seconds = quick ? 0.5 : 4;
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(`median of interleaved rounds over ${seconds}s per direction and codec set, after warm-up\n`);
  const frames = mix();
  report('Signaling mix', frames, seconds, quick);
  report('JoinResponse with 50 participants alone', frames.filter((f) => f.kind.startsWith('JoinResponse')), seconds, quick);
  if (sink === 0) console.log('');
}

function report(title: string, frames: Frame[], seconds: number, quick: boolean): void {
  const prepared: Prepared[] = [ourStatic(), official(), reflection()].map((codec) => ({ codec, frames, ...codec.prepare(frames) }));
  const sizes = prepared.map((p) => p.bytes.reduce((n, b) => n + b.length, 0));
  // Same bytes from every codec, or the comparison would not be apples to apples.
  if (new Set(sizes).size !== 1) throw new Error(`encoded sizes differ between codecs: ${sizes.join(', ')}`);
  const encodeMs = measure(prepared, 'encode', seconds, quick ? 20 : 200);
  const decodeMs = measure(prepared, 'decode', seconds, quick ? 20 : 200);

  console.log(`${title}: ${frames.length} frames, ${(sizes[0]! / 1024).toFixed(1)} KiB (${summary(frames)})\n`);
  const fps = (ms: number): number => frames.length / (ms / 1000);
  const officialRt = encodeMs[1]! + decodeMs[1]!;
  const rows = prepared.map((p, i) => {
    const rt = encodeMs[i]! + decodeMs[i]!;
    return [p.codec.name, fmt(fps(encodeMs[i]!)), fmt(fps(decodeMs[i]!)), fmt(fps(rt)), `${(sizes[0]! / 2 ** 20 / (rt / 1000)).toFixed(0)}`, `${(officialRt / rt).toFixed(2)}×`];
  });
  table(['codec', 'encode frames/s', 'decode frames/s', 'encode+decode frames/s', 'MiB/s (enc+dec)', 'vs official'], rows);
  console.log('');
}

function summary(frames: Frame[]): string {
  const counts = new Map<string, number>();
  for (const f of frames) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

main();
