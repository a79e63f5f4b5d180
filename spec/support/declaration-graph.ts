/**
 * The declaration files a consumer's type-check reads from a package: from its entry points'
 * `.d.ts`, every relative import, re-export, `import('…')` type and `/// <reference path>` followed.
 * For each one, the modules it imports that are not in the package (bare specifiers). Used to prove
 * that rxsfu's public declarations name no werift type (issue 11).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A reachable declaration file and the bare module specifiers it imports. */
export interface DeclarationFile {
  readonly path: string;
  readonly externals: readonly string[];
}

const SPECIFIERS = [
  /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\/\/\/\s*<reference\s+(?:path|types)\s*=\s*['"]([^'"]+)['"]/g,
];

function specifiers(text: string): string[] {
  return SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!));
}

/** `./x.js` → `./x.d.ts`, or `./x/index.d.ts`; undefined when neither exists. */
function declarationOf(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.(m|c)?js$/, '.d.$1ts'), `${base}.d.ts`, base.endsWith('.d.ts') ? base : '', resolve(base, 'index.d.ts')];
  return candidates.find((c) => c !== '' && existsSync(c));
}

/** Every declaration file reachable from `entries` (absolute paths), in discovery order. */
export function reachableDeclarations(entries: readonly string[]): DeclarationFile[] {
  const seen = new Set<string>();
  const queue = [...entries];
  const files: DeclarationFile[] = [];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const externals: string[] = [];
    for (const specifier of specifiers(readFileSync(path, 'utf8'))) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) externals.push(specifier);
      else {
        const target = declarationOf(path, specifier);
        if (target) queue.push(target);
      }
    }
    files.push({ path, externals: [...new Set(externals)] });
  }
  return files;
}

/** The package a bare specifier names: `werift/lib/x` → `werift`, `@scope/p/x` → `@scope/p`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
