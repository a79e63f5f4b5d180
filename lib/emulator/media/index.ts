/** The emulator's media plane: werift peer connections, RTP forwarding, simulated participants. */
export * from './contract.js';
export { createMediaPlane, type MediaPlaneOptions } from './media-plane.js';
export type { MediaLogger } from './media-logger.js';
export { mediaStreamId } from './track-types.js';
export { TrackBus } from './track-bus.js';
