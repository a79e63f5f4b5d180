/**
 * Canonical proto3 JSON for the well-known types the SFU uses, which the static protobufjs code
 * does not know about: `Timestamp` is an RFC 3339 string (`"2024-05-01T10:00:00.250Z"`), `Struct`
 * a plain JSON object, `Value` any JSON value, `ListValue` an array. protobuf-ts (the official
 * client) reads and writes these forms, so without them participant `custom` data and `joined_at`
 * would not survive a JSON round trip between the two.
 *
 * Printing: the generated `toObject` of these four types gains the canonical form when called with
 * `options.json` (what `toProto3Json` and protobufjs's own `toJSON` pass). Parsing: json.ts finds
 * these fields through generated/json-fields.js and converts them with {@link wellKnownFromJson}.
 */
import { google } from './generated/sfu.js';

const wkt = google.protobuf as unknown as Record<string, WellKnownCodec>;

interface WellKnownCodec {
  toObject(message: unknown, options?: { json?: boolean }, depth?: number): unknown;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** `{seconds, nanos}` → RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as proto3 JSON prints it. */
export function timestampToJson(seconds: number, nanos: number): string {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new RangeError('Timestamp seconds out of range');
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) throw new RangeError('Timestamp nanos out of range');
  const date = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${date}Z`;
  let digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000000')) digits = digits.slice(0, 3);
  else if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return `${date}.${digits}Z`;
}

/** RFC 3339 → `{seconds, nanos}`; throws a TypeError on anything else. */
export function timestampFromJson(text: string): { seconds: number; nanos: number } {
  const m = RFC3339.exec(text);
  const ms = m ? Date.parse(`${m[1]}Z`) : NaN;
  if (!m || Number.isNaN(ms)) throw new TypeError('Timestamp: not an RFC 3339 time');
  const offset = m[3] === 'Z' ? 0 : (m[3]!.startsWith('-') ? -1 : 1) * (Number(m[3]!.slice(1, 3)) * 3600 + Number(m[3]!.slice(4, 6)) * 60);
  const seconds = ms / 1000 - offset;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new TypeError('Timestamp out of range');
  return { seconds, nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

function valueToJson(message: any): JsonValue {
  switch (message.kind) {
    case 'numberValue': return message.numberValue;
    case 'stringValue': return message.stringValue;
    case 'boolValue': return message.boolValue;
    case 'structValue': return structToJson(message.structValue);
    case 'listValue': return (message.listValue.values ?? []).map(valueToJson);
    default: return null;
  }
}

function structToJson(message: any): { [k: string]: JsonValue } {
  const out: { [k: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(message?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueFromJson(json: unknown): object {
  if (json === null) return { nullValue: 0 };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(valueFromJson) } };
  if (typeof json === 'object') return { structValue: structFromJson(json) };
  throw new TypeError(`google.protobuf.Value: not a JSON value: ${typeof json}`);
}

function structFromJson(json: unknown): object {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError('google.protobuf.Struct: object expected');
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, valueFromJson(v)])) };
}

/** Replaces `type.toObject` by a version that prints the canonical JSON form under `options.json`. */
function patchToObject(name: string, toJson: (message: any) => JsonValue): void {
  const type = wkt[name];
  if (!type) throw new Error(`generated code has no google.protobuf.${name}`);
  const { toObject } = type;
  type.toObject = (message, options, depth) => (options?.json ? toJson(message) : toObject.call(type, message, options, depth));
}

patchToObject('Timestamp', (m) => timestampToJson(Number(m.seconds ?? 0), m.nanos ?? 0));
patchToObject('Struct', structToJson);
patchToObject('ListValue', (m) => (m.values ?? []).map(valueToJson));
patchToObject('Value', valueToJson);

const FROM_JSON: Record<string, (json: unknown) => object> = {
  'google.protobuf.Timestamp': (json) => {
    if (typeof json !== 'string') throw new TypeError('google.protobuf.Timestamp: RFC 3339 string expected');
    return timestampFromJson(json);
  },
  'google.protobuf.Struct': structFromJson,
  'google.protobuf.Value': valueFromJson,
  'google.protobuf.ListValue': (json) => {
    if (!Array.isArray(json)) throw new TypeError('google.protobuf.ListValue: array expected');
    return { values: json.map(valueFromJson) };
  },
};

/** Canonical JSON of a well-known type → its message-shaped init object, or undefined if `typeName` is not one. */
export function wellKnownFromJson(typeName: string, json: unknown): object | undefined {
  return FROM_JSON[typeName]?.(json);
}
