/**
 * A long damaged stretch in a raw log (issue 21): a valid log, then
 * gigabytes of random bytes or a hole, then another log. The reader finds
 * its way back in bounded windows: memory does not grow with the damage,
 * every read is at most a window, and a 5 GiB file (past Node's largest
 * Buffer) is no internal error. The damage is generated as it is read (no
 * disk), and once more as a sparse file (no disk either) through memtop -r.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { RawLog, SCAN_WINDOW, type ByteSource } from '../src/rawlog/reader.js';
import { CLI, requireBuild } from './helpers/cli.js';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';

const GiB = 1024 ** 3;
const dir = tempDir();
const logFile = join(dir, 'log');
record(logFile, sampleMoments(3, { nprocs: 6 }));
const log = readFileSync(logFile);

/** 1 MiB of random bytes, repeated: damage as random as any, made at memory speed. */
const NOISE = randomBytes(1024 * 1024);

/**
 * `log`, then `random` bytes of noise and zeros up to `size - log.length`,
 * then `log` again, generated on each read; `largest` keeps the largest read.
 */
function damagedSource(size: number, random: number): ByteSource & { largest: number } {
  const tailAt = size - log.length;
  const out = Buffer.alloc(SCAN_WINDOW * 2);
  const src = {
    size,
    largest: 0,
    read(start: number, end: number): Buffer {
      end = Math.min(end, size);
      src.largest = Math.max(src.largest, end - start);
      const buf = end - start <= out.length ? out.subarray(0, end - start) : Buffer.alloc(end - start);
      for (let p = start; p < end; ) {
        const at = p - start;
        if (p < log.length) {
          p += log.copy(buf, at, p, Math.min(log.length, end));
        } else if (p >= tailAt) {
          p += log.copy(buf, at, p - tailAt, end - tailAt);
        } else if (p < log.length + random) {
          const n = Math.min(end, log.length + random, p + NOISE.length - ((p - log.length) % NOISE.length)) - p;
          NOISE.copy(buf, at, (p - log.length) % NOISE.length, ((p - log.length) % NOISE.length) + n);
          p += n;
        } else {
          const n = Math.min(end, tailAt) - p;
          buf.fill(0, at, at + n);
          p += n;
        }
      }
      return buf;
    },
  };
  return src;
}

test('1 GiB of random bytes then 4 GiB of zeros between two logs: both found, one damaged stretch, reads bounded', { timeout: 300_000 }, () => {
  const size = 5 * GiB;
  const src = damagedSource(size, GiB);
  const rssBefore = process.memoryUsage().rss;
  const started = Date.now();
  const raw = new RawLog(src, 'big');
  const seconds = (Date.now() - started) / 1000;
  const grew = (process.memoryUsage().rss - rssBefore) / 1024 ** 2;
  process.stdout.write(`# 5 GiB (1 GiB random) scanned in ${seconds.toFixed(1)} s, RSS +${grew.toFixed(0)} MiB, largest read ${src.largest} bytes\n`);
  assert.equal(raw.length, 6);
  assert.deepEqual(raw.warnings, [`big: skipped ${size - 2 * log.length} damaged bytes at byte offset ${log.length}`]);
  assert.ok(src.largest <= SCAN_WINDOW, `a read of ${src.largest} bytes`);
  assert.ok(grew < 64, `memory grew by ${grew.toFixed(0)} MiB`);
  for (let i = 0; i < raw.length; i++) assert.ok(raw.get(i), `sample ${i} decodes`);
});

test('damage to the end of a 5 GiB source: one line, the records before it kept', { timeout: 300_000 }, () => {
  const src = damagedSource(5 * GiB + log.length, 64 * 1024 * 1024);
  // The source ends where the second log would start: damage to the end.
  const size = 5 * GiB;
  const raw = new RawLog({ size, read: (a, b) => src.read(a, Math.min(b, size)) }, 'cut');
  assert.equal(raw.length, 3);
  assert.equal(raw.truncatedAt, log.length);
  assert.deepEqual(raw.warnings, [`cut: damaged data from byte offset ${log.length} to the end (${size - log.length} bytes) skipped`]);
  assert.ok(src.largest <= SCAN_WINDOW);
});

test('memtop -r of a 5 GiB sparse file with 64 MiB of random bytes after the header: exit 0, bounded memory, one line', { timeout: 300_000 }, () => {
  requireBuild();
  const file = join(dir, 'sparse');
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, log, 0, log.length, 0);
    for (let i = 0; i < 64; i++) writeSync(fd, NOISE, 0, NOISE.length, log.length + i * NOISE.length);
    writeSync(fd, log, 0, log.length, 5 * GiB);
  } finally {
    closeSync(fd);
  }
  // memtop's peak resident memory, said at its exit by a module loaded before it.
  const peak = join(dir, 'peak.mjs');
  writeFileSync(peak, "process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`));\n");
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, '-r', file, '--json'], {
    env: { ...process.env, NODE_OPTIONS: `--import=${peak}` }, timeout: 280_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (Date.now() - started) / 1000;
  const err = r.stderr.toString();
  const maxrss = Number(/maxrss (\d+)/.exec(err)?.[1]) / 1024;
  process.stdout.write(`# memtop -r of a 5 GiB sparse file: ${seconds.toFixed(1)} s, peak RSS ${maxrss.toFixed(0)} MiB\n`);
  assert.equal(r.status, 0, err);
  assert.equal(r.stdout.toString().trim().split('\n').length, 6);
  assert.equal(err.replace(/maxrss \d+\n/, ''), `memtop: ${file}: skipped ${5 * GiB - log.length} damaged bytes at byte offset ${log.length}\n`);
  assert.ok(maxrss < 200, `peak RSS ${maxrss} MiB`);
  // The same file on stdin (< FILE) is read where needed too, not whole.
  const fd0 = openSync(file, 'r');
  try {
    const s = spawnSync(process.execPath, [CLI, '-r', '-', '--json'], {
      stdio: [fd0, 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: `--import=${peak}` }, timeout: 280_000, killSignal: 'SIGKILL',
    });
    const said = s.stderr.toString();
    assert.equal(s.status, 0, said);
    assert.equal(s.stdout.toString().trim().split('\n').length, 6);
    assert.equal(said.replace(/maxrss \d+\n/, ''), `memtop: stdin: skipped ${5 * GiB - log.length} damaged bytes at byte offset ${log.length}\n`);
    assert.ok(Number(/maxrss (\d+)/.exec(said)?.[1]) / 1024 < 200, said);
  } finally {
    closeSync(fd0);
  }
});
