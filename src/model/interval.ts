/**
 * The model: two samples in, one interval out. Deltas, percentages and
 * badness follow atop's formulas (see the README); outputs only present
 * what is computed here. The system lines are built in system.ts, the
 * processes in process.ts, the network in net.ts.
 */
import { ticksTotal } from '../procfs/stat.js';
import type { DiskSample, Sample } from '../sample.js';
import { cgroupIntervals, cgroupOfPids, isContainGroupOf, type CgroupInterval } from './cgroups.js';
import { ifIntervals, netInterval, type IfInterval, type NetInterval } from './net.js';
import type { Forecast, MemoryHistory } from './leaks.js';
import { processIntervals, type ExitedProc, type PrcInterval, type ProcInterval } from './process.js';
import {
  cpuLine, diskInterval, memInterval, pagInterval, psiInterval, sub, swpInterval,
  type CpuInterval, type DiskInterval, type MemInterval, type PagInterval, type PsiInterval, type SwpInterval,
} from './system.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';

export { sub } from './system.js';
export type { CpuInterval, CpuLine, DiskInterval, MemInterval, PagInterval, PsiInterval, SwpInterval } from './system.js';
export type { ExitedProc, PrcInterval, ProcInterval } from './process.js';
export type { Forecast } from './leaks.js';
export type { CgroupInterval } from './cgroups.js';

export interface CplInterval {
  avg1: number;
  avg5: number;
  avg15: number;
  csw: number;
  intr: number;
  numcpu: number;
  /** avg15 > 2 x ncpu: atop colours avg15 cyan. */
  avg15High: boolean;
}

export interface Interval {
  host: string;
  /** Milliseconds since the epoch of the later sample. */
  time: number;
  /** Seconds covered; the first interval covers the time since boot. */
  elapsed: number;
  sinceBoot: boolean;
  /** Digits of pid_max: the PID column's width (5 when unknown). */
  /** /proc/sys/kernel/pid_max, when the sampler could read it: the largest pid + 1. */
  pidMax?: number;
  pidWidth: number;
  prc: PrcInterval;
  cpu: CpuInterval;
  cpl: CplInterval;
  mem: MemInterval;
  swp: SwpInterval;
  pag: PagInterval;
  psi?: PsiInterval;
  lvm: DiskInterval[];
  mdd: DiskInterval[];
  dsk: DiskInterval[];
  net?: NetInterval;
  ifs: IfInterval[];
  procs: ProcInterval[];
  /** Memory cgroups, parents before children; empty when the tree was not read. */
  cgroups: CgroupInterval[];
  /** The cgroup hierarchy read: 1 (v1 memory controller) or 2; undefined when none was read. */
  cgroupVersion?: 1 | 2;
  /** The sample holds the cgroup tree's counters (false: not read, or a recording made without them). */
  cgroupsRead: boolean;
  /** Processes of the previous sample gone in this one (and OOM victims no sample saw). */
  exited: ExitedProc[];
  /** When memory plus swap runs out at the current rate; undefined when no history is kept. */
  forecast?: Forecast;
}

export interface IntervalOptions {
  thresholds?: Thresholds;
  /** Memory history across intervals (TRATE, TGROW, LEAK, the forecast); fed in time order. */
  history?: MemoryHistory;
}

/**
 * Builds the interval from `prev` to `cur`. With no previous sample the
 * interval covers the time since boot: every counter is a total and every
 * process is new, as on atop's first screen.
 */
