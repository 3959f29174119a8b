/**
 * The process part of an interval: processes matched between samples by pid
 * and start time, their deltas (faults, CPU, growth, io), and the PRC line.
 */
import type { OomKill } from '../procfs/kmsg.js';
import type { ProcSample, Sample } from '../sample.js';
import { sub } from './system.js';

export interface ProcInterval {
  pid: number;
  ppid?: number;
  uid?: number;
  user: string;
  state: string;
  cmd: string;
  cmdline?: string;
  /** An interpreter's script or main module (node billing/index.js: billing/index.js); undefined for others. */
  program?: string;
  isNew: boolean;
  /**
   * Started within the last RECENT_INTERVALS intervals (by its start time, so
   * a fresh memtop knows an old process), new ones included: it was not alive
   * through the whole interval before, so its RGROW may still be its start,
   * which the RGROW sort ranks after every established process that grew
   * (src/columns/process.ts).
   */
  recent?: boolean;
  threads?: number;
  nice?: number;
  priority?: number;
  processor?: number;
  minflt?: number;
  majflt?: number;
  /** The kernel's running fault counts since the process started (the exposition's counters). */
  minfltTotal?: number;
  majfltTotal?: number;
  /** CPU time in the interval, milliseconds. */
  syscpu?: number;
  usrcpu?: number;
  /** Percent of one CPU, capped at 100 x ncpu and 100 x threads. */
  cpu?: number;
  vstext?: number;
  vslibs?: number;
  vdata?: number;
  vstack?: number;
  locksz?: number;
  vsize?: number;
  rsize?: number;
  vgrow?: number;
  rgrow?: number;
  swapsz?: number;
  /** Proportional set size (atop's PSIZE), bytes; undefined when not read or unreadable. */
  psize?: number;
  /** Percent of MemTotal. */
  mem?: number;
  rddsk?: number;
  wrdsk?: number;
  wcancl?: number;
  /**
   * atop's DSK: this process's share (percent) of the bytes all processes
   * transferred in the interval, a transfer being read bytes plus written
   * bytes not cancelled; undefined when /proc/PID/io was not read.
   */
  dsk?: number;
  /** Rows of the per-user and per-program views: the number of processes summed into the row. */
  nprocs?: number;
  /** Rows of the per-user and per-program views: how many of the processes summed into the row are leak suspects. */
  suspects?: number;
  /** Rows of the per-user and per-program views: recent processes (new ones included), and their summed RGROW. */
  born?: number;
  bornGrow?: number;
  /** Rows of the per-user and per-program views: the summed TRATE of the young processes (ProcInterval.young). */
  youngRate?: number;
  /** Path of the process's memory cgroup, when the cgroup tree was read. */
  cgroup?: string;
  /** Its container's or pod's name, else its systemd unit (model/cgroups.ts cgroupOfPids); what the CGROUP column shows. */
  cgroupName?: string;
  /** The names along its cgroup path (containers, pods, units): what a cgroup filter by name matches. */
  cgroupNames?: string[];
  /** Clock ticks after boot: with the pid, what identifies the process across samples. */
  starttime?: number;
  /**
   * memtop contained this process in a memory cgroup of its own (K, --contain):
   * from its group's name where the cgroup tree was read (a recording too),
   * else put by the live screen from memtop's records.
   */
  contained?: boolean;
  /** Resident anonymous bytes (RssAnon); undefined where the kernel or a recording does not tell. */
  anon?: number;
  /** Growth over the window (MemoryHistory): bytes per second, undefined until there is enough history. */
  trate?: number;
  /** TRATE is the rate known so far, from less history than a verdict needs (see Growth.young). */
  young?: boolean;
  /** Fitted growth over the window, bytes. */
  tgrow?: number;
  /** A leak suspect: steady growth over the window, confirmed. */
  leak?: boolean;
  /** Suspects: seconds the growth the verdict rests on has lasted. */
  growing?: number;
  /** A row for a process that exited in the interval (its last figures), or was killed by the OOM killer. */
  exited?: 'exit' | 'oom';
  /** Suspects: seconds until memory plus swap left would be used up at this process's rate alone. */
  fillin?: number;
}

/** How long a process is recent (ProcInterval.recent): born in this interval or the one before. */
export const RECENT_INTERVALS = 2;

/** A process seen in the previous sample and gone now, with its last known figures. */
export interface ExitedProc {
  pid: number;
  cmd: string;
  rsize?: number;
  swapsz?: number;
  /** Killed by the OOM killer, as the kernel log says. */
  oom: boolean;
  /** Its last verdict, when memory history is kept. */
  leak?: boolean;
  trate?: number;
  /** Its last rate was young (Growth.young): the TRATE sort ranks its row so. */
  young?: boolean;
  /** It was in the memory cgroup memtop contained it in (from the cgroup tree, when read). */
  contained?: boolean;
}

export interface PrcInterval {
  /** Sum of process CPU time in the interval, milliseconds. */
  sys: number;
  user: number;
  nproc: number;
  ntrun: number;
  ntslpi: number;
  ntslpu: number;
  nzombie: number;
  clones: number;
  /** Processes seen in the previous sample and gone now. */
  nexit: number;
}

