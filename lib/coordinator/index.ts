/** Coordinator REST join and user JWTs. */
export * from './credentials.js';
export * from './join.js';
export * from './token.js';
export * from './location.js';
export * from './tls.js';
