/**
 * memtop's own code cache (src/codecache.cts), used where Node has no
 * compile cache of its own (before 22.1): the first start writes V8's
 * compiled code of the bundle, later starts use it, a damaged file is
 * replaced, and a cache directory others can write is never used; the
 * directory is opened once (a symbolic link swapped in later gets nothing),
 * and as root only a root-owned place is used.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, requireBuild } from './helpers/cli.js';

const nodeHasItsOwn = (module as { enableCompileCache?: unknown }).enableCompileCache !== undefined;
const skip = nodeHasItsOwn ? 'this Node has module.enableCompileCache: memtop uses Node\'s cache' : false;

requireBuild();

/** memtop --json 1 1 with the cache under `home`; its one JSON line, checked. */
function jsonOnce(home: string, env: Record<string, string> = {}, samples = 1): void {
  const r = spawnSync(process.execPath, [CLI, '--json', '1', String(samples)], {
    env: { ...process.env, XDG_CACHE_HOME: home, ...env },
    timeout: 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stderr.toString(), '');
  const lines = r.stdout.toString().trim().split('\n');
  assert.equal(lines.length, samples);
  const sample = JSON.parse(lines.at(-1)!) as { mem?: { tot?: number } };
  assert.ok((sample.mem?.tot ?? 0) > 0, 'a sample with the memory total');
}

/** Runs `body` with a fresh cache home, removed afterwards. */
function inCacheHome(body: (home: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'memtop-cc-'));
  try {
    body(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function cacheFiles(home: string): string[] {
  try {
    return readdirSync(join(home, 'memtop')).filter((f) => f.endsWith('.v8cache'));
  } catch {
    return [];
  }
}

test('a short first run writes the short cache (0600 in a 0700 directory), the next uses it without writing', { skip }, () => {
  inCacheHome((home) => {
    jsonOnce(home);
    const [file, ...more] = cacheFiles(home);
    assert.match(file ?? '', /\.short\.v8cache$/, 'a short cache after the first start');
    assert.deepEqual(more, []);
    const path = join(home, 'memtop', file!);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'memtop')).mode & 0o777, 0o700);
    assert.ok(statSync(path).size > 10_000, 'compiled code, not an empty file');
    const before = statSync(path);
    jsonOnce(home);
    const after = statSync(path);
    assert.equal(after.ino, before.ino, 'not written again');
    assert.equal(after.mtimeMs, before.mtimeMs);
  });
});

test('a run past its first seconds writes the full cache in place of the short one; later runs keep it', { skip }, () => {
  inCacheHome((home) => {
    jsonOnce(home);
    const short = statSync(join(home, 'memtop', cacheFiles(home)[0]!)).size;
    jsonOnce(home, {}, 7); // about 6 s: the full cache is written at 5 s
    const [file, ...more] = cacheFiles(home);
    assert.match(file ?? '', /\.full\.v8cache$/);
    assert.deepEqual(more, [], 'the short cache is gone');
    const path = join(home, 'memtop', file!);
    assert.ok(statSync(path).size >= short, `the full cache (${statSync(path).size} B) holds at least the short one's ${short} B`);
    const ino = statSync(path).ino;
    jsonOnce(home);
    assert.equal(statSync(path).ino, ino, 'a short run leaves the full cache alone');
    assert.deepEqual(cacheFiles(home), [file]);
  });
});

test('a damaged cache is refused by V8 and written again; the output is right either way', { skip }, () => {
  inCacheHome((home) => {
    jsonOnce(home);
    const path = join(home, 'memtop', cacheFiles(home)[0]!);
    const garbage = Buffer.alloc(statSync(path).size, 0x5a);
    writeFileSync(path, garbage, { mode: 0o600 });
    jsonOnce(home);
    assert.notDeepEqual(readFileSync(path), garbage, 'the damaged file was replaced');
    jsonOnce(home);
  });
});