/**
 * atop's active process: it did something in the interval. memtop's test:
 * it is new, used CPU time, faulted, grew or shrank, or moved disk bytes.
 * (atop also counts a process that ran for less than a clock tick, which
 * /proc/PID/stat does not show.)
 */
export function isActive(p: ProcInterval): boolean {
  return p.isNew || (p.syscpu ?? 0) > 0 || (p.usrcpu ?? 0) > 0 || (p.minflt ?? 0) > 0 || (p.majflt ?? 0) > 0 ||
    (p.vgrow ?? 0) !== 0 || (p.rgrow ?? 0) !== 0 || (diskTransfer(p) ?? 0) > 0 || (p.wcancl ?? 0) > 0;
}

/** Bytes read plus bytes written and not cancelled (atop's rsz + max(wsz - cwsz, 0)). */
export function diskTransfer(p: ProcInterval): number | undefined {
  if (p.rddsk === undefined && p.wrdsk === undefined) return undefined;
  return (p.rddsk ?? 0) + Math.max(0, (p.wrdsk ?? 0) - (p.wcancl ?? 0));
}

/**
 * Sets each process's DSK share of the interval's transfers. Only objects
 * built for this interval carry io figures (a kept idle interval was sampled
 * without io), so writing into them changes no other interval.
 */
function diskShares(procs: ProcInterval[]): void {
  let total = 0;
  for (const p of procs) total += diskTransfer(p) ?? 0;
  for (const p of procs) {
    const bytes = diskTransfer(p);
    if (bytes !== undefined) p.dsk = total > 0 ? (bytes * 100) / total : 0;
  }
}

/**
 * A counter's delta. A new process counts from zero (its totals, as atop);
 * a known process whose previous sample lacks the counter (io before the
 * disk view was opened, a stat field that was unknown) has no delta:
 * unknown, not its lifetime total.
 */
function delta(cur: number | undefined, base: ProcSample | undefined, prev: number | undefined): number | undefined {
  if (cur === undefined) return undefined;
  if (!base) return cur;
  return prev === undefined ? undefined : sub(cur, prev);
}

/** A size's change: from zero for a new process, unknown where either size is. */
function growth(cur: number | undefined, base: ProcSample | undefined, prev: number | undefined): number | undefined {
  if (cur === undefined) return undefined;
  if (!base) return cur;
  return prev === undefined ? undefined : cur - prev;
}

/** Pids strictly ascending, as the sampler lists them. */
export function ascending(procs: readonly { pid: number }[]): boolean {
  for (let i = 1; i < procs.length; i++) if (procs[i - 1]!.pid >= procs[i]!.pid) return false;
  return true;
}

/**
 * A lookup of prev's process by pid, asked for cur's pids in cur's order
 * (or the other way round: any two process lists).
 * /proc lists pids in ascending order and the sampler keeps it, so usually
 * both lists are sorted and one walk along prev answers every question
 * (a Map of thousands of entries per sample was the model's largest
 * allocation); any other order gets the Map.
 */
function previousByPid(prev: readonly ProcSample[], cur: readonly ProcSample[]): (pid: number) => ProcSample | undefined {
  if (ascending(prev) && ascending(cur)) {
    let i = 0;
    return (pid) => {
      while (i < prev.length && prev[i]!.pid < pid) i++;
      return i < prev.length && prev[i]!.pid === pid ? prev[i] : undefined;
    };
  }
  const byPid = new Map<number, ProcSample>();
  for (const p of prev) byPid.set(p.pid, p);
  return (pid) => byPid.get(pid);
}

/**
 * The sampler hands back the very same sample object for a process whose
 * stat did not change. Between two such samples the process has no deltas,
 * so its interval is the one built last time from that object: kept here,
 * by object, it is not built again for every idle process in every sample.
 */
const idleIntervals = new WeakMap<ProcSample, ProcInterval>();

/**
 * Every live process of `cur` with its figures for the interval since
 * `prev` (all new, with totals as growth, when there is no `prev`), and the
 * PRC line's counts. `cputot` is the interval's CPU ticks over all CPUs.
 */
