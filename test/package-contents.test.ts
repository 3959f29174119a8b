/**
 * What the package ships (`npm pack --dry-run --json`): what runs and the
 * documents, not the unbundled modules of dist/ nor contrib/fuzz.sh; and every
 * path of the repository the shipped documents name is in the package, or
 * under a place the README says is in a clone only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What the README's "Installing" section says is in a clone only: a path, or a folder ending in `/`. */
const CLONE_ONLY = ['src/', 'test/', 'bench/', 'fixtures/', '.ci/', 'scripts/', 'tsconfig.json', 'tsconfig.check.json', 'package-lock.json', 'contrib/fuzz.sh'];

const packed = (): string[] => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
};

const tracked = (): string[] => execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n');

test('the package ships what runs: the command, its bundle, no unbundled fallback, no fuzz script', () => {
  const files = packed();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; os?: string[] };
  assert.deepEqual(files.filter((f) => f.startsWith('dist/')).sort(), ['dist/bin.cjs', 'dist/cli.bundle.cjs', 'dist/codecache.cjs']);
  assert.ok(files.includes(pkg.bin.memtop!.replace(/^\.\//, '')));
  assert.ok(!files.includes('contrib/fuzz.sh'));
  assert.ok(files.includes('contrib/memtop.service'));
  assert.deepEqual(pkg.os, ['linux']);
  // The bundle loads nothing of dist/ beside it (its libraries are packages): the modules left out are not needed.
  const bundle = readFileSync(join(root, 'dist', 'cli.bundle.cjs'), 'utf8');
  assert.doesNotMatch(bundle, /require\(["']\.\.?\//);
});

test('every repository path the shipped documents name is in the package or said to be in a clone only', () => {
  const files = packed();
  const inPack = (p: string) => files.includes(p) || files.some((f) => f.startsWith(`${p}/`));
  const repo = tracked();
  const dirs = new Set(repo.flatMap((f) => f.split('/').slice(1).map((_, i, a) => f.split('/').slice(0, i + 1).join('/'))));
  const isRepoPath = (p: string) => repo.includes(p) || dirs.has(p);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const place of CLONE_ONLY) assert.ok(readme.includes(`\`${place.replace(/\/$/, '')}`), `the README says ${place} is in a clone only`);
  const docs = files.filter((f) => /\.md$|^man\//.test(f));
  assert.ok(docs.length >= 5, docs.join(' '));
  const named = new Map<string, string[]>();
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), 'utf8');
    for (const m of text.matchAll(/[A-Za-z0-9_.\-/]+/g)) {
      const word = m[0].replace(/[.,:;]+$/, '').replace(/^\.\//, '').replace(/\/$/, '');
      if (!isRepoPath(word) || !(word.includes('/') || /\.[a-z]+$/.test(word))) continue;
      named.set(word, [...(named.get(word) ?? []), doc]);
    }
  }
  assert.ok(named.size >= 10, `paths read from the documents: ${[...named.keys()].join(' ')}`);
  const missing = [...named].filter(([p]) => !inPack(p) && !CLONE_ONLY.some((c) => p === c.replace(/\/$/, '') || (c.endsWith('/') && p.startsWith(c))));
  assert.deepEqual(missing.map(([p, d]) => `${p} (${[...new Set(d)].join(', ')})`), []);
});
