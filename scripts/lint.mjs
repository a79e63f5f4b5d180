#!/usr/bin/env node
/**
 * Runs ESLint (tools/lint/eslint.config.mjs) over the repository, installing tools/lint first when
 * its node_modules is missing or older than its lockfile. ESLint lives in its own package because
 * typescript-eslint's type-aware rules need TypeScript's JavaScript API (typescript <6.1), which the
 * project's TypeScript 7 does not ship; the build and `npm run typecheck` stay on TypeScript 7.
 *
 *   node scripts/lint.mjs [eslint arguments…]   (default: the whole repository)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const tool = join(root, 'tools', 'lint');
const installed = join(tool, 'node_modules', '.package-lock.json');
const lock = join(tool, 'package-lock.json');

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], tool);
}
const eslint = join(tool, 'node_modules', 'eslint', 'bin', 'eslint.js');
const args = process.argv.slice(2);
run(process.execPath, [eslint, '--config', join(tool, 'eslint.config.mjs'), ...(args.length ? args : ['.'])], root);
