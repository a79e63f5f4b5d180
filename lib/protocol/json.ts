/**
 * Canonical proto3 JSON for Twirp bodies: lowerCamelCase names, enums as their names,
 * 64-bit integers as strings, defaults omitted. Parsing accepts both lowerCamelCase and
 * the original snake_case names, and enum names or numbers, as proto3 JSON requires.
 */
import { ProtocolError } from '../errors.js';

/** The part of a generated message class that proto3 JSON needs. */
export interface JsonCodec<T> {
  fromObject(object: { [k: string]: unknown }): T;
  toObject(message: T, options?: { enums?: unknown; longs?: unknown; defaults?: boolean; oneofs?: boolean }): { [k: string]: unknown };
}

/** Message → proto3 JSON value (an object ready for JSON.stringify). */
export function toProto3Json<T>(type: JsonCodec<T>, message: T | { [k: string]: unknown }): { [k: string]: unknown } {
  // fromObject first, so plain init objects and class instances are treated alike.
  const instance = type.fromObject(message as { [k: string]: unknown });
  return type.toObject(instance, { enums: String, longs: String, defaults: false, oneofs: false });
}

/** proto3 JSON value (already parsed) → message. Throws ProtocolError on anything that is not a message. */
export function fromProto3Json<T>(type: JsonCodec<T>, name: string, json: unknown): T {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ProtocolError(name, 0, new TypeError('proto3 JSON body must be an object'));
  }
  try {
    return type.fromObject(camelKeys(json) as { [k: string]: unknown });
  } catch (err) {
    throw new ProtocolError(name, 0, err);
  }
}

/** JSON text → message, for HTTP bodies. */
export function parseProto3Json<T>(type: JsonCodec<T>, name: string, text: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(name, Buffer.byteLength(text), err);
  }
  return fromProto3Json(type, name, parsed);
}

function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: { [k: string]: unknown } = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = camelKeys(inner);
  }
  return out;
}
