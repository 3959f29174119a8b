/**
 * The benchmark's CPU reader (bench/cputime.ts) on real processes: cheap checks that its figures are true;
 * and the start-up part (bench/startup.ts) run through bench/run.ts in its quick mode.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rssBytes, threadsCpuNs, treeCpuNs } from '../bench/cputime.js';

/** Burns `ms` of CPU (not wall time: the machine may be shared and this process preempted). */
const SPIN = 'const s = process.cpuUsage(); let u = process.cpuUsage(s); while (u.user + u.system < MS * 1000) u = process.cpuUsage(s);';
function spin(ms: number): void {
  new Function('process', SPIN.replace('MS', String(ms)))(process);
}

test('CPU of this process from schedstat grows with work and agrees with process.cpuUsage()', () => {
  const before = treeCpuNs(process.pid)!;
  const u0 = process.cpuUsage();
  spin(150);
  const u = process.cpuUsage(u0);
  const after = treeCpuNs(process.pid)!;
  const schedMs = (after - before) / 1e6;
  const usageMs = (u.user + u.system) / 1000;
  assert.ok(schedMs >= 145, `schedstat counted ${schedMs} ms for 150 ms of spinning`);
  // Other threads (GC, libuv) may add a little; the two clocks must agree closely.
  assert.ok(Math.abs(schedMs - usageMs) < 0.2 * usageMs + 10, `schedstat ${schedMs} ms, cpuUsage ${usageMs} ms`);
  assert.ok(threadsCpuNs(process.pid) > 0);
});

test('reaped children count: a child that spins 300 ms adds at least that much', () => {
  const before = treeCpuNs(process.pid)!;
  const r = spawnSync(process.execPath, ['-e', SPIN.replace('MS', '300')]);
  assert.equal(r.status, 0);
  const added = (treeCpuNs(process.pid)! - before) / 1e6;
  // cutime/cstime tick in 10 ms steps: allow one tick of rounding.
  assert.ok(added >= 290, `children added ${added} ms`);
});

test('a process that is gone has no figures', () => {
  const r = spawnSync('true');
  assert.equal(treeCpuNs(r.pid!), undefined);
  assert.equal(rssBytes(r.pid!), undefined);
  assert.ok(rssBytes(process.pid)! > 1 << 20);
  assert.equal(rssBytes(r.pid!, 'VmHWM'), undefined);
});

test('peak RSS (VmHWM) of another process: at least its current RSS, and it remembers memory given back', async () => {
  // The child touches 96 MiB, lets it go, and waits to be read.
  const child = spawn(process.execPath, ['--expose-gc', '-e',
    'let b = Buffer.alloc(96 << 20, 1); b = undefined; gc(); console.log("ready"); setTimeout(() => {}, 10000);'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout!, 'data');
    const peak = rssBytes(child.pid!, 'VmHWM')!;
    const now = rssBytes(child.pid!)!;
    assert.ok(peak >= now, `VmHWM ${peak} >= VmRSS ${now}`);
    assert.ok(peak >= 96 << 20, `VmHWM ${peak} holds the 96 MiB touched`);
  } finally {
    child.kill();
  }
});

test('the start-up part of the benchmark in its quick mode: memtop reaches a full 200x50 screen and a JSON line', async () => {
  // No timing is checked (the machine is shared): only that each figure was measured and is a number.
  const dir = mkdtempSync(join(tmpdir(), 'memtop-bench-smoke-'));
  const out = join(dir, 'report.md');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
      env: { ...process.env, BENCH_QUICK: '1', BENCH_PARTS: 'startup', BENCH_N: '0', BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill(), 120_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 0, err);
    const report = readFileSync(out, 'utf8');
    assert.match(report, /^## 4\. Start-up/m);
    // | memtop -m 1 | <median> | <min-max> | <first byte> | <rows> | ...
    const screen = /^\| memtop -m 1 \| ([\d.]+) \| [\d.]+-[\d.]+ \| ([\d.]+) \| (\d+) \|/m.exec(report);
    assert.ok(screen, `no figures for memtop's first screen in:\n${report}`);
    assert.ok(Number(screen[2]) <= Number(screen[1]), 'the first byte comes before the full screen');
    // The benchmark's own rule for a full screen: all but two rows hold text when the burst ends (on a loaded
    // machine the last rows may be written just after a 300 ms pause).
    assert.ok(Number(screen[3]) >= 48 && Number(screen[3]) <= 50, `the first screen fills the pane: ${screen[3]} of 50 rows`);
    assert.match(report, /^\| memtop --json 1 \| [\d.]+ \| [\d.]+-[\d.]+ \|/m);
    assert.match(report, /^What it means: memtop's first full screen came after [\d.]+ ms/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
