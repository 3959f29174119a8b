/**
 * The model: two samples in, one interval out. Deltas, percentages and
 * badness follow atop's formulas (see docs in the README); outputs only
 * present what is computed here.
 */
import { ticksTotal, type CpuTicks } from '../procfs/stat.js';
import type { PagingCounters } from '../procfs/vmstat.js';
import type { Pressure } from '../procfs/pressure.js';
import type { DiskSample, ProcSample, Sample } from '../sample.js';
import { badnessOf, DEFAULT_THRESHOLDS, levelOf, type Level, type Thresholds } from './thresholds.js';
import { ifIntervals, netInterval, type IfInterval, type NetInterval } from './net.js';
import { userName } from './users.js';

/** atop's subcount(): a counter that went backwards (wrapped or reset) counts from zero. */
export function sub(cur: number, prev: number): number {
  return cur >= prev ? cur - prev : cur;
}

export interface CpuLine {
  /** Percent of one CPU, so the total line sums to ncpu x 100 (as atop). */
  sys: number;
  user: number;
  irq: number;
  idle: number;
  wait: number;
  steal: number;
  guest: number;
  badness: number;
  level: Level;
}

export interface CpuInterval extends CpuLine {
  ncpu: number;
  cpus: (CpuLine & { id: number })[];
}

export interface MemInterval {
  tot: number;
  free: number;
  avail?: number;
  cache: number;
  buff: number;
  slab: number;
  slrec?: number;
  shmem?: number;
  dirty?: number;
  pgtab?: number;
  anthp?: number;
  hptot?: number;
  hpuse?: number;
  tcpsk?: number;
  udpsk?: number;
  numnode?: number;
  /** atop's used% = (tot - free - cache - buff - slrec + shmem) / tot. */
  usedPct: number;
  badness: number;
  level: Level;
}

export interface SwpInterval {
  tot: number;
  free: number;
  swcac?: number;
  vmcom?: number;
  vmlim?: number;
  badness: number;
  level: Level;
  /** vmcom > vmlim: vmcom is shown cyan. */
  overcommitted: boolean;
}

export interface PagInterval extends Omit<PagingCounters, 'oomkill'> {
  /** -1 when the kernel does not count OOM kills. */
  oomkill: number;
  badness: number;
  level: Level;
}

export interface PsiInterval {
  cpusome?: number;
  memsome?: number;
  memfull?: number;
  iosome?: number;
  iofull?: number;
  cpu?: Pressure['some'];
  mem?: Pressure['some'];
  memFull?: Pressure['some'];
  io?: Pressure['some'];
  ioFull?: Pressure['some'];
  badness: number;
  level: Level;
}

export interface DiskInterval {
  name: string;
  device: string;
  busy: number;
  read: number;
  write: number;
  discard: number;
  readSectors: number;
  writeSectors: number;
  kibr: number;
  kibw: number;
  kibd: number;
  mbrs: number;
  mbws: number;
  inflight: number;
  avq: number;
  /** Milliseconds per request. */
  avio: number;
  ioMs: number;
  badness: number;
  level: Level;
}

export interface ProcInterval {
  pid: number;
  ppid: number;
  uid?: number;
  user: string;
  state: string;
  cmd: string;
  cmdline?: string;
  isNew: boolean;
  threads: number;
  nice: number;
  priority: number;
  processor: number;
  minflt: number;
  majflt: number;
  /** CPU time in the interval, milliseconds. */
  syscpu: number;
  usrcpu: number;
  /** Percent of one CPU, capped at 100 x ncpu and 100 x threads. */
  cpu: number;
  vstext?: number;
  vslibs?: number;
  vdata?: number;
  vstack?: number;
  locksz?: number;
  vsize: number;
  rsize: number;
  vgrow: number;
  rgrow: number;
  swapsz?: number;
  /** Percent of MemTotal. */
  mem: number;
  rddsk?: number;
  wrdsk?: number;
  wcancl?: number;
  /** Rows of the per-user and per-program views: the number of processes summed into the row. */
  nprocs?: number;
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
}

function cpuLine(cur: CpuTicks, prev: CpuTicks | undefined, scale: number, t: Thresholds): CpuLine {
  const d = (k: keyof CpuTicks) => sub(cur[k], prev ? prev[k] : 0);
  const total = ticksTotal(cur) - (prev ? ticksTotal(prev) : 0);
  const per = total > 0 ? total / scale : 1;
  const pct = (ticks: number) => (ticks * 100) / per;
  const busyPct = total > 0 ? ((total - d('idle') - d('iowait')) * 100) / total : 0;
  const badness = badnessOf(busyPct, t.cpucritperc);
  return {
    sys: pct(d('system')),
    user: pct(d('user') + d('nice')),
    irq: pct(d('irq') + d('softirq')),
    idle: pct(d('idle')),
    wait: pct(d('iowait')),
    steal: pct(d('steal')),
    guest: pct(d('guest') + d('guestNice')),
    badness,
    level: levelOf(badness, t),
  };
}

