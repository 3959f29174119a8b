/**
 * Helpers of the Prometheus tests: a small fake /proc tree whose counters a
 * test sets and advances (written by test/helpers/procfiles.ts), promtool,
 * free loopback ports, HTTP requests.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { buildInterval, type Interval } from '../src/model/interval.js';
import { Sampler } from '../src/reader/sampler.js';
import type { Sample } from '../src/sample.js';
import { spawnMemtop } from './helpers/cli.js';
import { diskstatsLine, makeTree, meminfoText, pidStatLine, pidStatusText, statText, vmstatText, type Files } from './helpers/procfiles.js';
import { fakeCgroupFiles, type FakeGroup } from './helpers/cgroups.js';

export interface FakeProc {
  pid: number;
  comm: string;
  /** Bytes (a multiple of 4096). */
  rss: number;
  vsize: number;
  minflt?: number;
  majflt?: number;
  /** Bytes; undefined leaves VmSwap out of status. */
  swap?: number;
  starttime?: number;
  /** Bytes of Pss in smaps_rollup; undefined writes no smaps_rollup (PSIZE unknown). */
  pss?: number;
}

export interface FakeState {
  uptime: number;
  /** cpu ticks (user, idle) summed over 2 CPUs. */
  user: number;
  idle: number;
  meminfoKiB: Record<string, number>;
  vmstat: Record<string, number>;
  /** name -> [reads, readSectors, writes, writeSectors, ioMs, weightedMs] */
  disks: Record<string, [number, number, number, number, number, number]>;
  psi?: { cpu: string; memory: string; io: string };
  procs: FakeProc[];
  /** A v2 memory cgroup tree (helpers/cgroups.ts); none when undefined. */
  cgroups?: FakeGroup[];
}

export function initialState(): FakeState {
  return {
    uptime: 1000,
    user: 20000,
    idle: 180000,
    meminfoKiB: {
      MemTotal: 8000000, MemFree: 2000000, MemAvailable: 5000000, Buffers: 100000, Cached: 3000000,
      SwapCached: 1000, Shmem: 50000, Slab: 200000, SReclaimable: 150000, Dirty: 300, PageTables: 9000,
      SwapTotal: 1000000, SwapFree: 900000, CommitLimit: 5000000, Committed_AS: 4000000,
    },
    vmstat: {
      pgpgin: 1000, pgpgout: 2000, pswpin: 10, pswpout: 20, pgscan_kswapd: 100, pgscan_direct: 5,
      pgsteal_kswapd: 90, allocstall_normal: 3, allocstall_movable: 1, compact_stall: 2, oom_kill: 1,
      pgmigrate_success: 7,
    },
    disks: {
      sda: [1000, 80000, 500, 40000, 3000, 4000],
      'dm-0': [900, 70000, 400, 30000, 2500, 3000],
      sda1: [10, 10, 10, 10, 10, 10], // a partition: never exported
    },
    psi: {
      cpu: 'some avg10=8.93 avg60=2.00 avg300=0.50 total=5000000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
      memory: 'some avg10=1.50 avg60=0.25 avg300=0.05 total=2500000\nfull avg10=1.00 avg60=0.20 avg300=0.04 total=2000000\n',
      io: 'some avg10=0.00 avg60=0.00 avg300=0.00 total=700000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=600000\n',
    },
    procs: [
      { pid: 1, comm: 'init', rss: 4096 * 1000, vsize: 100e6, minflt: 500, majflt: 5, swap: 0 },
      { pid: 200, comm: 'big', rss: 4096 * 50000, vsize: 900e6, minflt: 1000, majflt: 10, swap: 4096 * 100, pss: 4096 * 40000 },
      { pid: 300, comm: 'leaker', rss: 4096 * 2000, vsize: 300e6, minflt: 100, majflt: 0, swap: 0 },
      { pid: 400, comm: 'small', rss: 4096 * 100, vsize: 10e6, minflt: 10, majflt: 0 },
      { pid: 2, comm: 'kthreadd', rss: 0, vsize: 0 },
    ],
    cgroups: [
      { path: '/', pids: [1, 2] },
      { path: '/big.service', pids: [200], memory: 300 * 1024 * 1024, max: 512 * 1024 * 1024, anon: 250 * 1024 * 1024, file: 50 * 1024 * 1024, oomKill: 2 },
      { path: '/leaker.service', pids: [300], memory: 20 * 1024 * 1024, anon: 15 * 1024 * 1024, file: 5 * 1024 * 1024 },
      { path: '/small.service', pids: [400], memory: 1024 * 1024 },
    ],
  };
}

/** The files of one process; a kernel thread (no memory) is idle ('I') and has no Vm lines. */
function processFiles(p: FakeProc): Files {
  const kthread = p.rss === 0 && p.vsize === 0;
  const kb: [string, number][] = [['VmSize', Math.round(p.vsize / 1024)], ['VmRSS', p.rss / 1024], ['VmData', 100], ['VmStk', 132],
    ['VmExe', 10], ['VmLib', 20], ['VmLck', 0], ['RssShmem', 8]];
  if (p.swap !== undefined) kb.push(['VmSwap', p.swap / 1024]);
  const rollup: Files = p.pss === undefined ? {} : {
    [`${p.pid}/smaps_rollup`]: `55d000000000-7ffd00000000 ---p 00000000 00:00 0                          [rollup]\n` +
      `Rss:          ${p.rss / 1024} kB\nPss:          ${p.pss / 1024} kB\nShared_Clean:          0 kB\n`,
  };
  return {
    ...rollup,
    [`${p.pid}/stat`]: pidStatLine({
      pid: p.pid, comm: p.comm, state: kthread ? 'I' : 'S', minflt: p.minflt, majflt: p.majflt, utime: 10, stime: 5,
      starttime: p.starttime, vsize: p.vsize, rss: p.rss / 4096,
    }),
    [`${p.pid}/status`]: pidStatusText({ name: p.comm, pid: p.pid, kb: kthread ? undefined : kb }),
  };
}

