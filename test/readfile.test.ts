/** The reader's file access: whole files through one reused, growing buffer; gone and missing files. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Damaged, DENIED, GONE, isProcfs, memoText, OpenFiles, readOptional, readText, UNCHANGED, type Memo } from '../src/reader/readfile.js';
import { makeTree } from './helpers/trees.js';

test('a file larger than the buffer is read whole, in either mode', () => {
  const big = 'x'.repeat(200_000) + 'END\n';
  const dir = makeTree({ big, small: 'tiny\n' });
  assert.equal(readText(join(dir, 'big')), big);
  assert.equal(readText(join(dir, 'big'), { oneRead: true }), big);
  assert.equal(readText(join(dir, 'small'), { oneRead: true }), 'tiny\n', 'the buffer is reused, no leftovers');
});

test('a missing file is gone, not an error; unreadable is told apart', () => {
  assert.equal(readText('/nonexistent/stat'), GONE);
  assert.equal(readOptional('/nonexistent/stat'), undefined);
  assert.notEqual(GONE, DENIED);
  const dir = makeTree({ 'd/x': '' });
  const d = readText(join(dir, 'd'));
  assert.ok(d instanceof Damaged, 'a directory is not a file the kernel writes, never a throw');
  assert.equal(d.why, 'is a directory, not a regular file', 'the read says why, no state kept');
});

test('/proc/self/stat and a multi-page /proc file read whole', () => {
  const stat = readText('/proc/self/stat', { oneRead: true });
  assert.ok(typeof stat === 'string' && stat.endsWith('\n') && stat.includes(`${process.pid} (`));
  const maps = readText('/proc/self/maps');
  assert.ok(typeof maps === 'string' && maps.endsWith('\n'));
  assert.ok(maps.split('\n').length > 10);
});

test('kept open on procfs: a read at offset 0 gives figures made now, one fd per key', () => {
  assert.ok(isProcfs('/proc'));
  const files = new OpenFiles<string>((name) => `/proc/self/${name}`, Infinity);
  const utime = () => {
    const t = files.read('stat');
    assert.ok(typeof t === 'string');
    return Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[11]);
  };
  const before = utime();
  let after = before;
  for (let spin = 0; after === before && spin < 2000; spin++) {
    for (let i = 0, x = 0; i < 1e6; i++) x += i;
    after = utime();
  }
  assert.ok(after > before, `utime moved on the same fd (${before} -> ${after})`);
  assert.equal(files.size, 1);
  // A seq file of several pages comes whole through the kept fd, every time.
  const once = files.read('maps');
  const again = files.read('maps');
  assert.ok(typeof once === 'string' && typeof again === 'string');
  assert.equal(again.split('\n')[0], readText('/proc/self/maps').toString().split('\n')[0]);
  assert.ok(again.split('\n').length > 10 && again.endsWith('\n'));
  assert.equal(files.size, 2);
  files.closeAll();
  assert.equal(files.size, 0);
});

test('a kept fd of a process that exited reads as gone and is closed', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const files = new OpenFiles<number>((pid) => `/proc/${pid}/stat`, Infinity);
  assert.ok(typeof files.read(child.pid!) === 'string');
  assert.equal(files.size, 1);
  child.kill();
  await once(child, 'exit');
  assert.equal(files.read(child.pid!), GONE);
  assert.equal(files.size, 0, 'the dead fd was given back');
});

test('past the limit, files are opened and closed each time; limit 0 keeps nothing', () => {
  const dir = makeTree({ a: 'A\n', b: 'B\n' });
  const one = new OpenFiles<string>((k) => join(dir, k), 1);
  assert.equal(one.read('a'), 'A\n');
  assert.equal(one.read('b'), 'B\n');
  assert.equal(one.size, 1);
  const none = new OpenFiles<string>((k) => join(dir, k), 0);
  assert.equal(none.read('a'), 'A\n');
  assert.equal(none.size, 0);
  assert.equal(none.read('missing'), GONE);
  // Why fds are kept only on procfs: a replaced plain file is not seen through an old fd.
  assert.equal(isProcfs(dir), false);
  renameSync(join(dir, 'b'), join(dir, 'a'));
  assert.equal(one.read('a'), 'A\n', 'the kept fd still reads the replaced file');
  assert.equal(none.read('a'), 'B\n');
});

test('a memo answers UNCHANGED for the same bytes and takes the new ones', () => {
  const dir = makeTree({ s: '1 (x) S 0\n' });
  const files = new OpenFiles<string>((k) => join(dir, k), 0);
  const memo: Memo = { length: 0 };
  assert.equal(files.read('s', memo), '1 (x) S 0\n');
  assert.equal(files.read('s', memo), UNCHANGED);
  assert.equal(memoText(memo), '1 (x) S 0\n');
  writeFileSync(join(dir, 's'), '1 (x) R 0\n');
  assert.equal(files.read('s', memo), '1 (x) R 0\n');
  writeFileSync(join(dir, 's'), `1 (${'y'.repeat(1000)}) R 0\n`);
  assert.equal(files.read('s', memo), `1 (${'y'.repeat(1000)}) R 0\n`, 'a longer text grows the memo');
  assert.equal(files.read('s', memo), UNCHANGED);
  writeFileSync(join(dir, 's'), '1 (x) R 0\n');
  assert.equal(files.read('s', memo), '1 (x) R 0\n', 'a shorter one is not a prefix match');
});
