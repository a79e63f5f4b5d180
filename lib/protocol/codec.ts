/**
 * Bytes ⇄ messages for the signaling socket. Decoding never throws anything but a ProtocolError,
 * so a malformed frame is a value the socket can report, not a crash.
 */
import { ProtocolError } from '../errors.js';
import { events, type SfuEvent, type SfuEventInit, type SfuRequest, type SfuRequestInit } from './messages.js';

/** A generated message class: what encode/decode need of it. */
export interface MessageCodec<T, Init> {
  encode(message: Init): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** Decodes `bytes` as `type`, turning any decoder failure into a ProtocolError that names the type. */
export function decodeMessage<T, Init>(type: MessageCodec<T, Init>, name: string, bytes: Uint8Array): T {
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new ProtocolError(name, bytes.byteLength, err);
  }
}

/** Encodes a plain init object as `type`. */
export function encodeMessage<T, Init>(type: MessageCodec<T, Init>, message: Init): Uint8Array {
  return type.encode(message).finish();
}

/** The signaling codec: client frames (SfuRequest) and SFU frames (SfuEvent); decoders throw only ProtocolError. */
export const encodeSfuRequest = (request: SfuRequestInit): Uint8Array => encodeMessage(events.SfuRequest, request);
export const decodeSfuRequest = (bytes: Uint8Array): SfuRequest => decodeMessage(events.SfuRequest, 'SfuRequest', bytes);
export const encodeSfuEvent = (event: SfuEventInit): Uint8Array => encodeMessage(events.SfuEvent, event);
export const decodeSfuEvent = (bytes: Uint8Array): SfuEvent => decodeMessage(events.SfuEvent, 'SfuEvent', bytes);
