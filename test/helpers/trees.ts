/** Test helpers: intervals between fake /proc trees (fixtures/ or built in a temp dir by helpers/procfiles.ts, re-exported here). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInterval, type Interval } from '../../src/model/interval.js';
import type { Thresholds } from '../../src/model/thresholds.js';
import { Sampler } from '../../src/reader/sampler.js';
import { diskstatsLine, makeTree, meminfoText, pidStatLine, pidStatusText, statText, vmstatText } from './procfiles.js';

export { makeTree } from './procfiles.js';

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

/** Collapses runs of blanks, as a reader of atop's boxes does. */
export function squeeze(line: string): string {
  return line.replace(/ +/g, ' ').trim();
}

export interface FakeProc {
  pid: number;
  /** The parent (1 when not given). */
  ppid?: number;
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
    meminfo: meminfoText({ ...mem, Committed_AS: 1000000, CommitLimit: 4000000 }),
    vmstat: vmstatText({ pgpgin: 0, pgpgout: 0, pswpin: 0, pswpout: 0, pgscan_kswapd: 0, oom_kill: 0, ...(m.vmstat ?? {}) }),
    stat: statText([u, 0, s, i, w, 0, 0, 0, 0, 0], Array.from({ length: ncpu }, () => [per(u), 0, per(s), per(i), per(w), 0, 0, 0, 0, 0]), {
      intr: '1000 0', ctxt: 5000, btime: 1700000000, processes: 400, procs_running: 1, procs_blocked: 0,
    }),
    loadavg: '0.50 0.40 0.30 1/100 999\n',
    uptime: `${m.uptime.toFixed(2)} 0.00\n`,
    diskstats: m.diskstats ?? diskstatsLine(8, 0, 'sda', [100, 0, 800, 50, 200, 0, 1600, 80, 0, 120, 130, 0, 0, 0, 0, 0, 0]) + '\n',
    'sys/kernel/hostname': 'fakehost\n',
    ...(m.extra ?? {}),
  };
  for (const p of m.procs) {
    const vsize = p.vsize ?? 1000;
    const rss = p.rss ?? 100;
    const comm = p.comm ?? `proc${p.pid}`;
    files[`${p.pid}/stat`] = pidStatLine({
      pid: p.pid, ppid: p.ppid, comm, state: p.state, minflt: p.minflt, majflt: p.majflt, utime: p.utime, stime: p.stime,
      threads: p.threads, starttime: p.starttime, vsize: vsize * PAGE, rss,
    });
    if (!p.noStatus) {
      const kb: [string, number][] = [['VmSize', vsize * 4], ['VmLck', 0], ['VmRSS', rss * 4], ['VmData', Math.floor(vsize * 2)], ['VmStk', 132]];
      if (p.anonKb !== undefined) kb.push(['RssAnon', p.anonKb]);
      kb.push(['VmExe', 100], ['VmLib', 2000]);
      if (p.swapKb !== undefined) kb.push(['VmSwap', p.swapKb]);
      files[`${p.pid}/status`] = pidStatusText({ name: comm, pid: p.pid, ppid: p.ppid, uid: p.uid ?? 0, kb, threads: p.threads });
    }
  }
  return files;
}

/** The interval between two fake moments. */
export function fakeInterval(a: FakeMoment, b: FakeMoment, thresholds?: Thresholds): Interval {
  return intervalOf([makeTree(fakeProcFiles(a)), makeTree(fakeProcFiles(b))], { thresholds });
}
