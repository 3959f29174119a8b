/** Writing raw logs: appending continues a memtop file as a new run; failed writes leave it readable. */
import assert from 'node:assert/strict';
import { readFileSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import { MemtopError } from '../src/messages.js';
import { RawWriter } from '../src/rawlog/writer.js';
import { ReplayFeed } from '../src/run/feeds.js';
import { plain, readLog, record, sampleMoments, tempDir } from './helpers/rawlog.js';

test('appending to a memtop log continues it; the first appended sample covers the time since boot', () => {
  const file = join(tempDir(), 'log');
  const first = sampleMoments(3);
  const second = sampleMoments(3, { first: 3 });
  record(file, first, { keyframeEvery: 2 });
  const size = statSync(file).size;
  record(file, second, { keyframeEvery: 2 });
  const log = readLog(file);
  assert.deepEqual(log.warnings, []);
  assert.equal(log.length, 6);
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => log.startsRun(i)), [true, false, false, true, false, false]);
  assert.equal(log.offsetOf(3), size, 'appended after the last record, no second header');
  assert.ok(log.isKeyframe(3), 'a run starts with a keyframe');
  for (let i = 0; i < 6; i++) assert.deepEqual(log.get(i), plain([...first, ...second][i]));
  const feed = new ReplayFeed(log, DEFAULT_THRESHOLDS);
  const since = [];
  for (let iv = feed.next(); iv; iv = feed.next()) since.push(iv.sinceBoot);
  assert.deepEqual(since, [true, false, false, true, false, false]);
});

test('appending refuses a file that is not a memtop log, or one from another page size, and leaves it alone', () => {
  const dir = tempDir();
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'my notes\n');
  const [s] = sampleMoments(1);
  assert.throws(() => record(text, [s!]), (err: unknown) =>
    err instanceof MemtopError && err.message === `${text} exists and is not a memtop log: not appending to it`);
  assert.equal(readFileSync(text, 'utf8'), 'my notes\n');

  const log = join(dir, 'log');
  record(log, [s!]);
  const before = readFileSync(log);
  assert.throws(() => record(log, [{ ...s!, pageSize: 65536 }]), (err: unknown) =>
    err instanceof MemtopError &&
    err.message === `${log} was recorded with page size 4096 and HZ 100, this system has 65536 and 100: not appending to it`);
  assert.deepEqual(readFileSync(log), before);
});

test('appending after a crash mid-record cuts the torn record off first, with a note', () => {
  const file = join(tempDir(), 'log');
  const samples = sampleMoments(4);
  record(file, samples.slice(0, 2));
  const good = statSync(file).size;
  record(file, samples.slice(2, 3));
  truncateSync(file, statSync(file).size - 10); // the crash
  const torn = statSync(file).size - good;
  const notes: string[] = [];
  record(file, samples.slice(3), { onNote: (m) => notes.push(m) });
  assert.deepEqual(notes, [`${file}: cut off ${torn} unusable bytes at its end (byte offset ${good}) before appending`]);
  const log = readLog(file);
  assert.deepEqual(log.warnings, []);
  assert.deepEqual(Array.from({ length: log.length }, (_, i) => log.get(i)), plain([samples[0], samples[1], samples[3]]));
});

test('a full disk: one clear line, the file readable up to its last whole record', () => {
  for (const how of ['short', 'ENOSPC'] as const) {
    const file = join(tempDir(), 'log');
    const samples = sampleMoments(5);
    let calls = 0;
    let tried = 0;
    const w = new RawWriter(file, {
      keyframeEvery: 2,
      write: (fd, data) => {
        if (++calls < 4) return writeSync(fd, data); // the header and two records
        tried = data.length;
        const half = writeSync(fd, data.subarray(0, data.length >> 1));
        if (how === 'short') return half;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    });
    w.append(samples[0]!);
    w.append(samples[1]!);
    const size = statSync(file).size;
    assert.throws(() => w.append(samples[2]!), (err: unknown) => {
      const reason = how === 'short' ? `only ${tried >> 1} of ${tried} bytes written (disk full?)` : 'no space left on device';
      assert.ok(err instanceof MemtopError);
      assert.equal(err.message, `cannot write ${file}: ${reason}; it is readable up to its last whole record (byte ${size})`);
      return true;
    });
    w.close();
    assert.equal(statSync(file).size, size, 'cut back to the last whole record');
    const log = readLog(file);
    assert.deepEqual(log.warnings, []);
    assert.deepEqual([log.get(0), log.get(1)], plain(samples.slice(0, 2)));
  }
});

test('a file that cannot be created: one clear line', () => {
  const [s] = sampleMoments(1);
  const missing = join(tempDir(), 'no', 'such', 'dir', 'log');
  assert.throws(() => record(missing, [s!]), (err: unknown) =>
    err instanceof MemtopError && err.message === `cannot write ${missing}: no such directory`);
  assert.throws(() => record(tempDir(), [s!]), (err: unknown) =>
    err instanceof MemtopError && /^cannot (write|read) .*: it is a directory$/.test(err.message));
});
