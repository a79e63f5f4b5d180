/**
 * One comparable shape for messages from any codec: plain objects with lowerCamelCase keys, numbers
 * for enums and 64-bit integers, protobuf-ts oneof containers (`{ oneofKind, [kind]: value }`)
 * flattened into their parent, and default values (0, '', false, empty lists and messages) dropped,
 * since proto3 does not distinguish them from absent fields.
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Uint8Array) return [...value];
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return value;
  const out: { [k: string]: unknown } = {};
  for (const [key, inner] of Object.entries(value)) {
    if (isOneofContainer(inner)) {
      const member = inner.oneofKind === undefined ? undefined : normaliseField(inner[inner.oneofKind]);
      if (!isDefault(member)) out[inner.oneofKind!] = member;
      continue;
    }
    const norm = normaliseField(inner);
    if (!isDefault(norm)) out[key] = norm;
  }
  return out;
}

function normaliseField(value: unknown): unknown {
  // protobuf-ts keeps 64-bit integers as decimal strings; ours are numbers.
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return normalise(value);
}

function isOneofContainer(value: unknown): value is { oneofKind?: string; [k: string]: unknown } {
  return value !== null && typeof value === 'object' && 'oneofKind' in value;
}

function isDefault(value: unknown): boolean {
  return value === undefined || value === null || value === 0 || value === '' || value === false || (Array.isArray(value) && value.length === 0);
}
