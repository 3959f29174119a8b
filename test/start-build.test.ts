/**
 * `npm start` builds only when dist/ is missing or older than its sources
 * (scripts/build-if-stale.mjs), in a copy of the script beside a fake project
 * whose build counts its runs: a fresh clone builds, a second start does not,
 * a changed, added or removed source builds again, a failed build fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'build-if-stale.mjs');

test('npm start: a build only when the sources changed since the last one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-start-'));
  try {
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src', 'model'), { recursive: true });
    copyFileSync(SCRIPT, join(dir, 'scripts', 'build-if-stale.mjs'));
    const build = "const fs=require('fs');fs.mkdirSync('dist',{recursive:true});for(const f of ['cli.js','bin.cjs','cli.bundle.cjs'])fs.writeFileSync('dist/'+f,'');fs.appendFileSync('builds','x')";
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake', private: true, scripts: { build: `node -e "${build}"` } }));
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    writeFileSync(join(dir, 'src', 'cli.ts'), '');
    writeFileSync(join(dir, 'src', 'model', 'a.ts'), '');
    const past = (path: string) => utimesSync(join(dir, path), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const start = () => spawnSync(process.execPath, [join(dir, 'scripts', 'build-if-stale.mjs')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const builds = () => readFileSync(join(dir, 'builds'), 'utf8').length;
    /** Every input a minute old: what a build made since is newer. */
    const settle = () => ['package.json', 'tsconfig.json', 'src/cli.ts', 'src/model/a.ts', 'src/model', 'src'].filter((p) => existsSync(join(dir, p))).forEach(past);

    settle();
    let r = start();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /dist\/ is not built yet: npm run build/);
    assert.equal(builds(), 1, 'a fresh clone builds');
    r = start();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'nothing said');
    assert.equal(builds(), 1, 'built already: no build');

    writeFileSync(join(dir, 'src', 'model', 'a.ts'), '// changed');
    r = start();
    assert.match(r.stderr, /src\/ changed/);
    assert.equal(builds(), 2);
    settle();
    assert.equal((start(), builds()), 2);

    rmSync(join(dir, 'src', 'model', 'a.ts'));
    assert.equal((start(), builds()), 3, 'a removed source: its directory changed');
    settle();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake', private: true, scripts: { build: 'node -e "process.exit(3)"' } }));
    r = start();
    assert.notEqual(r.status, 0, 'a failed build fails the start');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
