/**
 * Issue 20's figure: the size and build time of `memtop -r LOG --report` for
 * a day of 10-s samples. Writes a synthetic 24-hour raw log (8,640 samples of
 * 300 processes, built from one real sample of this machine: most processes
 * flat, a few sawtooth, two leakers, one of them OOM-killed at hour 20 and
 * started again), then times the built memtop making the report from it (the
 * median of RUNS runs, wall time of the whole command) and prints the
 * figures as Markdown for docs/BENCHMARKS.md.
 *
 *   npm run build && node --import tsx bench/report-html.ts [RUNS]
 * REPORT_LOG=FILE keeps the synthetic log there (and reuses it when it exists).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawWriter } from '../src/rawlog/writer.js';
import { Sampler } from '../src/reader/sampler.js';
import type { ProcSample, Sample } from '../src/sample.js';

const SAMPLES = 8640;
const PROCS = 300;
const INTERVAL = 10;
const MiB = 1024 * 1024;
const runs = Number(process.argv[2] ?? 3);
const cli = join(import.meta.dirname, '..', 'dist', 'bin.cjs');

function procAt(base: ProcSample, i: number, k: number, startTicks: number): ProcSample {
  // 0, 1: leakers (2 MiB and 0.5 MiB a minute); 2..9: sawtooth; the rest flat with a little noise.
  let rss = (20 + (i % 50)) * MiB;
  if (i === 0) rss += ((k % 7200) * 2 * MiB) / 6;
  else if (i === 1) rss += (k * 0.5 * MiB) / 6;
  else if (i < 10) rss += ((k % 30) * 4 * MiB);
  else rss += ((k * 7 + i) % 5) * 4096;
  return {
    ...base, pid: 1000 + i, ppid: 1, comm: i === 0 ? 'leaky-api' : i === 1 ? 'slow-leak' : `worker${i}`,
    rss, vsize: rss * 3, rssAnon: rss - 4 * MiB, vmSwap: 0, minflt: k * (i + 1), majflt: 0,
    utime: k * (i % 3), stime: k, starttime: startTicks, cmdline: `/usr/bin/worker --id ${i}`,
  };
}

function writeLog(path: string): void {
  const real = new Sampler({ proc: '/proc', sys: '/sys' }).sample({ io: true, cmdline: true, cgroups: false });
  const base = real.procs.find((p) => p.rss && p.vmSwap !== undefined) ?? real.procs[0]!;
  const writer = new RawWriter(path, { writer: 'memtop bench' });
  const t0 = Date.UTC(2026, 11, 1, 0, 0, 0);
  const total = 24 * 1024 * MiB;
  for (let k = 0; k < SAMPLES; k++) {
    // The big leaker is OOM-killed every 20 hours (7,200 samples) and restarted with a new start time.
    const restart = Math.floor(k / 7200);
    const procs = Array.from({ length: PROCS }, (_, i) => procAt(base, i, k, i === 0 ? 100 + restart * 720000 : 100));
    const used = procs.reduce((n, p) => n + (p.rss ?? 0), 0);
    const cache = 6 * 1024 * MiB + ((k % 360) * 4 * MiB);
    const s: Sample = {
      ...real,
      time: t0 + k * INTERVAL * 1000,
      uptime: 100000 + k * INTERVAL,
      cpu: {
        ...real.cpu,
        total: { ...real.cpu.total, user: real.cpu.total.user + k * INTERVAL * 25, idle: real.cpu.total.idle + k * INTERVAL * 150 },
        cpus: [],
      },
      mem: {
        ...real.mem, MemTotal: total, MemFree: total - used - cache - 600 * MiB, MemAvailable: total - used - 600 * MiB,
        Cached: cache, Buffers: 200 * MiB, Slab: 400 * MiB, SReclaimable: 300 * MiB, SwapTotal: 0, SwapFree: 0,
      },
      pag: { ...real.pag, scan: real.pag.scan + k * 50, steal: real.pag.steal + k * 40, oomkill: restart },
      cgroups: null,
      procs,
      oomKills: k > 0 && k % 7200 === 0 ? [{ pid: 1000, comm: 'leaky-api', anonRss: 2400 * MiB }] : [],
    };
    writer.append(s);
  }
  writer.close();
}

const dir = mkdtempSync(join(tmpdir(), 'memtop-bench-report-'));
try {
  const log = process.env.REPORT_LOG ?? join(dir, 'day.log');
  const w0 = performance.now();
  if (!existsSync(log)) writeLog(log);
  const writeS = (performance.now() - w0) / 1000;
  const times: number[] = [];
  const cpus: number[] = [];
  const rss: number[] = [];
  let size = 0;
  for (let r = 0; r < runs; r++) {
    const out = join(dir, `report${r}.html`);
    const t = performance.now();
    // GNU time: the command's CPU (user + system) and peak RSS, which a loaded machine does not inflate as it does wall time.
    const res = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S rss %M', process.execPath, cli, '-r', log, '--report', out], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`memtop --report failed: ${res.stderr}`);
    times.push((performance.now() - t) / 1000);
    const m = /cpu ([\d.]+) ([\d.]+) rss (\d+)/.exec(res.stderr);
    if (m) {
      cpus.push(Number(m[1]) + Number(m[2]));
      rss.push(Number(m[3]) / 1024);
    }
    size = statSync(out).size;
  }
  // The page in headless Chromium: the page's own clock from navigation to the end of its script.
  const renders: number[] = [];
  for (let r = 0; r < runs; r++) {
    const profile = mkdtempSync(join(dir, 'chromium-'));
    const res = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      '--dump-dom', `file://${join(dir, 'report0.html')}`], { encoding: 'utf8', maxBuffer: 64 * MiB });
    const m = /data-render-ms="(\d+)"/.exec(res.stdout);
    if (m) renders.push(Number(m[1]));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const median = med(times);
  process.stdout.write([
    `- synthetic log: ${SAMPLES} samples at ${INTERVAL} s (24 h), ${PROCS} processes, ${(statSync(log).size / MiB).toFixed(1)} MiB (written in ${writeS.toFixed(1)} s)`,
    `- report: ${(size / 1024).toFixed(0)} KiB; built in ${median.toFixed(1)} s wall (median of ${runs}; runs ${times.map((x) => x.toFixed(1)).join(', ')} s), ` +
      `${med(cpus).toFixed(1)} s of CPU, peak RSS ${med(rss).toFixed(0)} MiB: the whole command (replay through the model, gather, draw, write)`,
    `- in headless Chromium (${'chromium --headless --dump-dom'}): the page ready ${med(renders).toFixed(0)} ms after navigation began (median of ${renders.length}; parse, layout of the SVG charts, the hover script)`,
    '',
  ].join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
