/**
 * Reads the protocol facts out of shared/reference/WIRE.md: every message with its field numbers,
 * names and types, every enum value, the Twirp methods. The specs compare protos/ and the generated
 * codec with these facts; `extract-wire-facts.ts` freezes them into fixtures/wire-facts.json so the
 * check runs even where WIRE.md is not checked out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FieldFact {
  no: number;
  name: string;
  /** Fully qualified message/enum name (`stream.video.sfu.models.Participant`) or a scalar (`uint32`). */
  type: string;
  repeated: boolean;
  oneof?: string;
  deprecated?: boolean;
}

export interface WireFacts {
  /** Fully qualified message name → fields in document order. */
  messages: Record<string, FieldFact[]>;
  /** Fully qualified enum name → value name → number. */
  enums: Record<string, Record<string, number>>;
  /** Twirp methods of stream.video.sfu.signal.SignalServer. */
  methods: { name: string; request: string; response: string }[];
}

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const wireMdPath = join(repoRoot, '..', 'shared', 'reference', 'WIRE.md');
export const fixturePath = join(repoRoot, 'spec', 'protocol', 'fixtures', 'wire-facts.json');

const PREFIX = 'stream.video.sfu.';
const SCALARS = new Set(['string', 'bool', 'bytes', 'float', 'double', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

/** `models.X` → `stream.video.sfu.models.X`; scalars and google.* stay as written. */
function qualify(type: string): string {
  if (SCALARS.has(type) || type.startsWith('google.')) return type;
  const [pkg, ...rest] = type.split('.');
  if (!['models', 'event', 'signal'].includes(pkg!) || rest.length === 0) throw new Error(`WIRE.md: unknown type ${type}`);
  return PREFIX + type;
}

/** One `1 \`name\` repeated models.X (oneof p)` entry. */
function parseField(entry: string, message: string): FieldFact {
  const m = /^(\d+) `([a-z0-9_]+)` (repeated )?([A-Za-z0-9_.]+)(?: \(([^)]*)\))?$/.exec(entry.trim());
  if (!m) throw new Error(`WIRE.md: cannot read field "${entry}" of ${message}`);
  const fact: FieldFact = { no: Number(m[1]), name: m[2]!, type: qualify(m[4]!), repeated: m[3] !== undefined };
  const note = m[5];
  if (note?.startsWith('oneof ')) fact.oneof = note.slice('oneof '.length);
  else if (note === 'deprecated') fact.deprecated = true;
  else if (note !== undefined) throw new Error(`WIRE.md: unknown note "${note}" on ${message}.${fact.name}`);
  return fact;
}

/** Parses the text of WIRE.md. Throws on any line of the fact sections it cannot read. */
export function parseWireMd(text: string): WireFacts {
  const facts: WireFacts = { messages: {}, enums: {}, methods: [] };
  let pkg: string | undefined;
  let inEnums = false;
  for (const line of text.split('\n')) {
    const heading = /^### package `([a-z.]+)`/.exec(line);
    if (heading) pkg = heading[1];
    if (line.startsWith('## ')) { inEnums = line.startsWith('## Enums'); if (!line.startsWith('## Messages')) pkg = undefined; }
    if (/^\| [A-Z]\w+( \/ \w+)? \| [\w./]+ \| [\w./]+ \|$/.test(line)) facts.methods.push(...parseMethods(line));
    const item = /^- \*\*(\w+)\*\*: (.*)$/.exec(line);
    if (!item) continue;
    const [, name, body] = item as unknown as [string, string, string];
    if (inEnums) facts.enums[`${PREFIX}models.${name}`] = parseEnum(body, name);
    else if (pkg) {
      facts.messages[`${pkg}.${name}`] = body === '(no fields)' ? [] : body.split(';').map((e) => parseField(e, name));
    }
  }
  return facts;
}

/** A Twirp table row; `A / B | Start/StopX | Start/StopY` stands for two methods. */
function parseMethods(line: string): WireFacts['methods'] {
  const [names, requests, responses] = line.split('|').slice(1, 4).map((cell) => cell.trim()) as [string, string, string];
  const expand = (cell: string): string[] => {
    const [left, right] = cell.split('/');
    return right === undefined ? [cell] : [left + right.replace(/^[A-Z][a-z]+/, ''), right];
  };
  const req = expand(requests);
  const res = expand(responses);
  return names.split(' / ').map((name, i) => ({ name, request: qualifyRpc(req[i]!), response: qualifyRpc(res[i]!) }));
}

function qualifyRpc(type: string): string {
  return type.includes('.') ? qualify(type) : `${PREFIX}signal.${type}`;
}

function parseEnum(body: string, name: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const entry of body.split(',')) {
    const m = /^([A-Z0-9_]+)=(\d+)$/.exec(entry.trim());
    if (!m) throw new Error(`WIRE.md: cannot read enum value "${entry}" of ${name}`);
    values[m[1]!] = Number(m[2]);
  }
  return values;
}

export function loadFixture(): WireFacts {
  return JSON.parse(readFileSync(fixturePath, 'utf8')) as WireFacts;
}

/** The facts from WIRE.md itself, or undefined when shared/ is not beside the repository. */
export function loadWireMd(): WireFacts | undefined {
  return existsSync(wireMdPath) ? parseWireMd(readFileSync(wireMdPath, 'utf8')) : undefined;
}
