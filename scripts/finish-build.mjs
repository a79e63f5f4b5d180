#!/usr/bin/env node
/**
 * After `tsc -p tsconfig.build.json`: copies what tsc does not emit into dist/ (the generated
 * protobuf code). The public declarations need nothing else: they name no werift type
 * (spec/package-tarball.spec.ts checks it), so no ambient shim for werift's own declarations.
 */
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
cpSync(join(root, 'lib/protocol/generated'), join(root, 'dist/lib/protocol/generated'), { recursive: true });
