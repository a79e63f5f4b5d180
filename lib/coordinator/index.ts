/** Coordinator REST join and user JWTs. */
export * from './join-response.js';
export * from './join.js';
export * from './token.js';