export function buildInterval(prev: Sample | undefined, cur: Sample, opts: IntervalOptions = {}): Interval {
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const ncpu = cur.ncpu;
  const nsecs = prev ? Math.max(0, cur.uptime - prev.uptime) : cur.uptime;
  const cputot = ticksTotal(cur.cpu.total) - (prev ? ticksTotal(prev.cpu.total) : 0);
  // Interval length in ms as the CPUs counted it (atop's mstot).
  const mstot = (cputot * 1000) / cur.hz / ncpu;

  const cpuTotal = cpuLine(cur.cpu.total, prev?.cpu.total, ncpu, t);
  const prevCpus = new Map(prev?.cpu.cpus.map((c) => [c.id, c.ticks]));
  const cpus = cur.cpu.cpus
    .map((c) => ({ id: c.id, ...cpuLine(c.ticks, prevCpus.get(c.id), 1, t) }))
    .sort((a, b) => a.idle - b.idle || a.id - b.id);

  const mem = memInterval(cur, t);

  const { procs, prc, exited } = processIntervals(prev, cur, { cputot, memTot: mem.tot });
  const swp = swpInterval(cur, t);
  // Each process's cgroup before the history sees it: a process memtop contained starts its evidence over.
  const cgroupOf = cur.cgroups ? cgroupOfPids(cur.cgroups) : undefined;
  if (cgroupOf) {
    for (const p of procs) {
      const of = cgroupOf.get(p.pid);
      p.cgroup = of?.path;
      if (of?.name !== undefined) p.cgroupName = of.name;
      if (of && of.names.length > 0) p.cgroupNames = of.names;
      p.contained = p.cgroup?.includes('memtop-') && isContainGroupOf(p.cgroup, p.pid) ? true : undefined;
    }
  }
  let forecast: Forecast | undefined;
  if (opts.history) {
    opts.history.observe(cur.uptime, nsecs, mem.tot, procs, exited);
    const left = (mem.avail ?? mem.free + mem.cache) + swp.free;
    forecast = opts.history.forecast(cur.uptime, nsecs, mem.tot, mem.tot + swp.tot - left, left, procs);
    if (forecast.exhaust !== null) swp.exhaust = forecast.exhaust;
  }
  const cgroups = cgroupIntervals(cur.cgroups ?? undefined, prev?.cgroups ?? undefined, nsecs, t);
  if (cur.cgroups) opts.history?.observeCgroups(cur.uptime, nsecs, mem.tot, cgroups);

  const prevDisks = new Map(prev?.disks.map((d) => [d.name, d]));
  const disks = cur.disks
    .map((d) => diskInterval(d, prevDisks.get(d.name), mstot, nsecs, t))
    .sort((a, b) => b.ioMs - a.ioMs);
  const byClass = (cls: DiskSample['class']) => {
    const names = new Set(cur.disks.filter((d) => d.class === cls).map((d) => d.name));
    return disks.filter((d) => names.has(d.device));
  };

  return {
    host: cur.host,
    time: cur.time,
    elapsed: nsecs,
    sinceBoot: !prev,
    pidMax: cur.pidMax,
    pidWidth: cur.pidMax ? Math.max(5, String(cur.pidMax - 1).length) : 5,
    prc,
    cpu: { ...cpuTotal, ncpu, cpus },
    cpl: {
      avg1: cur.load.avg1,
      avg5: cur.load.avg5,
      avg15: cur.load.avg15,
      csw: sub(cur.cpu.ctxt, prev ? prev.cpu.ctxt : 0),
      intr: sub(cur.cpu.intr, prev ? prev.cpu.intr : 0),
      numcpu: ncpu,
      avg15High: cur.load.avg15 > 2 * ncpu,
    },
    mem,
    swp,
    pag: pagInterval(cur.pag, prev?.pag, nsecs, t, cur.pageSize),
    psi: psiInterval(cur.psi, prev?.psi, nsecs, t),
    lvm: byClass('lvm'),
    mdd: byClass('mdd'),
    dsk: byClass('dsk'),
    net: netInterval(cur, prev),
    ifs: ifIntervals(cur, prev, nsecs),
    procs,
    exited,
    forecast,
    cgroups,
    cgroupVersion: cur.cgroups?.version,
    cgroupsRead: cur.cgroups !== undefined,
  };
}
