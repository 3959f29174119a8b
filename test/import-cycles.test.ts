/**
 * Layers import one way: no folder of src/ may reach itself through the
 * imports of its files (static `import ... from`, `export ... from` and
 * dynamic `import('...')`, type-only imports included), and a folder
 * imports only from the layers below it (LAYERS, as docs/ARCHITECTURE.md
 * draws them). A file directly in src/ counts as a folder of its own.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.c?ts$/.test(e.name) ? [join(dir, e.name)] : []);
}

/** The folder of src/ a file belongs to: `view`, or the file's own name for one directly in src/. */
function folderOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative modules a source file imports, as .ts paths. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts'));
  }
  return out;
}

/** Folder -> folder edges, each with one file import that makes it (for the message). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const target of importsOf(file, readFileSync(file, 'utf8'))) {
      const to = folderOf(target);
      if (to !== from && !graph.get(from)!.has(to)) {
        graph.get(from)!.set(to, `${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
  }
  return graph;
}

/** One cycle as its chain of imports, or undefined when the graph has none. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        return loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!);
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

test('the import parser sees static, re-exported, type-only and dynamic imports, not comments', () => {
  const file = join(SRC, 'run', 'x.ts');
  const text = [
    "import { a } from '../model/a.js';",
    "import type { B } from './b.js';",
    "export { c } from '../columns/c.js';",
    'import {\n  d,\n  e,\n} from "../view/d.js";',
    "const m = await import('../export/m.js');",
    "// import { no } from '../nope/a.js';",
    "/* import { no } from '../nope/b.js'; */",
    "import { readFileSync } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(importsOf(file, text).map((p) => relative(SRC, p)), [
    join('model', 'a.ts'), join('run', 'b.ts'), join('columns', 'c.ts'), join('view', 'd.ts'), join('export', 'm.ts'),
  ]);
});

test('the cycle finder reports a cycle between folders with the imports that make it', () => {
  const graph = new Map([
    ['a', new Map([['b', 'a/x.ts imports b/y.ts']])],
    ['b', new Map([['c', 'b/y.ts imports c/z.ts']])],
    ['c', new Map([['a', 'c/z.ts imports a/w.ts']])],
  ]);
  assert.deepEqual(findCycle(graph), ['a/x.ts imports b/y.ts', 'b/y.ts imports c/z.ts', 'c/z.ts imports a/w.ts']);
  graph.get('c')!.clear();
  assert.equal(findCycle(graph), undefined);
});

/**
 * The layers, lowest first: a folder may import from a folder of a lower
 * layer, never from its own layer or a higher one. A new folder goes in the
 * lowest layer above everything it imports.
 */
const LAYERS: string[][] = [
  ['procfs', 'format', 'messages.ts', 'ownership.ts', 'trace'],
  ['sample.ts', 'configfile.ts', 'host'],
  ['reader', 'rawlog'],
  ['model', 'contain'],
  ['columns', 'feed.ts'],
  ['output', 'export', 'config.ts'],
  ['run'],
  ['view'],
  ['cli.ts', 'codecache.cts'],
  ['bin.cts'],
];

test('every folder imports only from the layers below its own', () => {
  const graph = folderGraph();
  const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const unplaced = [...graph.keys()].filter((f) => !layerOf.has(f));
  assert.deepEqual(unplaced, [], `src/ folders not in LAYERS (test/import-cycles.test.ts): ${unplaced.join(', ')}`);
  const upward = [...graph].flatMap(([from, edges]) =>
    [...edges].filter(([to]) => layerOf.get(to)! >= layerOf.get(from)!).map(([, how]) => how));
  assert.deepEqual(upward, [], `imports that go up or sideways: ${upward.join('; ')}`);
});

test('no import cycle between the folders of src/', () => {
  const graph = folderGraph();
  assert.ok(graph.size >= 10, `found only ${graph.size} folders under ${SRC}`);
  assert.ok(graph.get('view')?.has('model'), 'view/ should be seen importing model/');
  const cycle = findCycle(graph);
  assert.equal(cycle, undefined, `import cycle: ${cycle?.join(', ')}`);
});