export function processIntervals(
  prev: Sample | undefined, cur: Sample, ctx: { cputot: number; memTot: number },
): { procs: ProcInterval[]; prc: PrcInterval; exited: ExitedProc[] } {
  const { cputot } = ctx;
  const ncpu = cur.ncpu;
  const memTotKiB = ctx.memTot / 1024;
  const prevOf = previousByPid(prev ? prev.procs : [], cur.procs);
  const msPerTick = 1000 / cur.hz;
  const users = cur.users;
  const perCpuTicks = cputot > 0 ? cputot / ncpu : 0;
  // Started after this many clock ticks since boot: recent (an idle process's kept interval is updated too).
  const recentFrom = prev ? (cur.uptime - RECENT_INTERVALS * (cur.uptime - prev.uptime)) * cur.hz : Infinity;
  const procs: ProcInterval[] = [];
  const prc: PrcInterval = {
    sys: 0, user: 0, nproc: cur.procs.length, ntrun: 0, ntslpi: 0, ntslpu: 0, nzombie: 0,
    clones: sub(cur.cpu.processes, prev ? prev.cpu.processes : 0), nexit: 0,
  };
  let matched = 0;
  let threadsTotal = 0;
  let idleThreads = 0;
  for (const p of cur.procs) {
    // The same process only when pid and start time match: a reused pid is a new process.
    // A start time unknown in either sample (a damaged stat) leaves the pid alone to match.
    const byPid = prevOf(p.pid);
    const old = byPid && (byPid.starttime === p.starttime || byPid.starttime === undefined || p.starttime === undefined)
      ? byPid : undefined;
    if (old) matched++;
    const base = old;
    // Unknown stat fields (undefined) stay unknown in the figures made of them and add nothing to sums.
    const utime = delta(p.utime, base, base?.utime);
    const stime = delta(p.stime, base, base?.stime);
    const threads = Math.max(1, p.threads ?? 1);
    let cpu: number | undefined;
    if (utime !== undefined && stime !== undefined) {
      cpu = perCpuTicks > 0 ? ((utime + stime) * 100) / perCpuTicks : 0;
      cpu = Math.min(cpu, 100 * ncpu, 100 * threads);
    }
    if (stime !== undefined) prc.sys += stime * msPerTick;
    if (utime !== undefined) prc.user += utime * msPerTick;
    threadsTotal += threads;
    if (p.state === 'Z') prc.nzombie++;
    if (p.state === 'I') idleThreads += threads;
    const mem = p.rss === undefined ? undefined : memTotKiB > 0 ? Math.min(100, (p.rss / 1024 * 100) / memTotKiB) : 0;
    if (old === p) {
      const same = idleIntervals.get(p);
      if (same && same.mem === mem) {
        same.recent = p.starttime !== undefined && p.starttime > recentFrom;
        procs.push(same);
        continue;
      }
    }
    const iv: ProcInterval = {
      pid: p.pid,
      ppid: p.ppid,
      uid: p.uid,
      user: p.uid === undefined ? '?' : users?.[p.uid] ?? String(p.uid),
      state: p.state,
      cmd: p.comm,
      cmdline: p.cmdline,
      program: p.program,
      isNew: !old,
      recent: !old || (p.starttime !== undefined && p.starttime > recentFrom),
      threads: p.threads,
      nice: p.nice,
      priority: p.priority,
      processor: p.processor,
      minflt: delta(p.minflt, base, base?.minflt),
      majflt: delta(p.majflt, base, base?.majflt),
      minfltTotal: p.minflt,
      majfltTotal: p.majflt,
      syscpu: stime === undefined ? undefined : stime * msPerTick,
      usrcpu: utime === undefined ? undefined : utime * msPerTick,
      cpu,
      vstext: p.vmExe,
      vslibs: p.vmLib,
      vdata: p.vmData,
      vstack: p.vmStk,
      locksz: p.vmLck,
      vsize: p.vsize,
      rsize: p.rss,
      vgrow: growth(p.vsize, base, base?.vsize),
      rgrow: growth(p.rss, base, base?.rss),
      swapsz: p.vmSwap,
      psize: p.pss,
      mem,
      rddsk: delta(p.rddsk, base, base?.rddsk),
      wrdsk: delta(p.wrdsk, base, base?.wrdsk),
      wcancl: delta(p.wcancl, base, base?.wcancl),
      starttime: p.starttime,
      anon: p.rssAnon,
    };
    procs.push(iv);
    if (old === p) idleIntervals.set(p, iv);
  }
  diskShares(procs);
  prc.nexit = prev ? prev.procs.length - matched : 0;
  const exited = exitedProcs(prev, cur, prc.nexit, cur.oomKills);
  // Thread states come from /proc/stat (runnable and blocked threads system-wide);
  // the rest of the threads are sleeping or idle.
  prc.ntrun = cur.cpu.procsRunning;
  prc.ntslpu = cur.cpu.procsBlocked;
  prc.ntslpi = Math.max(0, threadsTotal - prc.ntrun - prc.ntslpu - idleThreads - prc.nzombie);
  return { procs, prc, exited };
}

/**
 * The processes of `prev` that `cur` lacks, with their last figures; the
 * kernel log's OOM victims marked, and added when no sample ever saw them.
 */
function exitedProcs(prev: Sample | undefined, cur: Sample, nexit: number, kills: readonly OomKill[] | undefined): ExitedProc[] {
  const exited: ExitedProc[] = [];
  if (prev && nexit > 0) {
    const curOf = previousByPid(cur.procs, prev.procs);
    for (const p of prev.procs) {
      const now = curOf(p.pid);
      if (!now || (now.starttime !== p.starttime && now.starttime !== undefined && p.starttime !== undefined)) exited.push({ pid: p.pid, cmd: p.comm, rsize: p.rss, swapsz: p.vmSwap, oom: false });
    }
  }
  for (const k of kills ?? []) {
    const gone = exited.find((e) => e.pid === k.pid);
    if (gone) gone.oom = true;
    else exited.push({ pid: k.pid, cmd: k.comm, rsize: k.anonRss ?? 0, oom: true });
  }
  return exited;
}
