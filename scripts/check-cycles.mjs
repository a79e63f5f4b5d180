#!/usr/bin/env node
/**
 * Fails (exit 1) when the modules under a folder (default lib/) import each other in a cycle.
 * Every relative `import`/`export … from`/`import()` counts, type-only ones included: a type cycle
 * still means two files that cannot be read, or moved, one without the other. Written as a small
 * script rather than a dependency because it only needs the import lines of our own sources.
 *
 *   node scripts/check-cycles.mjs [root]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'lib');

function sourcesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' || name === 'node_modules' ? [] : sourcesUnder(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

const specifier = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]\s*\)|import\s*['"](\.[^'"]+)['"]/g;

function importsOf(file, known) {
  const text = readFileSync(file, 'utf8');
  const targets = new Set();
  for (const match of text.matchAll(specifier)) {
    const spec = match[1] ?? match[2] ?? match[3];
    const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
    const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
    if (target) targets.add(target);
  }
  return [...targets];
}

/** Tarjan's strongly connected components: every component of more than one file is a cycle. */
function cycles(graph) {
  let index = 0;
  const indexOf = new Map(), low = new Map(), stack = [], onStack = new Set(), found = [];
  const visit = (node) => {
    indexOf.set(node, index); low.set(node, index); index++;
    stack.push(node); onStack.add(node);
    for (const next of graph.get(node)) {
      if (!indexOf.has(next)) { visit(next); low.set(node, Math.min(low.get(node), low.get(next))); }
      else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indexOf.get(next)));
    }
    if (low.get(node) !== indexOf.get(node)) return;
    const component = [];
    let member;
    do { member = stack.pop(); onStack.delete(member); component.push(member); } while (member !== node);
    if (component.length > 1 || graph.get(node).includes(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

const files = sourcesUnder(root);
const known = new Set(files);
const graph = new Map(files.map((file) => [file, importsOf(file, known)]));
const found = cycles(graph);
const show = (file) => relative(process.cwd(), file);
if (found.length === 0) {
  console.log(`check-cycles: no import cycle among ${files.length} files in ${show(root)}/`);
} else {
  for (const component of found) {
    const members = new Set(component);
    console.error(`import cycle: ${component.map(show).sort().join(', ')}`);
    for (const file of component.sort()) {
      const inside = graph.get(file).filter((target) => members.has(target)).map(show);
      console.error(`  ${show(file)} → ${inside.join(', ')}`);
    }
  }
  process.exit(1);
}
