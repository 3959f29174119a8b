/**
 * Issue 10's cost of memory history, measured in-process: MemoryHistory fed
 * N processes at a 1-s interval over a simulated hour (the 1-hour window
 * full, every bucket of every process filled), with the shapes a machine
 * has: most processes flat, some slowly growing, some sawtooth, a few
 * leaking, some replaced by new ones every second. Reports the resident
 * size of this process before and after (the history's share of memtop's
 * RSS) and the CPU of observe() + forecast() per interval (what the
 * history adds to each refresh; the sampler's cost is not in it).
 *
 *   node --import tsx bench/history-cost.ts [N] [SECONDS] [WINDOW]
 * defaults 2000 processes, 3600 s, 3600-s window. The simulated clock moves
 * 1 s per interval; the run takes as long as the CPU needs, not an hour.
 */
import { MemoryHistory } from '../src/model/leaks.js';
import type { ProcInterval } from '../src/model/interval.js';

const n = Number(process.argv[2] ?? 2000);
const seconds = Number(process.argv[3] ?? 3600);
const window = Number(process.argv[4] ?? 3600);
const MiB = 1024 * 1024;
const memTotal = 24 * 1024 * MiB;

function proc(pid: number, starttime: number): ProcInterval {
  return {
    pid, ppid: 1, user: 'root', state: 'S', cmd: `p${pid}`, isNew: false, threads: 1, nice: 0, priority: 20, processor: 0,
    minflt: 0, majflt: 0, syscpu: 0, usrcpu: 0, cpu: 0, vsize: 200 * MiB, rsize: 50 * MiB, vgrow: 0, rgrow: 0, vmSwap: 0,
    mem: 0.2, starttime, rssAnon: 40 * MiB,
  };
}

/** The value of process i at time t: 80% flat, 8% slow growth, 8% sawtooth, 2% leaking, 2% new every second. */
function shape(i: number, t: number): number {
  const base = (20 + (i % 50)) * MiB;
  const kind = i % 50;
  if (kind < 40) return base;
  if (kind < 44) return base + 2048 * t;
  if (kind < 48) return base + ((t * 3 * MiB) % (60 * MiB));
  if (kind < 49) return base + 512 * 1024 * t;
  return base;
}

const procs = Array.from({ length: n }, (_, i) => proc(1000 + i, 100));
const history = new MemoryHistory(window);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage();
const cpu: number[] = [];
for (let t = 1; t <= seconds; t++) {
  // 2% of the processes are short-lived: a new pid (and start time) every second.
  for (let i = 49; i < n; i += 50) procs[i] = proc(1_000_000 + t * n + i, t * 100);
  for (let i = 0; i < n; i++) {
    const p = procs[i]!;
    p.rssAnon = shape(i, t);
  }
  const start = process.cpuUsage();
  history.observe(1000 + t, 1, memTotal, procs);
  history.forecast(1000 + t, 1, memTotal, 8 * 1024 * MiB, 16 * 1024 * MiB, procs);
  const used = process.cpuUsage(start);
  cpu.push((used.user + used.system) / 1000);
}
gc?.();
const after = process.memoryUsage();
const sorted = [...cpu].sort((a, b) => a - b);
const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!;
const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
const last = cpu.slice(-600);
const suspects = procs.filter((p) => p.leak).length;
console.log(`history of ${n} processes, ${seconds} intervals of 1 s, --window ${window}s (${history.size} kept)`);
console.log(`RSS ${(before.rss / MiB).toFixed(1)} -> ${(after.rss / MiB).toFixed(1)} MiB, heap used ${(before.heapUsed / MiB).toFixed(1)} -> ${(after.heapUsed / MiB).toFixed(1)} MiB, array buffers ${(before.arrayBuffers / MiB).toFixed(1)} -> ${(after.arrayBuffers / MiB).toFixed(1)} MiB, heap total ${(before.heapTotal / MiB).toFixed(1)} -> ${(after.heapTotal / MiB).toFixed(1)} MiB`);
console.log(`CPU per interval (observe + forecast): mean ${mean.toFixed(2)} ms, median ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, ` +
  `last 10 min mean ${(last.reduce((a, b) => a + b, 0) / last.length).toFixed(2)} ms`);
console.log(`suspects at the end: ${suspects} (expected ${Math.floor(n / 50)}: the leaking 2%)`);
