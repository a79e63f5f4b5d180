#!/usr/bin/env node
/**
 * After `tsc -p tsconfig.build.json`: copies what tsc does not emit into dist/ (the generated
 * protobuf code, the ambient declarations in lib/types/) and makes every entry point's
 * declarations reference lib/types, so a consumer's strict type-check needs no devDependency.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, dirname } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
cpSync(join(root, 'lib/protocol/generated'), join(root, 'dist/lib/protocol/generated'), { recursive: true });
cpSync(join(root, 'lib/types'), join(root, 'dist/lib/types'), { recursive: true });
for (const entry of ['index.d.ts', 'emulator/index.d.ts', 'protocol/index.d.ts']) {
  const file = join(root, 'dist/lib', entry);
  const reference = relative(dirname(file), join(root, 'dist/lib/types/multicast-dns.d.ts')).replaceAll('\\', '/');
  const line = `/// <reference path="${reference.startsWith('.') ? reference : `./${reference}`}" />\n`;
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith(line)) writeFileSync(file, line + text);
}
