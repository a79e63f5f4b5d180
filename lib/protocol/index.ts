/** `rxsfu/protocol`: the SFU wire format. Messages, codecs, proto3 JSON. */
export * from './messages.js';
export * from './codec.js';
export * from './json.js';
export { ProtocolError } from '../errors.js';
