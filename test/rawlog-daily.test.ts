/** Daily logs: a file per local day switched at midnight (injected clock), old files removed; -r dates; -b/-e times. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DailyLog, dailyFileFor, dayStamp, daysBefore, pruneDaily } from '../src/rawlog/daily.js';
import { parseReplayTime, parseTimeSpec } from '../src/format/timespec.js';
import { MemtopError } from '../src/messages.js';
import { plain, readLog, sampleMoments, tempDir } from './helpers/rawlog.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime();

test('daily logging switches files at local midnight and removes files older than --keep days', () => {
  const dir = join(tempDir(), 'logs'); // created by DailyLog
  const times = [at(2024, 3, 5, 23, 59, 40), at(2024, 3, 5, 23, 59, 50), at(2024, 3, 6, 0, 0, 0), at(2024, 3, 6, 0, 0, 10), at(2024, 3, 6, 0, 0, 20)];
  const samples = sampleMoments(times.length, { times });
  const daily = new DailyLog(dir, 2);
  for (const old of ['memtop_20240228', 'memtop_20240302', 'memtop_20240303', 'memtop_20240304', 'memtop_notadate', 'atop_20240101', 'memtop_20240302.txt']) {
    writeFileSync(join(dir, old), 'x');
  }
  daily.append(samples[0]!);
  assert.equal(daily.path, join(dir, 'memtop_20240305'));
  // On 5 March, keeping 2 days: 3, 4 and 5 March stay.
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('memtop_2')).sort(),
    ['memtop_20240302.txt', 'memtop_20240303', 'memtop_20240304', 'memtop_20240305']);
  for (const s of samples.slice(1)) daily.append(s);
  daily.close();
  assert.equal(daily.path, join(dir, 'memtop_20240306'));
  assert.deepEqual(readdirSync(dir).sort(),
    ['atop_20240101', 'memtop_20240302.txt', 'memtop_20240304', 'memtop_20240305', 'memtop_20240306', 'memtop_notadate']);
  const day1 = readLog(join(dir, 'memtop_20240305'));
  const day2 = readLog(join(dir, 'memtop_20240306'));
  assert.deepEqual([day1.length, day2.length], [2, 3]);
  assert.deepEqual([day1.get(1), day2.get(0), day2.get(2)], plain([samples[1], samples[2], samples[4]]));
  assert.equal(day2.startsRun(0), true);

  // Started again the same day: the file is continued as a new run.
  const again = new DailyLog(dir, 2);
  again.append(sampleMoments(1, { times: [at(2024, 3, 6, 8)] })[0]!);
  again.close();
  const cont = readLog(join(dir, 'memtop_20240306'));
  assert.equal(cont.length, 4);
  assert.equal(cont.startsRun(3), true);
});

test('pruning by calendar day, also across a month and a year', () => {
  const dir = tempDir();
  for (const n of ['memtop_20231230', 'memtop_20231231', 'memtop_20240101', 'memtop_20240102']) writeFileSync(join(dir, n), 'x');
  assert.deepEqual(pruneDaily(dir, 1, at(2024, 1, 1, 12)), ['memtop_20231230']);
  assert.deepEqual(pruneDaily(dir, 28, at(2024, 1, 29)), ['memtop_20231231']);
  assert.deepEqual(readdirSync(dir).sort(), ['memtop_20240101', 'memtop_20240102']);
  assert.deepEqual(pruneDaily(join(dir, 'missing'), 1, at(2024, 1, 1)), []);
});

test('-r YYYYMMDD and y, yy... name daily files; other arguments are paths', () => {
  const now = at(2024, 3, 1, 9, 30);
  assert.equal(dailyFileFor('20240131', '/logs', now), '/logs/memtop_20240131');
  assert.equal(dailyFileFor('y', '/logs', now), '/logs/memtop_20240229');
  assert.equal(dailyFileFor('yyy', '/logs', now), '/logs/memtop_20240227');
  assert.equal(dailyFileFor('./20240131', '/logs', now), undefined);
  assert.equal(dailyFileFor('today.raw', '/logs', now), undefined);
  assert.throws(() => dailyFileFor('20240230', '/logs', now), (err: unknown) =>
    err instanceof MemtopError && err.exitCode === 2 && err.message === "invalid date '20240230': give YYYYMMDD, e.g. 20240301");
  assert.equal(dayStamp(daysBefore(at(2024, 3, 31, 23, 59), 31)), '20240229');
  assert.equal(existsSync('/logs'), false);
});

test('replay times: [YYYYMMDD ]hh:mm[:ss], the day of the recording by default, -e covering its minute', () => {
  const ref = at(2024, 3, 5, 10, 0, 0);
  assert.equal(parseReplayTime('14:30', ref), at(2024, 3, 5, 14, 30));
  assert.equal(parseReplayTime('1430', ref), at(2024, 3, 5, 14, 30));
  assert.equal(parseReplayTime('9:05:07', ref), at(2024, 3, 5, 9, 5, 7));
  assert.equal(parseReplayTime('20240306 00:10', ref), at(2024, 3, 6, 0, 10));
  assert.equal(parseReplayTime('2024030600:10', ref), at(2024, 3, 6, 0, 10));
  assert.equal(parseReplayTime('14:30', ref, true), at(2024, 3, 5, 14, 30, 59) + 999);
  assert.equal(parseReplayTime('14:30:15', ref, true), at(2024, 3, 5, 14, 30, 15) + 999);
  for (const bad of ['', '24:00', '12:60', '12:30:61', 'noon', '20240231 10:00', '20240101', '1:2', '12:30:']) {
    assert.equal(parseTimeSpec(bad), undefined, bad);
  }
});
