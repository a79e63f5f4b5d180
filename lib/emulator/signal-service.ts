/**
 * The SFU's Twirp `SignalServer`: one entry per method, each decoding its request, checking that the
 * session belongs to the token's user on this SFU, and handing the work to the media plane.
 *
 * Errors, by design:
 * - no or bad `Authorization: Bearer <sfu token>` → 401 `unauthenticated`;
 * - unknown method, non-POST or a Content-Type other than protobuf/JSON → 404 `bad_route`;
 * - a body that does not decode → 400 `malformed`;
 * - a `session_id` that is not live on this SFU for the token's user → 404 `not_found`
 *   (Twirp error, not a `models.Error`, so clients see it as a failed call);
 * - the media plane failing (bad SDP, …) → 200 with `error: models.Error{code INTERNAL_SERVER_ERROR}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, PeerType, models, signal, toProto3Json, type SfuModelError } from '../protocol/index.js';
import { verifySfuToken } from './jwt.js';
import type { SignalHost } from './sfu-host.js';
import type { SfuSession } from './sfu-session.js';
import { decodeBody, readBody, requestEncoding, TwirpFailure, writeMessage, writeTwirpError, type TwirpMessageType } from './twirp.js';
import { errorMessage } from '../errors.js';

export const SIGNAL_SERVICE_PREFIX = '/twirp/stream.video.sfu.signal.SignalServer/';

interface RpcMethod {
  request: TwirpMessageType<unknown, never>;
  response: TwirpMessageType<unknown, never>;
  /** Runs the call; returns the response init. */
  run(sfu: SignalHost, session: SfuSession, request: never): Promise<object>;
}

function rpc<Req, ResInit>(
  request: { decode(bytes: Uint8Array): Req } & TwirpMessageType<unknown, never>,
  response: { encode(message: ResInit): { finish(): Uint8Array } },
  run: (sfu: SignalHost, session: SfuSession, request: Req) => Promise<ResInit>,
): RpcMethod {
  return { request, response, run } as unknown as RpcMethod;
}

const methods: Record<string, RpcMethod> = {
  SetPublisher: rpc(signal.SetPublisherRequest, signal.SetPublisherResponse, async (sfu, session, req) => {
    const blocked = session.publisherIceBlocked;
    const sdp = await sfu.media.handlePublisherOffer(session.sessionId, blocked ? withoutCandidates(req.sdp) : req.sdp, req.tracks);
    sfu.announceTracks(session, req.tracks);
    sfu.completeMigration(session);
    return { sdp: blocked ? withoutCandidates(sdp) : sdp, sessionId: session.sessionId };
  }),
  SendAnswer: rpc(signal.SendAnswerRequest, signal.SendAnswerResponse, async (sfu, session, req) => {
    if (req.peerType !== PeerType.PEER_TYPE_SUBSCRIBER) throw new TwirpFailure('invalid_argument', 'SendAnswer is for the subscriber peer connection');
    await sfu.media.handleSubscriberAnswer(session.sessionId, req.sdp, req.negotiationId);
    return {};
  }),
  IceTrickle: rpc(models.ICETrickle, signal.ICETrickleResponse, async (sfu, session, req) => {
    if (session.publisherIceBlocked && req.peerType !== PeerType.PEER_TYPE_SUBSCRIBER) return {};
    await sfu.media.addIceCandidate(session.sessionId, req.peerType, req.iceCandidate);
    return {};
  }),
  UpdateSubscriptions: rpc(signal.UpdateSubscriptionsRequest, signal.UpdateSubscriptionsResponse, async (sfu, session, req) => {
    sfu.records.subscriptions.push({ at: sfu.scheduler.now(), sfuId: sfu.id, sessionId: session.sessionId, tracks: req.tracks });
    sfu.media.setSubscriptions(session.sessionId, req.tracks);
    return {};
  }),
  UpdateMuteStates: rpc(signal.UpdateMuteStatesRequest, signal.UpdateMuteStatesResponse, async (sfu, session, req) => {
    sfu.applyMuteStates(session, req.muteStates);
    return {};
  }),
  IceRestart: rpc(signal.ICERestartRequest, signal.ICERestartResponse, async (sfu, session, req) => {
    await sfu.media.restartIce(session.sessionId, req.peerType);
    return {};
  }),
  SendStats: rpc(signal.SendStatsRequest, signal.SendStatsResponse, async (sfu, session, req) => {
    sfu.records.stats.push({ at: sfu.scheduler.now(), sfuId: sfu.id, sessionId: session.sessionId, method: 'SendStats', body: toProto3Json(signal.SendStatsRequest, req) });
    return {};
  }),
  SendMetrics: rpc(signal.SendMetricsRequest, signal.SendMetricsResponse, async (sfu, session, req) => {
    sfu.records.stats.push({ at: sfu.scheduler.now(), sfuId: sfu.id, sessionId: session.sessionId, method: 'SendMetrics', body: toProto3Json(signal.SendMetricsRequest, req) });
    return {};
  }),
  StartNoiseCancellation: rpc(signal.StartNoiseCancellationRequest, signal.StartNoiseCancellationResponse, async () => ({})),
  StopNoiseCancellation: rpc(signal.StopNoiseCancellationRequest, signal.StopNoiseCancellationResponse, async () => ({})),
};