test('a damaged full cache is removed, not read again before the short one the next run writes', { skip }, () => {
  inCacheHome((home) => {
    jsonOnce(home, {}, 7); // the full cache, written at 5 s
    const [full] = cacheFiles(home);
    assert.match(full ?? '', /\.full\.v8cache$/);
    writeFileSync(join(home, 'memtop', full!), Buffer.alloc(statSync(join(home, 'memtop', full!)).size, 0x5a), { mode: 0o600 });
    jsonOnce(home); // refuses it, removes it, writes a short one at exit
    const [short, ...more] = cacheFiles(home);
    assert.match(short ?? '', /\.short\.v8cache$/, 'the refused full cache is gone and a short one took its place');
    assert.deepEqual(more, []);
    const ino = statSync(join(home, 'memtop', short!)).ino;
    jsonOnce(home);
    assert.equal(statSync(join(home, 'memtop', short!)).ino, ino, 'the short cache is used, not written again');
  });
});

test('a cache directory that others can write is neither used nor written', { skip }, () => {
  inCacheHome((home) => {
    jsonOnce(home);
    const dir = join(home, 'memtop');
    for (const f of cacheFiles(home)) rmSync(join(dir, f));
    chmodSync(dir, 0o777);
    jsonOnce(home);
    assert.deepEqual(cacheFiles(home), []);
    // A group-writable cache file in a private directory is not read either: it is written anew.
    chmodSync(dir, 0o700);
    jsonOnce(home);
    const path = join(dir, cacheFiles(home)[0]!);
    chmodSync(path, 0o666);
    const ino = statSync(path).ino;
    jsonOnce(home);
    assert.notEqual(statSync(path).ino, ino, 'a cache others could have written is replaced, not used');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});

test('the bundle has no import(): run from a vm.Script it would have no module loader', () => {
  const bundle = readFileSync(join(CLI, '..', 'cli.bundle.cjs'), 'utf8');
  const calls = bundle.match(/\bimport\(\s*[^)]{0,60}/g) ?? [];
  assert.deepEqual(calls, [], 'a library loaded with import() in src/: load it with createRequire (see view/trendcanvas.ts)');
});

test('MEMTOP_CODE_CACHE=off writes nothing', { skip }, () => {
  inCacheHome((home) => {
    jsonOnce(home, { MEMTOP_CODE_CACHE: 'off' });
    assert.deepEqual(cacheFiles(home), []);
  });
});

test('the cache directory is opened once: a symbolic link swapped in for it later gets nothing written into it and nothing removed from it', { skip, timeout: 90_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'memtop-cc-'));
  const victim = mkdtempSync(join(tmpdir(), 'memtop-cc-victim-'));
  try {
    // Files named as caches are, more than are kept: a prune in the victim would remove some.
    const planted = Array.from({ length: 6 }, (_, i) => `bundle-old-${i}.full.v8cache`);
    for (const f of planted) writeFileSync(join(victim, f), 'x');
    const child = spawn(process.execPath, [CLI, '--json', '1', '7'], { env: { ...process.env, XDG_CACHE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Past its start (the first sample is out), the directory is swapped for a link to the victim.
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve();
    }));
    renameSync(join(home, 'memtop'), join(home, 'moved'));
    symlinkSync(victim, join(home, 'memtop'));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.deepEqual(readdirSync(victim).sort(), planted.sort(), 'nothing written into the victim, nothing removed from it');
    assert.ok(readdirSync(join(home, 'moved')).some((f) => f.endsWith('.v8cache')), 'the cache went to the directory memtop opened');
    assert.equal(lstatSync(join(home, 'memtop')).isSymbolicLink(), true);
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(victim, { recursive: true, force: true });
  }
});

test('as root, a cache home that is not root\'s (sudo -E) is not used: nothing is made or written there', { skip: skip || (process.getuid?.() !== 0 && 'the rule is root\'s') }, () => {
  inCacheHome((home) => {
    const user = join(home, 'user-cache');
    mkdirSync(user);
    chownSync(user, 54321, 54321);
    jsonOnce(user);
    assert.deepEqual(readdirSync(user), [], 'no memtop directory made in a user\'s cache');
    // A link in place of the directory, to a root-owned place: not followed either.
    const target = join(home, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    const linked = join(home, 'linked');
    mkdirSync(linked);
    symlinkSync(target, join(linked, 'memtop'));
    jsonOnce(linked);
    assert.deepEqual(readdirSync(target), [], 'a symbolic link as the cache directory is not used');
  });
});
