/** Coordinator REST join and user JWTs. */
export * from './join-response.js';
export * from './join.js';
export * from './token.js';
export * from './location.js';
export * from './tls.js';
