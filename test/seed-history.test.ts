/**
 * A fresh live screen has a past: the records of the last window in the
 * daily log being written are fed to its memory history before the first
 * sample, so a leak under way is a suspect at once. Samples of this machine
 * (this boot's clock), with one synthetic process growing 8 MiB/s added,
 * written as the daily logger writes them; then seedFromDailyLog and one
 * live-like interval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { buildInterval } from '../src/model/interval.js';
import { MemoryHistory } from '../src/model/leaks.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import { dailyName } from '../src/rawlog/daily.js';
import { RawWriter } from '../src/rawlog/writer.js';
import { Sampler } from '../src/reader/sampler.js';
import { seedFromDailyLog } from '../src/run/seed.js';
import type { ProcSample, Sample } from '../src/sample.js';
import { tempDir } from './helpers/rawlog.js';

const MiB = 1024 * 1024;
const PID = 4_000_000; // above any pid_max: no real process has it

/** The machine's sample moved `ago` seconds back, with the grower at its size then. */
function at(base: Sample, now: number, up: number, ago: number, start: number): Sample {
  const grower: ProcSample = {
    pid: PID, comm: 'grower', state: 'S', uid: 0, starttime: 12345, vsize: 4096 * MiB,
    rss: 100 * MiB + (start - ago) * 8 * MiB, rssAnon: 90 * MiB + (start - ago) * 8 * MiB, vmSwap: 0,
  };
  return { ...base, time: now - ago * 1000, uptime: up - ago, procs: [...base.procs.filter((p) => p.pid !== PID), grower] };
}

test('the live history starts from the daily log: a leak logged over the last two minutes is a suspect on the first live interval', () => {
  const base = new Sampler({ proc: '/proc', sys: '/sys' }).sample({});
  const now = Date.now();
  const up = uptime();
  const dir = tempDir();
  const w = new RawWriter(join(dir, dailyName(now)));
  for (let ago = 120; ago >= 1; ago--) w.append(at(base, now, up, ago, 120));
  w.close();

  const h = new MemoryHistory(600);
  const seeded = seedFromDailyLog(h, DEFAULT_THRESHOLDS, 600, dir, now);
  assert.ok(seeded, 'the log was read');
  assert.equal(seeded.records, 120);
  assert.match(seeded.note, new RegExp(`history of the last 2 min from ${dir}/memtop_\\d{8} \\(120 records\\)`));
  const live = buildInterval(undefined, at(base, now, up, 0, 120), { thresholds: DEFAULT_THRESHOLDS, history: h });
  const g = live.procs.find((p) => p.pid === PID)!;
  assert.equal(g.leak, true, 'a suspect on the first live interval');
  assert.ok(Math.abs(g.trate! - 8 * MiB) < MiB, `TRATE ${g.trate}`);

  // Without the log, the same first interval knows nothing yet.
  const fresh = new MemoryHistory(600);
  assert.equal(seedFromDailyLog(fresh, DEFAULT_THRESHOLDS, 600, join(dir, 'none'), now), undefined);
  const first = buildInterval(undefined, at(base, now, up, 0, 120), { thresholds: DEFAULT_THRESHOLDS, history: fresh });
  assert.equal(first.procs.find((p) => p.pid === PID)!.leak, false);
});

test('a daily log others may write, of another boot, or outside the window is not used', () => {
  const base = new Sampler({ proc: '/proc', sys: '/sys' }).sample({});
  const now = Date.now();
  const up = uptime();
  const writable = tempDir();
  const file = join(writable, dailyName(now));
  const w = new RawWriter(file);
  for (let ago = 30; ago >= 1; ago--) w.append(at(base, now, up, ago, 30));
  w.close();
  chmodSync(file, 0o666);
  assert.equal(seedFromDailyLog(new MemoryHistory(600), DEFAULT_THRESHOLDS, 600, writable, now), undefined, 'world-writable: not trusted');

  const other = tempDir();
  mkdirSync(other, { recursive: true });
  const w2 = new RawWriter(join(other, dailyName(now)));
  // Another boot: the same wall times, an uptime an hour off.
  for (let ago = 30; ago >= 1; ago--) w2.append({ ...at(base, now, up, ago, 30), uptime: up + 3600 - ago });
  w2.close();
  assert.equal(seedFromDailyLog(new MemoryHistory(600), DEFAULT_THRESHOLDS, 600, other, now), undefined, 'another boot');

  const old = tempDir();
  const w3 = new RawWriter(join(old, dailyName(now)));
  for (let ago = 30; ago >= 1; ago--) w3.append(at(base, now, up, ago + 700, 30));
  w3.close();
  assert.equal(seedFromDailyLog(new MemoryHistory(600), DEFAULT_THRESHOLDS, 600, old, now), undefined, 'older than the window');
});

test('a daily logger running with a directory of its own is found, and the screen starts from what it wrote', { timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { readdirSync } = await import('node:fs');
  const { runningLogDirs } = await import('../src/run/seed.js');
  const dir = tempDir();
  const logger = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'bin.cjs'), '--log-dir', dir, '0.5'], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(readdirSync(dir).some((n) => n.startsWith('memtop_')) && runningLogDirs().includes(dir))) {
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(runningLogDirs().includes(dir), `${dir} among ${runningLogDirs().join(', ')}`);
    await new Promise((r) => setTimeout(r, 3000));
    const seeded = seedFromDailyLog(new MemoryHistory(600), DEFAULT_THRESHOLDS, 600, dir);
    assert.ok(seeded && seeded.records >= 3, `records fed from the running logger's file: ${seeded?.records}`);
  } finally {
    logger.kill('SIGTERM');
  }
});
