/**
 * Canonical proto3 JSON for Twirp bodies: lowerCamelCase names, enums as their names,
 * 64-bit integers as strings, defaults omitted, Timestamp/Struct in their JSON forms. Parsing
 * accepts both lowerCamelCase and the original snake_case names, and enum names or numbers, as
 * proto3 JSON requires, and rejects what it cannot place (unknown fields or enum names, wrong types)
 * instead of dropping it.
 */
import { errorMessage, ProtocolError, rxsfuError } from '../errors.js';
import { google, stream } from './generated/sfu.js';
import { messageFields } from './generated/json-fields.js';
import { wellKnownFromJson } from './well-known-json.js';

/** The part of a generated message class that proto3 JSON needs. */
export interface JsonCodec<T> {
  fromObject(object: { [k: string]: unknown }): T;
  toObject(message: T, options?: { enums?: unknown; longs?: unknown; defaults?: boolean; oneofs?: boolean }): { [k: string]: unknown };
}

/**
 * Message → proto3 JSON value (an object ready for JSON.stringify). A message that cannot be
 * printed (a wrong type in an init object, a Timestamp outside years 1–9999) is the caller's bug:
 * RXSFU_ERR_INVALID_ARGUMENT.
 */
export function toProto3Json<T>(type: JsonCodec<T>, message: T | { [k: string]: unknown }): { [k: string]: unknown } {
  try {
    // fromObject first, so plain init objects and class instances are treated alike.
    const instance = type.fromObject(message as { [k: string]: unknown });
    // `json: true` makes Timestamp/Struct/Value print their canonical forms (well-known-json.ts).
    return type.toObject(instance, { enums: String, longs: String, defaults: false, oneofs: false, json: true } as never);
  } catch (err) {
    throw rxsfuError('RXSFU_ERR_INVALID_ARGUMENT', `cannot print as proto3 JSON: ${errorMessage(err)}`, { cause: err });
  }
}

/** proto3 JSON value (already parsed) → message. Throws ProtocolError on anything that is not a message. */
export function fromProto3Json<T>(type: JsonCodec<T>, name: string, json: unknown): T {
  try {
    const input = normalize(json, typeNames.get(type), '');
    const message = type.fromObject(input);
    assertUnderstood(input, message, '');
    return message;
  } catch (err) {
    throw new ProtocolError(name, 0, err);
  }
}

/** JSON text → message, for HTTP bodies. */
export function parseProto3Json<T>(type: JsonCodec<T>, name: string, text: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it choked on: the cause says only what went wrong.
    throw new ProtocolError(name, Buffer.byteLength(text), new SyntaxError('not valid JSON'));
  }
  return fromProto3Json(type, name, parsed);
}

/** Generated class → its full proto name, found by walking the generated namespaces once. */
const typeNames = new Map<unknown, string>();
(function collect(ns: object, prefix: string): void {
  for (const [key, value] of Object.entries(ns)) {
    if (typeof value === 'function' && 'decode' in value) typeNames.set(value, prefix + key);
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) collect(value, `${prefix}${key}.`);
  }
})({ stream, google }, '');

/**
 * Input JSON → the message-shaped object fromObject takes: keys in lowerCamelCase, well-known
 * types converted from their JSON forms. Keys inside a Struct are user data and stay as written.
 */
function normalize(json: unknown, typeName: string | undefined, path: string): { [k: string]: unknown } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError(`${path.replace(/\.$/, '') || 'body'}: a JSON object is expected`);
  }
  const fields = typeName ? messageFields[typeName] : undefined;
  const out: { [k: string]: unknown } = {};
  for (const [key, value] of Object.entries(json)) {
    const name = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const fieldType = fields?.[name];
    out[name] = value === null || fieldType === undefined ? value : normalizeField(value, fieldType, `${path}${name}`);
  }
  return out;
}

function normalizeField(value: unknown, fieldType: string, path: string): unknown {
  const one = (item: unknown, at: string): unknown => wellKnownFromJson(fieldType, item) ?? normalize(item, fieldType, `${at}.`);
  return Array.isArray(value) ? value.map((item, i) => one(item, `${path}[${i}]`)) : one(value, path);
}

const WELL_KNOWN = [google.protobuf.Timestamp, google.protobuf.Struct, google.protobuf.Value, google.protobuf.ListValue];
const ZERO_LIKE = new Set<unknown>([0, '0', false, '', ...zeroEnumNames()]);

/** Names of every enum's zero value (`PEER_TYPE_PUBLISHER_UNSPECIFIED`…): fromObject leaves them unset, like 0. */
function zeroEnumNames(): string[] {
  const names: string[] = [];
  for (const namespace of [stream.video.sfu.models, stream.video.sfu.event, stream.video.sfu.signal, google.protobuf]) {
    for (const value of Object.values(namespace)) {
      // Generated enums are plain objects mapping NAME → number (and number → NAME).
      if (typeof value !== 'object' || value === null) continue;
      for (const [name, number] of Object.entries(value)) if (number === 0 && /^[A-Z]/.test(name)) names.push(name);
    }
  }
  return names;
}

/**
 * protobufjs's fromObject is lenient: an unknown field or enum name is dropped, `"yes"` becomes
 * `true`. proto3 JSON parsers reject those, and so do we: every non-null input value must have
 * landed in the message with a compatible JSON type. Default values may be absent (fromObject
 * skips zero 64-bit integers).
 */
function assertUnderstood(json: { [k: string]: unknown }, message: unknown, path: string): void {
  for (const [key, value] of Object.entries(json)) {
    if (value === null) continue;
    const got = Object.prototype.hasOwnProperty.call(message, key) ? (message as { [k: string]: unknown })[key] : undefined;
    if (got === undefined) {
      if (ZERO_LIKE.has(value) || (Array.isArray(value) && value.length === 0)) continue;
      throw new TypeError(`${path}${key}: unknown field or value (${kindOf(value)})`);
    }
    assertSameShape(value, got, `${path}${key}`);
  }
}

function assertSameShape(value: unknown, got: unknown, path: string): void {
  if (WELL_KNOWN.some((type) => got instanceof type)) return; // already checked by its converter
  const fail = (): never => { throw new TypeError(`${path}: ${kindOf(value)} is not a valid value here`); };
  if (Array.isArray(got)) {
    if (!Array.isArray(value) || value.length !== got.length) fail();
    got.forEach((item, i) => assertSameShape((value as unknown[])[i], item, `${path}[${i}]`));
  } else if (typeof got === 'boolean' || typeof got === 'string') {
    if (typeof value !== typeof got) fail();
  } else if (typeof got === 'number') {
    if (!numberLike(value, got)) fail();
  } else if (typeof got === 'object' && got !== null) {
    if (typeof value !== 'object' || Array.isArray(value)) fail();
    assertUnderstood(value as { [k: string]: unknown }, got, `${path}.`);
  }
}

/** A JSON number, an enum name, a decimal string (int64) or NaN/Infinity spelled out. */
function numberLike(value: unknown, got: number): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'string') return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(value)) return !Number.isNaN(got);
  return Number.isNaN(got) ? value === 'NaN' : value.trim() !== '' && !Number.isNaN(Number(value));
}

/** What kind of JSON value `value` is, for a message: errors name fields and kinds, never values (they may be tokens). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
