/**
 * The generated protobuf namespaces under short names, and the message types the SDK passes around.
 * Decoded messages are plain-field objects with camelCase names (protobufjs's default).
 */
import { stream } from './generated/sfu.js';

/** `stream.video.sfu.models`: shared messages (Participant, TrackInfo, Error…) and enums. */
export const models = stream.video.sfu.models;
/** `stream.video.sfu.event`: the signaling socket messages (SfuEvent, SfuRequest, JoinRequest…). */
export const events = stream.video.sfu.event;
/** `stream.video.sfu.signal`: the Twirp SignalServer requests and responses. */
export const signal = stream.video.sfu.signal;
export type { stream };

/** A decoded frame from the SFU; `eventPayload` names its case. */
export type SfuEvent = stream.video.sfu.event.SfuEvent;
/** A plain object to encode as an SfuEvent (`{ joinResponse: {…} }`). */
export type SfuEventInit = stream.video.sfu.event.SfuEvent.$Properties;
/** A decoded frame from the client; `requestPayload` names its case. */
export type SfuRequest = stream.video.sfu.event.SfuRequest;
/** A plain object to encode as an SfuRequest (`{ healthCheckRequest: {} }`). */
export type SfuRequestInit = stream.video.sfu.event.SfuRequest.$Properties;
/** The name of the oneof case an SfuEvent carries, e.g. `'joinResponse'`. */
export type SfuEventKind = NonNullable<SfuEvent['eventPayload']>;
/** The name of the oneof case an SfuRequest carries, e.g. `'joinRequest'`. */
export type SfuRequestKind = NonNullable<SfuRequest['requestPayload']>;

export type JoinRequest = stream.video.sfu.event.JoinRequest.$Properties;
export type JoinResponse = stream.video.sfu.event.JoinResponse.$Properties;
export type ReconnectDetails = stream.video.sfu.event.ReconnectDetails.$Properties;
export type Participant = stream.video.sfu.models.Participant.$Properties;
export type TrackInfo = stream.video.sfu.models.TrackInfo.$Properties;
export type TrackSubscriptionDetails = stream.video.sfu.signal.TrackSubscriptionDetails.$Properties;
export type SfuModelError = stream.video.sfu.models.Error.$Properties;

/** Which track of a participant: audio, video, screen share, screen-share audio. */
export const TrackType = stream.video.sfu.models.TrackType;
export type TrackType = stream.video.sfu.models.TrackType;
/** Which peer connection: publisher (0) or subscriber (1). */
export const PeerType = stream.video.sfu.models.PeerType;
export type PeerType = stream.video.sfu.models.PeerType;
/** The SFU's error codes (`RxsfuError.sfuErrorCode`). */
export const ErrorCode = stream.video.sfu.models.ErrorCode;
export type ErrorCode = stream.video.sfu.models.ErrorCode;
/** What the SFU tells the client to do after an error (`RxsfuError.reconnectStrategy`). */
export const WebsocketReconnectStrategy = stream.video.sfu.models.WebsocketReconnectStrategy;
export type WebsocketReconnectStrategy = stream.video.sfu.models.WebsocketReconnectStrategy;
export const GoAwayReason = stream.video.sfu.models.GoAwayReason;
export type GoAwayReason = stream.video.sfu.models.GoAwayReason;
export const CallEndedReason = stream.video.sfu.models.CallEndedReason;
export type CallEndedReason = stream.video.sfu.models.CallEndedReason;
export const SdkType = stream.video.sfu.models.SdkType;
export type SdkType = stream.video.sfu.models.SdkType;
export const ClientCapability = stream.video.sfu.models.ClientCapability;
export type ClientCapability = stream.video.sfu.models.ClientCapability;
