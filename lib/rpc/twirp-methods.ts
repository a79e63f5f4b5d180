/**
 * The `stream.video.sfu.signal.SignalServer` methods the agent calls, each naming its generated
 * request and response classes (WIRE.md "Twirp service"). One table, so encoding, decoding and the
 * client's method list cannot drift apart.
 */
import type { JsonCodec, MessageCodec, stream } from '../protocol/index.js';
import { models, signal } from '../protocol/index.js';

/** What the client needs of a generated message class: binary and proto3 JSON both ways. */
export interface TwirpMessageType<T, Init> extends MessageCodec<T, Init>, JsonCodec<T> {
  /** protobufjs's field check: an error string, or null when the message is well-formed. */
  verify(message: { [k: string]: unknown }): string | null;
}

/** A message that may carry `models.Error` on success (every SignalServer response does). */
export interface WithSfuError {
  error?: { code?: number | null; message?: string | null; shouldRetry?: boolean | null } | null;
}

export interface TwirpMethod<Req, Res extends WithSfuError> {
  /** Twirp method name, the last path segment. */
  readonly name: string;
  readonly request: TwirpMessageType<unknown, Req>;
  readonly response: TwirpMessageType<Res, never>;
}

export const TWIRP_SERVICE = 'stream.video.sfu.signal.SignalServer';

function method<Req, Res extends WithSfuError>(
  name: string,
  request: TwirpMessageType<unknown, Req>,
  response: TwirpMessageType<Res, never>,
): TwirpMethod<Req, Res> {
  return { name, request, response };
}

export type SetPublisherRequestInit = stream.video.sfu.signal.SetPublisherRequest.$Properties;
export type SendAnswerRequestInit = stream.video.sfu.signal.SendAnswerRequest.$Properties;
export type IceTrickleInit = stream.video.sfu.models.ICETrickle.$Properties;
export type UpdateSubscriptionsRequestInit = stream.video.sfu.signal.UpdateSubscriptionsRequest.$Properties;
export type UpdateMuteStatesRequestInit = stream.video.sfu.signal.UpdateMuteStatesRequest.$Properties;
export type IceRestartRequestInit = stream.video.sfu.signal.ICERestartRequest.$Properties;
export type SendStatsRequestInit = stream.video.sfu.signal.SendStatsRequest.$Properties;

export const SignalServerMethods = {
  SetPublisher: method<SetPublisherRequestInit, stream.video.sfu.signal.SetPublisherResponse>(
    'SetPublisher', signal.SetPublisherRequest, signal.SetPublisherResponse),
  SendAnswer: method<SendAnswerRequestInit, stream.video.sfu.signal.SendAnswerResponse>(
    'SendAnswer', signal.SendAnswerRequest, signal.SendAnswerResponse),
  IceTrickle: method<IceTrickleInit, stream.video.sfu.signal.ICETrickleResponse>(
    'IceTrickle', models.ICETrickle, signal.ICETrickleResponse),
  UpdateSubscriptions: method<UpdateSubscriptionsRequestInit, stream.video.sfu.signal.UpdateSubscriptionsResponse>(
    'UpdateSubscriptions', signal.UpdateSubscriptionsRequest, signal.UpdateSubscriptionsResponse),
  UpdateMuteStates: method<UpdateMuteStatesRequestInit, stream.video.sfu.signal.UpdateMuteStatesResponse>(
    'UpdateMuteStates', signal.UpdateMuteStatesRequest, signal.UpdateMuteStatesResponse),
  IceRestart: method<IceRestartRequestInit, stream.video.sfu.signal.ICERestartResponse>(
    'IceRestart', signal.ICERestartRequest, signal.ICERestartResponse),
  SendStats: method<SendStatsRequestInit, stream.video.sfu.signal.SendStatsResponse>(
    'SendStats', signal.SendStatsRequest, signal.SendStatsResponse),
} as const;
