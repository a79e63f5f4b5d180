#!/usr/bin/env node
// The `rxsfu` command: the built CLI (dist/, what the published package ships); in a clone
// without a build, the TypeScript sources through tsx (a devDependency).
import { existsSync } from 'node:fs';

const built = new URL('../dist/lib/cli/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../lib/cli/main.ts', import.meta.url).href);
}
