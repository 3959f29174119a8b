/**
 * Hostile trees under --proc and --sys (issue 11): FIFOs, devices,
 * directories, symlink loops and giant files are unknown with one note,
 * never a hang nor an unbounded read. memtop runs as a child with a
 * timeout, so a hang fails the test instead of hanging it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI } from './helpers/cli.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';


function memtop(args: string[], timeout = 15000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

function tree(): { proc: string; sys: string } {
  const proc = makeTree(fakeProcFiles({ uptime: 50, procs: [{ pid: 40, swapKb: 8 }, { pid: 41 }] }));
  const sys = join(proc, 'fakesys');
  mkdirSync(join(sys, 'block/dm-0/dm'), { recursive: true });
  writeFileSync(join(sys, 'block/dm-0/dm/name'), 'vg-root\n');
  return { proc, sys };
}

/** Replaces `path` with what makeNode makes there. */
function plant(path: string, makeNode: (path: string) => void): void {
  rmSync(path, { force: true, recursive: true });
  makeNode(path);
}

const fifo = (path: string) => {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, String(r.stderr));
};

test('a FIFO as loadavg, PID/status or dm/name: the sample comes, the file is unknown with one note each', () => {
  const { proc, sys } = tree();
  writeFileSync(join(proc, 'diskstats'), '253 0 dm-0 100 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0\n');
  plant(join(proc, 'loadavg'), fifo);
  plant(join(proc, '41/status'), fifo);
  plant(join(sys, 'block/dm-0/dm/name'), fifo);
  const r = memtop(['--proc', proc, '--sys', sys, '--json', '1', '2']);
  assert.equal(r.signal, null, `memtop hung: ${r.err}`);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 2);
  const json = JSON.parse(lines[1]!);
  const p41 = json.procs.find((p: { pid: number }) => p.pid === 41);
  assert.ok(p41, 'the process with a FIFO status is still listed');
  assert.equal(p41.user, '?');
  assert.equal(p41.swapsz, null);
  const notes = r.err.trim().split('\n');
  for (const path of ['loadavg', '41/status']) {
    assert.equal(notes.filter((n) => n.includes(join(proc, path))).length, 1, `one note for ${path}: ${r.err}`);
  }
  assert.equal(notes.filter((n) => n.includes('dm/name')).length, 1, r.err);
  assert.match(r.err, /loadavg is a FIFO, not a regular file/);
  assert.equal(notes.length, 3, r.err);
});

test('a device, a directory and a symlink loop in place of a /proc file: unknown with a note, no hang', () => {
  const { proc, sys } = tree();
  plant(join(proc, 'meminfo'), (p) => symlinkSync('/dev/zero', p));
  plant(join(proc, 'diskstats'), (p) => symlinkSync('/dev/urandom', p));
  plant(join(proc, 'vmstat'), (p) => mkdirSync(p));
  plant(join(proc, '40/status'), (p) => symlinkSync(p, p));
  const started = Date.now();
  const r = memtop(['--proc', proc, '--sys', sys, '--json', '1', '2']);
  assert.equal(r.signal, null, `memtop hung: ${r.err}`);
  assert.equal(r.code, 0, r.err);
  assert.ok(Date.now() - started < 10000, 'no read of an endless device');
  assert.match(r.err, /meminfo is a device, not a regular file/);
  assert.match(r.err, /diskstats is a device/);
  assert.match(r.err, /vmstat is a directory/);
  assert.match(r.err, /40\/status is a symbolic link loop/);
  const json = JSON.parse(r.out.trim().split('\n')[1]!);
  assert.equal(json.procs.find((p: { pid: number }) => p.pid === 40).vdata, null);
});

test('a file longer than the kernel writes is damaged after a bounded read: a 200 MB PID/stat, a 64 MB diskstats', () => {
  const { proc, sys } = tree();
  truncateSync(join(proc, '41/stat'), 200 << 20); // sparse: costs no disk
  writeFileSync(join(proc, 'diskstats'), '   8       0 sda 1 0 8 5 2 0 16 8 0 12 13 0 0 0 0 0 0\n'.repeat(1));
  truncateSync(join(proc, 'diskstats'), 64 << 20);
  const r = memtop(['--proc', proc, '--sys', sys, '--json', '1', '2']);
  assert.equal(r.signal, null, `memtop hung: ${r.err}`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /41\/stat is longer than the 8192 bytes the kernel writes there: its figures are unknown/);
  assert.match(r.err, /diskstats is longer than the 16777216 bytes/);
  const json = JSON.parse(r.out.trim().split('\n')[1]!);
  assert.ok(!json.procs.some((p: { pid: number }) => p.pid === 41), 'a damaged stat names no process');
  assert.ok(json.procs.some((p: { pid: number }) => p.pid === 40));
});

test('--proc /proc/self (a process directory, not a proc root) is refused in one line', () => {
  const r = memtop(['--proc', '/proc/self', '--json', '1', '1']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^memtop: \/proc\/self\/stat does not start with a cpu line: \/proc\/self is not a proc root/);
  assert.equal(r.err.trim().split('\n').length, 1);
});

test('a process directory whose command name holds a newline and "cpu" is refused as well', () => {
  // What /proc/PID/stat holds for a process that named itself "x\ncpu  1 2 3" (prctl PR_SET_NAME, 15 bytes).
  const dir = makeTree({ stat: '4242 (x\ncpu  1 2 3) S 1 4242 4242 0 -1 4194560 10 0 0 0 5 5 0 0 20 0 1 0 100 4096000 100 ' +
    '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n', status: 'Name:\tx\\ncpu  1 2 3\n' });
  const r = memtop(['--proc', dir, '--sys', join(dir, 'nosys'), '--json', '1', '1']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /stat does not start with a cpu line: .* is not a proc root/);
  assert.equal(r.out, '');
});
