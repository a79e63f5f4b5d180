/**
 * The SDK's version, what `clientDetails` and SendStats report. Read from rxsfu's own package.json,
 * found by walking up from this file: `lib/` when run from source, `dist/lib/` when built and
 * installed (a fixed relative path was right for one and wrong, `0.0.0`, for the other).
 */
import { readFileSync } from 'node:fs';

const PACKAGE_NAME = 'rxsfu';
/** Reported when no rxsfu package.json is found (a bundler that dropped it). */
const UNKNOWN_VERSION = '0.0.0';

function readVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const found = versionIn(new URL('package.json', dir));
    if (found !== undefined) return found;
    if (dir.pathname === '/') return UNKNOWN_VERSION;
  }
}

function versionIn(file: URL): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === PACKAGE_NAME && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** rxsfu's version (`major.minor.patch`), read once at load; what `clientDetails` sends. */
export const VERSION: string = readVersion();
