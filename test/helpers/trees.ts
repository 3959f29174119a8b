/** Test helpers: intervals between fake /proc trees (fixtures/ or built in a temp dir). */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInterval, type Interval } from '../../src/model/interval.js';
import type { Thresholds } from '../../src/model/thresholds.js';
import { Sampler } from '../../src/reader/sampler.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
export const CASE_STUDY = join(FIXTURES, 'case-study');

/** Samples each root in turn with a fixed wall clock and returns the interval from the first to the last. */
export function intervalOf(roots: string[], opts: { sys?: string; thresholds?: Thresholds; time?: number } = {}): Interval {
  let prev;
  let iv: Interval | undefined;
  for (const root of roots) {
    const sampler = new Sampler({ proc: root, sys: opts.sys ?? join(root, 'nosys'), now: () => opts.time ?? Date.UTC(2010, 2, 2, 14, 12, 32) });
    const cur = sampler.sample();
    iv = buildInterval(prev, cur, { thresholds: opts.thresholds });
    prev = cur;
  }
  return iv!;
}

/** The case study's interval ending at `to` (e.g. 't151232'), starting 20 s earlier. */
export function caseStudy(from: string, to: string, thresholds?: Thresholds): Interval {
  // The moment's name is its local time on 2010/03/02: t151232 is 15:12:32.
  const [h, m, s] = [1, 3, 5].map((i) => Number(to.slice(i, i + 2)));
  const time = new Date(2010, 2, 2, h, m, s).getTime();
  return intervalOf([join(CASE_STUDY, from), join(CASE_STUDY, to)], { sys: join(CASE_STUDY, 'sys'), thresholds, time });
}

/** Writes a tree of files ({ 'meminfo': '...', '42/stat': '...' }) into a new temp dir. */
export function makeTree(files: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'memtop-test-'))): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Collapses runs of blanks, as a reader of atop's boxes does. */
export function squeeze(line: string): string {
  return line.replace(/ +/g, ' ').trim();
}

export interface FakeProc {
  pid: number;
  comm?: string;
  state?: string;
  starttime?: number;
  /** Pages. */
  vsize?: number;
  rss?: number;
  minflt?: number;
  majflt?: number;
  utime?: number;
  stime?: number;
  threads?: number;
  uid?: number;
  /** kB; omit to leave VmSwap out as old kernels do. */
  swapKb?: number;
  /** RssAnon in KiB; absent from status when undefined (a kernel before 4.5). */
  anonKb?: number;
  /** Write no status file (the process vanished between stat and status). */
  noStatus?: boolean;
}

export interface FakeMoment {
  uptime: number;
  /** Cumulative ticks of the whole machine: user, system, idle, iowait. */
  cpu?: [number, number, number, number];
  ncpu?: number;
  memKb?: Partial<Record<'MemTotal' | 'MemFree' | 'MemAvailable' | 'Buffers' | 'Cached' | 'SwapTotal' | 'SwapFree' | 'Slab' | 'SReclaimable' | 'Shmem', number>>;
  vmstat?: Record<string, number>;
  diskstats?: string;
  procs: FakeProc[];
  extra?: Record<string, string>;
}

const PAGE = 4096;

/** A /proc tree in the shape of a current kernel, from a compact description. */
export function fakeProcFiles(m: FakeMoment): Record<string, string> {
  const ncpu = m.ncpu ?? 2;
  const [u, s, i, w] = m.cpu ?? [1000, 500, 10000, 100];
  const per = (v: number) => Math.floor(v / ncpu);
  const mem = {
    MemTotal: 4 * 1024 * 1024, MemFree: 1024 * 1024, MemAvailable: 2 * 1024 * 1024, Buffers: 50 * 1024, Cached: 900 * 1024,
    SwapTotal: 2 * 1024 * 1024, SwapFree: 2 * 1024 * 1024, Slab: 200 * 1024, SReclaimable: 100 * 1024, Shmem: 10 * 1024,
    ...(m.memKb ?? {}),
  };
  const files: Record<string, string> = {
    meminfo: Object.entries(mem).map(([k, v]) => `${k}:${String(v).padStart(16)} kB`).join('\n') + '\nCommitted_AS:  1000000 kB\nCommitLimit:   4000000 kB\n',
    vmstat: Object.entries({ pgpgin: 0, pgpgout: 0, pswpin: 0, pswpout: 0, pgscan_kswapd: 0, oom_kill: 0, ...(m.vmstat ?? {}) })
      .map(([k, v]) => `${k} ${v}`).join('\n') + '\n',
    stat: [
      `cpu  ${u} 0 ${s} ${i} ${w} 0 0 0 0 0`,
      ...Array.from({ length: ncpu }, (_, n) => `cpu${n} ${per(u)} 0 ${per(s)} ${per(i)} ${per(w)} 0 0 0 0 0`),
      'intr 1000 0', 'ctxt 5000', 'btime 1700000000', 'processes 400', 'procs_running 1', 'procs_blocked 0',
    ].join('\n') + '\n',
    loadavg: '0.50 0.40 0.30 1/100 999\n',
    uptime: `${m.uptime.toFixed(2)} 0.00\n`,
    diskstats: m.diskstats ?? '   8       0 sda 100 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0\n',
    'sys/kernel/hostname': 'fakehost\n',
    ...(m.extra ?? {}),
  };
  for (const p of m.procs) {
    const vsize = p.vsize ?? 1000;
    const rss = p.rss ?? 100;
    files[`${p.pid}/stat`] =
      `${p.pid} (${p.comm ?? `proc${p.pid}`}) ${p.state ?? 'S'} 1 ${p.pid} ${p.pid} 0 -1 4194560 ${p.minflt ?? 0} 0 ${p.majflt ?? 0} 0 ` +
      `${p.utime ?? 0} ${p.stime ?? 0} 0 0 20 0 ${p.threads ?? 1} 0 ${p.starttime ?? 100} ${vsize * PAGE} ${rss} ` +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n';
    if (!p.noStatus) {
      files[`${p.pid}/status`] =
        `Name:\t${p.comm ?? `proc${p.pid}`}\nPid:\t${p.pid}\nUid:\t${p.uid ?? 0}\t${p.uid ?? 0}\t${p.uid ?? 0}\t${p.uid ?? 0}\n` +
        `VmSize:\t${vsize * 4} kB\nVmLck:\t0 kB\nVmRSS:\t${rss * 4} kB\nVmData:\t${Math.floor(vsize * 2)} kB\nVmStk:\t132 kB\n` +
        `${p.anonKb === undefined ? '' : `RssAnon:\t${p.anonKb} kB\n`}` +
        `VmExe:\t100 kB\nVmLib:\t2000 kB\n${p.swapKb === undefined ? '' : `VmSwap:\t${p.swapKb} kB\n`}Threads:\t${p.threads ?? 1}\n`;
    }
  }
  return files;
}

/** The interval between two fake moments. */
export function fakeInterval(a: FakeMoment, b: FakeMoment, thresholds?: Thresholds): Interval {
  return intervalOf([makeTree(fakeProcFiles(a)), makeTree(fakeProcFiles(b))], { thresholds });
}
