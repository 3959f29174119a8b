/**
 * Nothing lost silently (issue 11): a failed write of --json, --text, a
 * replay or --info is one line on stderr and exit 1; a closed pipe stays
 * quiet and ends memtop normally; -r of a device says it is not a log.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, memtop, spawnMemtop } from './helpers/cli.js';
import { CASE_STUDY } from './helpers/trees.js';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';

const ROOT = ['--proc', join(CASE_STUDY, 't151232'), '--sys', join(CASE_STUDY, 'sys')];

/** memtop with stdout on /dev/full. */
function toFull(args: string[]) {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 20000, killSignal: 'SIGKILL' });
    return { code: r.status, err: r.stderr };
  } finally {
    closeSync(full);
  }
}

function oneLine(err: string, what: string): void {
  assert.equal(err.trim().split('\n').length, 1, `${what}: ${err}`);
  assert.match(err, /^memtop: cannot write to stdout: no space left on device$/m, what);
  assert.doesNotMatch(err, /\bat .*\.js:\d+/, what);
}

test('--json, --text, --info and a replay to a full stdout: one line and exit 1', () => {
  const log = join(tempDir(), 'log');
  record(log, sampleMoments(5));
  const cases: [string, string[]][] = [
    ['--json', [...ROOT, '--json', '0.1', '2']],
    ['--text', [...ROOT, '--text', '0.1', '2']],
    ['--info', ['--info']],
    ['replay --json', ['-r', log, '--json']],
    ['replay --text', ['-r', log, '--text']],
  ];
  for (const [what, args] of cases) {
    const r = toFull(args);
    assert.equal(r.code, 1, `${what}: ${r.err}`);
    oneLine(r.err, what);
  }
});

test('a closed pipe (memtop --json | head -1) ends memtop quietly, exit 0', async () => {
  const child = spawnMemtop([...ROOT, '--json', '0.1']);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  try {
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, err);
    assert.equal(err, '');
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
  }
});

test('-r /dev/zero and -r of a FIFO: not a memtop log, at once', () => {
  const dir = tempDir();
  const fifo = join(dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  for (const path of ['/dev/zero', fifo]) {
    const r = memtop(['-r', path, '--json'], { timeout: 10000 });
    assert.equal(r.signal, null, `${path}: memtop hung`);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, `memtop: ${path} is not a regular file: not a memtop log (a recording on a pipe: memtop -r - < FILE)\n`);
  }
});
