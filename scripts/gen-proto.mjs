// Generates the static protobufjs codec (JS + .d.ts) for protos/ into lib/protocol/generated/.
// Usage: node scripts/gen-proto.mjs [outDir]   (spec/protocol checks that the committed output is current)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ?? join(root, 'lib/protocol/generated');
const bin = (name) => join(root, 'node_modules/.bin', name);
const protos = [
  'protos/stream/video/sfu/models/models.proto',
  'protos/stream/video/sfu/event/events.proto',
  'protos/stream/video/sfu/signal_rpc/signal.proto',
];
const common = ['-t', 'static-module', '-w', 'es6', '--es6', '--force-number', '--no-delimited', '--no-typeurl', '--no-service', '-p', 'protos'];
const run = async (cmd, args) => {
  const { stdout, stderr } = await promisify(execFile)(cmd, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  if (stderr) process.stderr.write(stderr);
  return stdout;
};

/**
 * pbjs decoders treat a known field that arrives with the wrong wire type as an unknown field, so a
 * `join_response` sent as a varint decodes to an SfuEvent with no payload and the event is lost
 * silently. We make it a decode error instead (decodeMessage turns it into a ProtocolError).
 * Packed/unpacked repeated scalars are unaffected: pbjs accepts both before this check.
 */
function strictWireTypes(js) {
  const pattern = /if \(wireType !== (\d)\)\n(\s*)break;/g;
  const count = js.match(pattern)?.length ?? 0;
  if (count === 0) throw new Error('gen-proto: pbjs output changed, no wire type checks found to make strict');
  return js.replace(pattern, (_, wt, indent) => `if (wireType !== ${wt})\n${indent}throw $Error("field " + tag + ": wire type " + wireType + ", expected ${wt}");`);
}

/**
 * `--force-number` only changes the typings: with the `long` package installed, pbjs code still
 * decodes int64/uint64 into Long objects and fromObject builds Longs, while the .d.ts says `number`.
 * The generated module gets its own view of protobufjs util without Long, and 64-bit reads are
 * turned into numbers (exact up to 2^53: timestamps and packet counters).
 */
function numberLongs(js) {
  const utilDecl = '$util = $protobuf.util;';
  if (!js.includes(utilDecl)) throw new Error('gen-proto: pbjs output changed, no $util declaration found');
  if (/reader\.(sint64|fixed64|sfixed64)\(\)/.test(js)) throw new Error('gen-proto: numberLongs does not handle sint64/fixed64 yet');
  return js
    .replace(utilDecl, '$util = Object.assign(Object.create($protobuf.util), { Long: undefined }), '
      + '$long = (v, unsigned) => typeof v === "number" ? v : $protobuf.util.LongBits.from(v).toNumber(unsigned);')
    .replace(/reader\.int64\(\)/g, '$long(reader.int64(), false)')
    .replace(/reader\.uint64\(\)/g, '$long(reader.uint64(), true)');
}

/**
 * For proto3 JSON parsing (lib/protocol/json.ts): the message-typed fields of every message, by JSON
 * name, so the parser knows where nested messages and well-known types (Timestamp, Struct) sit.
 * The static code has no such reflection at run time.
 */
function jsonFieldsModule() {
  const reflected = new protobuf.Root();
  reflected.resolvePath = (_origin, target) => join(root, 'protos', target);
  reflected.loadSync(protos.map((p) => p.slice('protos/'.length))).resolveAll();
  const table = {};
  const visit = (ns) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) {
        const fields = nested.fieldsArray.filter((f) => f.resolvedType instanceof protobuf.Type && !f.map);
        if (fields.length) table[nested.fullName.slice(1)] = Object.fromEntries(fields.map((f) => [f.name, f.resolvedType.fullName.slice(1)]));
      }
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(reflected);
  return `export const messageFields = ${JSON.stringify(table, null, 1)};\n`;
}

const JSON_FIELDS_DTS = `/** Message full name → JSON field name → full name of that field's message type. */
export declare const messageFields: { readonly [message: string]: { readonly [field: string]: string } };
`;

mkdirSync(outDir, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'rxsfu-gen-'));
try {
  // Types come from the commented build (pbts reads JSDoc); the shipped JS has no comments, half the size.
  const withComments = join(scratch, 'sfu.js');
  // pbts (jsdoc) is the slow step; the comment-free build runs beside it.
  const [dts, js] = await Promise.all([
    run(bin('pbjs'), [...common, '-o', withComments, ...protos]).then(() => run(bin('pbts'), ['--no-comments', withComments])),
    run(bin('pbjs'), [...common, '--no-comments', ...protos]).then((out) => numberLongs(strictWireTypes(out))),
  ]);
  const header = '// GENERATED by scripts/gen-proto.mjs from protos/. Do not edit; run `npm run gen:proto`.\n';
  writeFileSync(join(outDir, 'sfu.js'), header + js);
  writeFileSync(join(outDir, 'sfu.d.ts'), header + dts);
  writeFileSync(join(outDir, 'json-fields.js'), header + jsonFieldsModule());
  writeFileSync(join(outDir, 'json-fields.d.ts'), header + JSON_FIELDS_DTS);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