/** A fake proc root in a temporary directory; `write()` (re)writes every file from the state. */
export class FakeRoot {
  readonly dir: string;
  readonly proc: string;
  readonly sys: string;
  state: FakeState;

  constructor(state: FakeState = initialState()) {
    this.dir = mkdtempSync(join(tmpdir(), 'memtop-prom-'));
    this.proc = join(this.dir, 'proc');
    this.sys = join(this.dir, 'sys');
    mkdirSync(this.proc);
    mkdirSync(this.sys);
    this.state = state;
    this.write();
  }

  write(): void {
    const s = this.state;
    const half = (n: number) => Math.round(n / 2);
    const cpu = [half(s.user), 0, 0, half(s.idle), 0, 0, 0, 0, 0, 0];
    const files: Files = {
      stat: statText([s.user, 0, 0, s.idle, 0, 0, 0, 0, 0, 0], [cpu, cpu], {
        intr: 1000, ctxt: 2000, btime: 1700000000, processes: 500, procs_running: 1, procs_blocked: 0,
      }),
      meminfo: meminfoText(s.meminfoKiB),
      vmstat: vmstatText(s.vmstat),
      loadavg: '0.50 0.40 0.30 1/120 4000\n',
      uptime: `${s.uptime.toFixed(2)} 1500.00\n`,
      diskstats: Object.entries(s.disks).map(([name, [r, rs, w, ws, io, wio]], i) =>
        diskstatsLine(8, i, name, [r, 0, rs, 100, w, 0, ws, 200, 0, io, wio, 0, 0, 0, 0]) + '\n').join(''),
      'sys/kernel/hostname': 'fakehost\n',
    };
    if (s.psi) {
      files['pressure/cpu'] = s.psi.cpu;
      files['pressure/memory'] = s.psi.memory;
      files['pressure/io'] = s.psi.io;
    } else {
      rmSync(join(this.proc, 'pressure'), { recursive: true, force: true });
    }
    if (s.cgroups) {
      const cg = fakeCgroupFiles('v2', s.cgroups);
      Object.assign(files, cg.proc);
      rmSync(join(this.sys, 'fs'), { recursive: true, force: true });
      makeTree(cg.sys, this.sys);
    }
    for (const proc of s.procs) Object.assign(files, processFiles(proc));
    makeTree(files, this.proc);
    // Exited processes leave /proc.
    const live = new Set(s.procs.map((x) => String(x.pid)));
    for (const entry of readdirNumeric(this.proc)) if (!live.has(entry)) rmSync(join(this.proc, entry), { recursive: true });
  }

  /** Moves the clock on by `seconds` (CPU ticks too, 2 CPUs at 100 Hz). */
  advance(seconds: number): void {
    this.state.uptime += seconds;
    this.state.user += seconds * 20;
    this.state.idle += seconds * 180;
  }

  process(pid: number): FakeProc {
    const found = this.state.procs.find((x) => x.pid === pid);
    if (!found) throw new Error(`no fake process ${pid}`);
    return found;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A fake root removed when the test ends. */
  static forTest(t: TestContext, state?: FakeState): FakeRoot {
    const root = new FakeRoot(state);
    t.after(() => root.remove());
    return root;
  }
}

export interface Step {
  iv: Interval;
  sample: Sample;
}

/** Samples the fake root (after writing its state) and returns the interval since the previous call. */
export function intervalsOf(root: FakeRoot): () => Step {
  const sampler = new Sampler({ proc: root.proc, sys: root.sys });
  let prev: Sample | undefined;
  return () => {
    root.write();
    const sample = sampler.sample({ cgroups: true });
    const iv = buildInterval(prev, sample);
    prev = sample;
    return { iv, sample };
  };
}

/** The resident-size lines of the exposition: one per exported process. */
export function processLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('memtop_process_resident_bytes{'));
}

/** A raw client that sends `data` and then never reads (paused) or just sits there; errors ignored. */
export function idleClient(port: number, data: string): Socket {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.pause();
  s.write(data);
  return s;
}

function readdirNumeric(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^\d+$/.test(n));
}

/** Runs `promtool check metrics` on the text; returns its exit code and output. Throws when promtool is missing. */
export function promtoolCheck(text: string): { status: number; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) {
    throw new Error(`promtool is not installed (${r.error.message}): install Debian's 'prometheus' package (CI does so in .ci/run)`);
  }
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpRequest(
  port: number, path: string, opts: { method?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** The value of one series in exposition text; undefined when absent. */
export function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = parseLabels(m[2] ?? '');
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Parses {a="x",b="y\"z"} with the exposition escapes. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}

/** Starts memtop --prometheus on a free loopback port (port 0) and waits for its "serving" line. */
export async function startMemtop(args: string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawnMemtop(args);
  child.stdout.resume(); // --prometheus prints nothing there
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`memtop did not start: ${stderr}`)), 10_000);
    child.stderr!.on('data', () => {
      const m = /serving metrics on http:\/\/[^ ]+:(\d+)\/metrics/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`memtop exited: ${stderr}`));
    });
  });
  return { child, port, stderr: () => stderr };
}

/** The fenced code blocks of docs/prometheus.md in a language (yaml, promql, sh). */
export function docBlocks(lang: string): string[] {
  const doc = readFileSync(new URL('../docs/prometheus.md', import.meta.url), 'utf8');
  return [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** Ends a server the test started: SIGTERM, so it shuts down as it would under a supervisor; SIGKILL after 5 s. */
export function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
