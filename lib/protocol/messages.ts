/**
 * The generated protobuf namespaces under short names, and the message types the SDK passes around.
 * Decoded messages are plain-field objects with camelCase names (protobufjs's default).
 */
import { stream } from './generated/sfu.js';

export const models = stream.video.sfu.models;
export const events = stream.video.sfu.event;
export const signal = stream.video.sfu.signal;
export type { stream };

export type SfuEvent = stream.video.sfu.event.SfuEvent;
export type SfuEventInit = stream.video.sfu.event.SfuEvent.$Properties;
export type SfuRequest = stream.video.sfu.event.SfuRequest;
export type SfuRequestInit = stream.video.sfu.event.SfuRequest.$Properties;
/** The name of the oneof case an SfuEvent carries, e.g. `'joinResponse'`. */
export type SfuEventKind = NonNullable<SfuEvent['eventPayload']>;
export type SfuRequestKind = NonNullable<SfuRequest['requestPayload']>;

export type JoinRequest = stream.video.sfu.event.JoinRequest.$Properties;
export type JoinResponse = stream.video.sfu.event.JoinResponse.$Properties;
export type ReconnectDetails = stream.video.sfu.event.ReconnectDetails.$Properties;
export type Participant = stream.video.sfu.models.Participant.$Properties;
export type TrackInfo = stream.video.sfu.models.TrackInfo.$Properties;
export type TrackSubscriptionDetails = stream.video.sfu.signal.TrackSubscriptionDetails.$Properties;
export type SfuModelError = stream.video.sfu.models.Error.$Properties;

export const TrackType = stream.video.sfu.models.TrackType;
export type TrackType = stream.video.sfu.models.TrackType;
export const PeerType = stream.video.sfu.models.PeerType;
export type PeerType = stream.video.sfu.models.PeerType;
export const ErrorCode = stream.video.sfu.models.ErrorCode;
export type ErrorCode = stream.video.sfu.models.ErrorCode;
export const WebsocketReconnectStrategy = stream.video.sfu.models.WebsocketReconnectStrategy;
export type WebsocketReconnectStrategy = stream.video.sfu.models.WebsocketReconnectStrategy;
export const GoAwayReason = stream.video.sfu.models.GoAwayReason;
export const CallEndedReason = stream.video.sfu.models.CallEndedReason;
export const SdkType = stream.video.sfu.models.SdkType;
export const ClientCapability = stream.video.sfu.models.ClientCapability;