function memInterval(s: Sample, t: Thresholds): MemInterval {
  const m = s.mem;
  const tot = m.MemTotal ?? 0;
  const free = m.MemFree ?? 0;
  const cache = m.Cached ?? 0;
  const buff = m.Buffers ?? 0;
  const slrec = m.SReclaimable;
  const shmem = m.Shmem;
  const used = tot - free - cache - buff - (slrec ?? 0) + (shmem ?? 0);
  const usedPct = tot > 0 ? (used * 100) / tot : 0;
  const badness = badnessOf(usedPct, t.memcritperc);
  const hpSize = m.Hugepagesize ?? 0;
  const hpTotal = m.HugePages_Total ?? 0;
  return {
    tot,
    free,
    avail: m.MemAvailable,
    cache,
    buff,
    slab: m.Slab ?? 0,
    slrec,
    shmem,
    dirty: m.Dirty,
    pgtab: m.PageTables,
    anthp: m.AnonHugePages,
    hptot: hpTotal > 0 ? hpTotal * hpSize : undefined,
    hpuse: hpTotal > 0 ? (hpTotal - (m.HugePages_Free ?? 0)) * hpSize : undefined,
    tcpsk: s.sock?.tcp,
    udpsk: s.sock?.udp,
    numnode: s.numaNodes,
    usedPct,
    badness,
    level: levelOf(badness, t),
  };
}

function swpInterval(m: Sample['mem'], t: Thresholds): SwpInterval {
  const tot = m.SwapTotal ?? 0;
  const free = m.SwapFree ?? 0;
  // Without swap the line is never critical (atop #408 blinked red here).
  const busy = tot > 0 ? ((tot - free) * 100) / tot : 0;
  const badness = badnessOf(busy, t.swpcritperc);
  const vmcom = m.Committed_AS;
  const vmlim = m.CommitLimit;
  return {
    tot,
    free,
    swcac: m.SwapCached,
    vmcom,
    vmlim,
    badness,
    level: levelOf(badness, t),
    overcommitted: vmcom !== undefined && vmlim !== undefined && vmcom > vmlim,
  };
}

function pagInterval(cur: PagingCounters, prev: PagingCounters | undefined, nsecs: number, t: Thresholds): PagInterval {
  const d = (k: keyof PagingCounters) => sub(cur[k], prev ? prev[k] : 0);
  const swout = d('swout');
  const rate = nsecs > 0 ? Math.trunc(swout / nsecs) : 0;
  const busy = Math.min(100, rate * t.swoutcritsec);
  let badness = badnessOf(busy, t.memcritperc);
  // Any swapping out at all is at least "almost critical".
  if (swout > 0 && badness < t.almostcrit) badness = t.almostcrit;
  return {
    scan: d('scan'),
    steal: d('steal'),
    stall: d('stall'),
    compact: d('compact'),
    numamig: d('numamig'),
    migrate: d('migrate'),
    // pgpgin/pgpgout count KiB; atop shows pages.
    pgin: Math.trunc(d('pgin') / 4),
    pgout: Math.trunc(d('pgout') / 4),
    zswin: d('zswin'),
    zswout: d('zswout'),
    swin: d('swin'),
    swout,
    oomkill: cur.oomkill < 0 ? -1 : sub(cur.oomkill, prev && prev.oomkill >= 0 ? prev.oomkill : 0),
    badness,
    level: levelOf(badness, t),
  };
}

function psiInterval(cur: Sample['psi'], prev: Sample['psi'], nsecs: number, t: Thresholds): PsiInterval | undefined {
  if (!cur) return undefined;
  const pct = (c: Pressure['some'] | undefined, p: Pressure['some'] | undefined) =>
    c && nsecs > 0 ? Math.min(100, sub(c.total, p ? p.total : 0) / (nsecs * 10000)) : undefined;
  const cpu = cur.cpu?.some;
  const badness = cpu ? Math.trunc(Math.max(cpu.avg10, cpu.avg60, cpu.avg300)) : 0;
  return {
    cpusome: pct(cpu, prev?.cpu?.some),
    memsome: pct(cur.memory?.some, prev?.memory?.some),
    memfull: pct(cur.memory?.full, prev?.memory?.full),
    iosome: pct(cur.io?.some, prev?.io?.some),
    iofull: pct(cur.io?.full, prev?.io?.full),
    cpu,
    mem: cur.memory?.some,
    memFull: cur.memory?.full,
    io: cur.io?.some,
    ioFull: cur.io?.full,
    badness,
    level: levelOf(badness, t),
  };
}