/** Handles one HTTP request under `/twirp`; records it in `records.rpcs`. */
export async function handleSignalRpc(sfu: SignalHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const methodName = (req.url ?? '').split('?')[0]!.slice(SIGNAL_SERVICE_PREFIX.length);
  const encoding = requestEncoding(req) ?? 'json';
  let sessionId: string | undefined;
  try {
    const method = route(req, methodName);
    const body = await readBody(req);
    const claims = await authenticate(sfu, req);
    const request = decodeBody(method.request, methodName, body, encoding) as { sessionId?: string };
    sessionId = request.sessionId;
    const session = sfu.ownedSession(sessionId ?? '', claims.userId);
    const response = await runMethod(sfu, method, session, request);
    writeMessage(res, method.response, response as never, encoding);
    sfu.records.rpcs.push({ at: sfu.scheduler.now(), sfuId: sfu.id, method: methodName, sessionId, encoding, status: 200 });
  } catch (err) {
    const failure = err instanceof TwirpFailure ? err : new TwirpFailure('internal', 'internal error');
    writeTwirpError(res, failure.twirpCode, failure.message);
    sfu.records.rpcs.push({ at: sfu.scheduler.now(), sfuId: sfu.id, method: methodName, sessionId, encoding, status: res.statusCode, twirpCode: failure.twirpCode });
  }
}

function route(req: IncomingMessage, methodName: string): RpcMethod {
  const method = Object.hasOwn(methods, methodName) ? methods[methodName] : undefined;
  if (req.method !== 'POST' || !method || !(req.url ?? '').startsWith(SIGNAL_SERVICE_PREFIX)) {
    throw new TwirpFailure('bad_route', `no handler for ${req.method} ${req.url?.split('?')[0]}`);
  }
  if (!requestEncoding(req)) throw new TwirpFailure('bad_route', `unexpected Content-Type ${req.headers['content-type'] ?? '(none)'}`);
  return method;
}

async function authenticate(sfu: SignalHost, req: IncomingMessage) {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  if (!token) throw new TwirpFailure('unauthenticated', 'missing Authorization: Bearer <sfu token>');
  try {
    return await verifySfuToken(sfu.secret, token, sfu.id);
  } catch (err) {
    throw new TwirpFailure('unauthenticated', errorMessage(err));
  }
}

/** Media-plane failures become a `models.Error` in the response, as the real SFU reports them. */
async function runMethod(sfu: SignalHost, method: RpcMethod, session: SfuSession, request: unknown): Promise<object> {
  try {
    return await method.run(sfu, session, request as never);
  } catch (err) {
    if (err instanceof TwirpFailure) throw err;
    sfu.logger.warn('signal rpc failed', { sessionId: session.sessionId, error: errorMessage(err) });
    const error: SfuModelError = { code: ErrorCode.ERROR_CODE_INTERNAL_SERVER_ERROR, message: errorMessage(err), shouldRetry: false };
    return { error };
  }
}

/** Fault `blockPublisherIce()`: an SDP with every candidate line removed. */
function withoutCandidates(sdp: string): string {
  return sdp.split(/\r?\n/).filter((line) => !line.startsWith('a=candidate') && !line.startsWith('a=end-of-candidates')).join('\r\n');
}
