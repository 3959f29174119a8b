/**
 * The system part of an interval: CPU, memory, swap, paging, pressure and
 * disk lines from two samples, with atop's formulas and badness.
 */
import { ticksTotal, type CpuTicks } from '../procfs/stat.js';
import type { PagingCounters } from '../procfs/vmstat.js';
import type { Pressure } from '../procfs/pressure.js';
import type { DiskSample, Sample } from '../sample.js';
import { badnessOf, levelOf, type Level, type Thresholds } from './thresholds.js';

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
  /** zswap's pool (Zswap) and what it holds uncompressed (Zswapped), as atop's zpool and zstor. */
  zpool?: number;
  zstor?: number;
  /** zswap switched on: zpool and zstor are shown (also while a pool is left after it was switched off). */
  zswapOn?: boolean;
  /** KSM: the pages it keeps (pages_shared) and what it saves (pages_sharing), as atop's ksuse and kssav, bytes. */
  ksuse?: number;
  kssav?: number;
  /** zram: memory its devices take (mem_used_total) and the data they hold uncompressed (orig_data_size). */
  zrmem?: number;
  zrdat?: number;
  vmcom?: number;
  vmlim?: number;
  badness: number;
  level: Level;
  /** vmcom > vmlim: vmcom is shown cyan. */
  overcommitted: boolean;
  /**
   * Seconds until memory plus swap run out at the current rate: the
   * forecast's `exhaust` (model/leaks.ts), shown on this line as `full`;
   * undefined when nothing runs out or no history is kept.
   */
  exhaust?: number;
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

export function cpuLine(cur: CpuTicks, prev: CpuTicks | undefined, scale: number, t: Thresholds): CpuLine {
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

export function memInterval(s: Sample, t: Thresholds): MemInterval {
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

export function swpInterval(s: Sample, t: Thresholds): SwpInterval {
  const m = s.mem;
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
    zpool: m.Zswap,
    zstor: m.Zswapped,
    zswapOn: s.zswap === true || (m.Zswap ?? 0) > 0,
    ksuse: s.ksm?.shared,
    kssav: s.ksm?.sharing,
    zrmem: s.zram?.used,
    zrdat: s.zram?.orig,
    vmcom,
    vmlim,
    badness,
    level: levelOf(badness, t),
    overcommitted: vmcom !== undefined && vmlim !== undefined && vmcom > vmlim,
  };
}

export function pagInterval(
  cur: PagingCounters, prev: PagingCounters | undefined, nsecs: number, t: Thresholds, pageSize: number,
): PagInterval {
  const d = (k: keyof PagingCounters) => sub(cur[k], prev ? prev[k] : 0);
  // pgpgin/pgpgout count KiB; atop converts each total to pages, then subtracts:
  // the truncations do not add up over intervals as a truncated difference would.
  const pages = (kib: number) => Math.trunc((kib * 1024) / (pageSize > 0 ? pageSize : 4096));
  const dPages = (k: 'pgin' | 'pgout') => sub(pages(cur[k]), prev ? pages(prev[k]) : 0);
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
    pgin: dPages('pgin'),
    pgout: dPages('pgout'),
    zswin: d('zswin'),
    zswout: d('zswout'),
    swin: d('swin'),
    swout,
    oomkill: cur.oomkill < 0 ? -1 : sub(cur.oomkill, prev && prev.oomkill >= 0 ? prev.oomkill : 0),
    badness,
    level: levelOf(badness, t),
  };
}

export function psiInterval(cur: Sample['psi'], prev: Sample['psi'], nsecs: number, t: Thresholds): PsiInterval | undefined {
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

export function diskInterval(cur: DiskSample, prev: DiskSample | undefined, mstot: number, nsecs: number, t: Thresholds): DiskInterval {
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