function diskInterval(cur: DiskSample, prev: DiskSample | undefined, mstot: number, nsecs: number, t: Thresholds): DiskInterval {
  const d = (k: 'reads' | 'readSectors' | 'writes' | 'writeSectors' | 'ioMs' | 'weightedMs' | 'discards' | 'discardSectors') =>
    sub(cur[k], prev ? prev[k] : 0);
  const read = d('reads');
  const write = d('writes');
  const ioMs = d('ioMs');
  const busy = mstot > 0 ? (ioMs * 100) / mstot : 0;
  const badness = badnessOf(busy, t.dskcritperc);
  const discards = cur.discards < 0 ? 0 : d('discards');
  const rs = d('readSectors');
  const ws = d('writeSectors');
  return {
    name: cur.label,
    device: cur.name,
    busy,
    read,
    write,
    discard: cur.discards < 0 ? -1 : d('discards'),
    readSectors: rs,
    writeSectors: ws,
    kibr: read > 0 ? Math.trunc(rs / read / 2) : 0,
    kibw: write > 0 ? Math.trunc(ws / write / 2) : 0,
    kibd: discards > 0 ? Math.trunc(sub(cur.discardSectors, prev ? prev.discardSectors : 0) / discards / 2) : 0,
    mbrs: nsecs > 0 ? rs / 2 / 1024 / nsecs : 0,
    mbws: nsecs > 0 ? ws / 2 / 1024 / nsecs : 0,
    inflight: cur.inflight,
    avq: ioMs > 0 ? d('weightedMs') / ioMs : 0,
    avio: read + write > 0 ? ioMs / (read + write) : 0,
    ioMs,
    badness,
    level: levelOf(badness, t),
  };
}

/**
 * An io counter's delta. A new process counts from zero (its totals, as
 * atop); a known process whose previous sample did not read io (the disk
 * view was just opened) has no delta yet: unknown, not its lifetime total.
 */
function ioDelta(cur: number | undefined, base: ProcSample | undefined, prev: number | undefined): number | undefined {
  if (cur === undefined) return undefined;
  if (!base) return cur;
  return prev === undefined ? undefined : sub(cur, prev);
}

export interface IntervalOptions {
  thresholds?: Thresholds;
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
  const memTotKiB = mem.tot / 1024;

  const prevProcs = new Map<number, ProcSample>();
  if (prev) for (const p of prev.procs) prevProcs.set(p.pid, p);
  const msPerTick = 1000 / cur.hz;
  const perCpuTicks = cputot > 0 ? cputot / ncpu : 0;
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
    const byPid = prevProcs.get(p.pid);
    const old = byPid && byPid.starttime === p.starttime ? byPid : undefined;
    if (old) matched++;
    const base = old ?? undefined;
    const utime = sub(p.utime, base ? base.utime : 0);
    const stime = sub(p.stime, base ? base.stime : 0);
    let cpu = perCpuTicks > 0 ? ((utime + stime) * 100) / perCpuTicks : 0;
    cpu = Math.min(cpu, 100 * ncpu, 100 * Math.max(1, p.threads));
    prc.sys += stime * msPerTick;
    prc.user += utime * msPerTick;
    threadsTotal += Math.max(1, p.threads);
    if (p.state === 'Z') prc.nzombie++;
    if (p.state === 'I') idleThreads += Math.max(1, p.threads);
    procs.push({
      pid: p.pid,
      ppid: p.ppid,
      uid: p.uid,
      user: p.uid === undefined ? '?' : userName(p.uid),
      state: p.state,
      cmd: p.comm,
      cmdline: p.cmdline,
      isNew: !old,
      threads: p.threads,
      nice: p.nice,
      priority: p.priority,
      processor: p.processor,
      minflt: sub(p.minflt, base ? base.minflt : 0),
      majflt: sub(p.majflt, base ? base.majflt : 0),
      syscpu: stime * msPerTick,
      usrcpu: utime * msPerTick,
      cpu,
      vstext: p.vmExe,
      vslibs: p.vmLib,
      vdata: p.vmData,
      vstack: p.vmStk,
      locksz: p.vmLck,
      vsize: p.vsize,
      rsize: p.rss,
      vgrow: p.vsize - (base ? base.vsize : 0),
      rgrow: p.rss - (base ? base.rss : 0),
      swapsz: p.vmSwap,
      mem: memTotKiB > 0 ? Math.min(100, (p.rss / 1024 * 100) / memTotKiB) : 0,
      rddsk: ioDelta(p.rddsk, base, base?.rddsk),
      wrdsk: ioDelta(p.wrdsk, base, base?.wrdsk),
      wcancl: ioDelta(p.wcancl, base, base?.wcancl),
    });
  }
  prc.nexit = prev ? prev.procs.length - matched : 0;
  // Thread states come from /proc/stat (runnable and blocked threads system-wide);
  // the rest of the threads are sleeping or idle.
  prc.ntrun = cur.cpu.procsRunning;
  prc.ntslpu = cur.cpu.procsBlocked;
  prc.ntslpi = Math.max(0, threadsTotal - prc.ntrun - prc.ntslpu - idleThreads - prc.nzombie);

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
    swp: swpInterval(cur.mem, t),
    pag: pagInterval(cur.pag, prev?.pag, nsecs, t),
    psi: psiInterval(cur.psi, prev?.psi, nsecs, t),
    lvm: byClass('lvm'),
    mdd: byClass('mdd'),
    dsk: byClass('dsk'),
    net: netInterval(cur, prev),
    ifs: ifIntervals(cur, prev, nsecs),
    procs,
  };
}
