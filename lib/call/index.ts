export { Call, type CallState, type LocalTrack } from './call.js';
export { joinCall, joinCall$, type JoinCallOptions } from './join-call.js';
export type { CallParticipant, ParticipantMap } from './participants.js';
export type { CallRemoteTrack } from './remote-tracks.js';
export type { SubscriptionPolicy } from './subscriptions.js';
export type { CallTarget } from './credentials.js';
export type { TokenProvider, TokenProviderResult } from './user-token.js';
export { mediaStalled$, DEFAULT_MEDIA_STALL_AFTER_MS, type MediaStall, type MediaStallOptions } from '../reconnect/call-side/media-stall.js';
export { statsReports$, DEFAULT_STATS_INTERVAL_MS, type StatsReporterOptions } from './stats-reporter.js';
