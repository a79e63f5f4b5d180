/** werift peer connections for the SFU: publisher, subscriber, ordered signaling, ICE restart. */
export * from './config.js';
export * from './rtc-logger.js';
export * from './signaling-queue.js';
export * from './hold-until-open.js';
export * from './werift-event.js';
export { createPeerCore, asWebrtcError, werift$, type PeerCore } from './peer.js';
export * from './ice-restart.js';
export * from './dtls-retransmits.js';
export * from './publisher.js';
export * from './subscriber.js';
export * from './remote-track.js';
export * from './werift-remote-track.js';
export * from './werift-rtp.js';
export * from './peer-options.js';
export * from './ice-server.js';
export * from './ice-candidates.js';
export * from './generic-sdp.js';
export * from './bundle.js';
