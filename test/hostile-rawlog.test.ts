/**
 * The raw log under hostile conditions (issue 11): a second recorder on
 * the same file is refused in one line naming the file (the lock dies with
 * its holder); appending to a file whose header was hit says what it does
 * and keeps every record.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, memtop } from './helpers/cli.js';
import { CASE_STUDY } from './helpers/trees.js';
import { readLog, record, sampleMoments, tempDir } from './helpers/rawlog.js';

const PROC = ['--proc', join(CASE_STUDY, 't151232'), '--sys', join(CASE_STUDY, 'sys')];


/** Waits until the log at `file` holds `n` samples (or 10 s pass). */
async function samplesIn(file: string, n: number): Promise<number> {
  let have = 0;
  for (let i = 0; i < 200 && have < n; i++) {
    try {
      have = readLog(file).length;
    } catch {
      have = 0;
    }
    if (have < n) await new Promise((r) => setTimeout(r, 50));
  }
  return have;
}

test('a second -w on the same file (and --log-dir on the same directory) is refused; the lock dies with its holder', async () => {
  const dir = tempDir();
  const file = join(dir, 'rec');
  const first = spawn(process.execPath, [CLI, '-w', file, ...PROC, '0.1'], { stdio: 'ignore' });
  try {
    assert.ok((await samplesIn(file, 2)) >= 2, 'the first recorder writes');
    const second = memtop(['-w', file, ...PROC, '0.1', '3']);
    assert.equal(second.code, 1, second.err);
    assert.equal(second.err, `memtop: ${file} is being written by another memtop (pid ${first.pid}): not writing it too\n`);
    // Killed without a chance to clean up: the next recorder is not blocked.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const before = readLog(file).length;
    const third = memtop(['-w', file, ...PROC, '0.1', '2']);
    assert.equal(third.code, 0, third.err);
    assert.equal(readLog(file).length, before + 2, 'every sample of both recorders kept');
  } finally {
    first.kill('SIGKILL');
  }
  const logDir = join(dir, 'daily');
  const daily = spawn(process.execPath, [CLI, '--log-dir', logDir, ...PROC, '0.1'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 700));
    const again = memtop(['--log-dir', logDir, ...PROC, '0.1', '2']);
    assert.equal(again.code, 1, again.err);
    assert.match(again.err, /^memtop: the log directory .*daily is being written by another memtop \(pid \d+\): not writing it too\n$/);
  } finally {
    daily.kill('SIGKILL');
  }
});

test('appending to a file whose header was hit: one line says what memtop does, every record before and after replays', () => {
  const file = join(tempDir(), 'rec');
  record(file, sampleMoments(3));
  const buf = readFileSync(file);
  buf[30] = buf[30]! ^ 0x10; // inside the header's JSON
  writeFileSync(file, buf);
  const r = memtop(['-w', file, ...PROC, '0.1', '2']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /^memtop: .*rec: damaged memtop log header \(checksum\): appending after its last whole record; replays take the header's facts from its first sample\n$/);
  const replay = memtop(['-r', file, '--json']);
  assert.equal(replay.code, 0, replay.err);
  assert.equal(replay.out.trim().split('\n').length, 5, 'three samples from before, two appended');
  assert.match(replay.err, /damaged memtop log header \(checksum\): its facts are taken from the first sample/);
});
