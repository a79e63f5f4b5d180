/** `rxsfu/emulator`: a local Stream Video backend (coordinator + SFUs) for tests, demos and benchmarks. */
export { startEmulator, type Emulator, type EmulatorOptions, type EmulatedSfu, type EmulatorCallGrants } from './emulator.js';
export type { EmulatorFaults, SessionFaults, ClientSessionFaults, SfuFaults, CoordinatorFaults } from './faults.js';
export { EMULATOR_PUBLISH_OPTIONS } from './publish-control.js';
export type { PublishOption } from '../rtc/publish-options.js';
export type { MediaDisturbance } from './media/contract.js';
export type { EmulatorRecords, JoinRecord, LeaveRecord, LeaveReason, SubscriptionRecord, RpcRecord, CoordinatorJoinRecord, SocketCloseRecord, StatsRecord, HealthCheckRecord, RecordedReconnectDetails, KeyframeRequestRecord, SubscriberOfferRecord } from './records.js';
export type { LiveSession } from './call-registry.js';
export type { SimulatedParticipant, SimulatedParticipantOptions, ReceivedTrackPackets, ReceivedAudioSummary } from './simulated-session.js';
export type { MediaPlaneFactory } from './sfu-server.js';
export type { JoinRejectionMode } from './sfu-host.js';
export type { SfuMediaPlane, MediaCallbacks, MediaParticipant, SimulatedMediaOptions, SimulatedTone } from './media/contract.js';
export type { TrackBus, KeyframeRequest, KeyframeRequestMethod } from './media/track-bus.js';
export { cameraColour, cameraPicture, type SimulatedCamera, type Rgb } from './media/simulated-camera.js';
export { StreamErrorCode } from './coordinator.js';
export { emulatorAgentOptions, EMULATOR_LOCATION, type EmulatorAgentOptions, type EmulatorAddress } from './agent-options.js';
