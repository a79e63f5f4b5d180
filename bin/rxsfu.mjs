#!/usr/bin/env node
// The `rxsfu` command. In a clone (the TypeScript sources are here), the sources through tsx, a
// devDependency, so the command never runs a stale dist/ left by an earlier build; in the
// published package (no sources, only dist/), the built CLI.
import { existsSync } from 'node:fs';

const source = new URL('../lib/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/lib/cli/main.js', import.meta.url).href);
}
