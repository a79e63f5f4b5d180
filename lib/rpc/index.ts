/** Twirp client for the SFU's SignalServer. */
export * from './signal-server-client.js';
export * from './retry-transient.js';
export * from './twirp-methods.js';
export * from './twirp-codec.js';
