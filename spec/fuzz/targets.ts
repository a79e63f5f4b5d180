/**
 * The in-process fuzz targets: every decoder (binary and JSON, signaling, Twirp, coordinator, ICE
 * candidates), and the call's pure event handling fed with what the decoder let through
 * (participants, subscriptions, R1 trigger mapping). Each target makes one input from the seeded
 * RNG and runs it: returning is fine, an `RxsfuError` is a typed refusal, anything else thrown is
 * a crash.
 */
import { decodeTwirpResponse } from '../../lib/rpc/twirp-codec.js';
import { SignalServerMethods } from '../../lib/rpc/twirp-methods.js';
import { parseJoinResponse } from '../../lib/coordinator/index.js';
import { decodeSfuEvent, decodeSfuRequest, models, parseProto3Json, signal, type SfuEvent } from '../../lib/protocol/index.js';
import { parseCandidate } from '../../lib/rtc/index.js';
import { reduceParticipantEvents, withLocalTracks, type ParticipantMap } from '../../lib/call/participants.js';
import { desiredSubscriptions } from '../../lib/call/subscriptions.js';
import { fromCallEnded, fromGoAway, fromIceRestartEvent, fromSfuError } from '../../lib/reconnect/index.js';
import { mutateBytes, mutateText, randomBytes } from './mutate.js';
import type { Rng } from './rng.js';
import { SAMPLE_CANDIDATE, SESSIONS } from './corpus.js';

export interface Corpus {
  readonly events: Uint8Array[];
  readonly requests: Uint8Array[];
  readonly twirpProtobuf: Uint8Array[];
  readonly twirpJson: string[];
  readonly coordinatorJson: string;
}

/** One input made and run; `label` says what it was (for the slowest-input line). */
export type Target = (rng: Rng, corpus: Corpus) => string;

function bytesFrom(rng: Rng, seeds: Uint8Array[]): Uint8Array {
  return rng.chance(0.2) ? randomBytes(rng, 256) : mutateBytes(rng, rng.pick(seeds), rng.pick(seeds));
}

/** The call's view of the participants, carried across inputs like a real call's (reset now and then). */
let participants: ParticipantMap = new Map();
let eventsSinceReset = 0;

/** What the call does with a decoded event, minus I/O: participants, subscriptions, R1 triggers. */
export function handleEvent(event: SfuEvent): void {
  if (++eventsSinceReset > 500) {
    participants = new Map();
    eventsSinceReset = 0;
  }
  participants = withLocalTracks(reduceParticipantEvents(participants, [event], SESSIONS[0]!), SESSIONS[0]!, [1]);
  desiredSubscriptions(participants, { audio: true, video: true, screenShare: true });
  if (event.error) fromSfuError(event.error);
  if (event.goAway) fromGoAway(event.goAway);
  if (event.callEnded) fromCallEnded(event.callEnded);
  if (event.iceRestart) fromIceRestartEvent(event.iceRestart);
}

const sfuEvent: Target = (rng, corpus) => {
  const bytes = bytesFrom(rng, corpus.events);
  handleEvent(decodeSfuEvent(bytes));
  return `SfuEvent frame (${bytes.length} bytes) + call event handling`;
};

const sfuRequest: Target = (rng, corpus) => {
  const bytes = bytesFrom(rng, corpus.requests);
  decodeSfuRequest(bytes);
  return `SfuRequest frame (${bytes.length} bytes)`;
};

const CONTENT_TYPES = ['application/protobuf', 'application/json', 'application/json; charset=utf-8', 'text/html', ''];
const METHODS = Object.values(SignalServerMethods);

const twirpResponse: Target = (rng, corpus) => {
  const json = rng.chance(0.5);
  const body = json ? Buffer.from(mutateText(rng, rng.pick(corpus.twirpJson))) : Buffer.from(bytesFrom(rng, corpus.twirpProtobuf));
  const status = rng.pick([200, 200, 200, 204, 400, 401, 403, 500, 503, 99, 999]);
  const contentType = rng.chance(0.9) ? (json ? 'application/json' : 'application/protobuf') : rng.pick(CONTENT_TYPES);
  decodeTwirpResponse(rng.pick(METHODS), { status, headers: { 'content-type': contentType }, body });
  return `Twirp response ${status} ${contentType} (${body.length} bytes)`;
};

const JSON_TYPES = [
  [signal.SetPublisherResponse, 'SetPublisherResponse'], [models.ICETrickle, 'ICETrickle'], [models.Participant, 'Participant'],
] as const;

const protoJson: Target = (rng, corpus) => {
  const [type, name] = rng.pick(JSON_TYPES);
  const text = rng.chance(0.1) ? Buffer.from(randomBytes(rng, 64)).toString('latin1') : mutateText(rng, rng.pick(corpus.twirpJson));
  parseProto3Json(type as never, name, text);
  return `proto3 JSON ${name} (${text.length} chars)`;
};

const coordinatorJoin: Target = (rng, corpus) => {
  const text = mutateText(rng, corpus.coordinatorJson);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'coordinator join (not JSON: the HTTP layer refuses it before parsing)';
  }
  parseJoinResponse(json);
  return `coordinator join JSON (${text.length} chars)`;
};

const candidate: Target = (rng) => {
  const text = mutateText(rng, SAMPLE_CANDIDATE);
  parseCandidate(text);
  return `ICE candidate JSON (${text.length} chars)`;
};

/** Targets with their share of the inputs. */
export const TARGETS: readonly { name: string; weight: number; run: Target }[] = [
  { name: 'SfuEvent decode + call event handling', weight: 40, run: sfuEvent },
  { name: 'SfuRequest decode', weight: 10, run: sfuRequest },
  { name: 'Twirp response decode', weight: 20, run: twirpResponse },
  { name: 'proto3 JSON decode', weight: 15, run: protoJson },
  { name: 'coordinator join parse', weight: 10, run: coordinatorJoin },
  { name: 'ICE candidate parse', weight: 5, run: candidate },
];
