/** /proc/stat: CPU tick counters and the system-wide event counters. */
import { isKernelCount, kernelCount } from './number.js';

export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export interface CpuStat {
  total: CpuTicks;
  /** Per-CPU ticks, indexed by the CPU number in the line's name (cpu0, cpu1, ...). */
  cpus: { id: number; ticks: CpuTicks }[];
  ctxt: number;
  /** Total of the intr line (its first number). */
  intr: number;
  /** Forks since boot. */
  processes: number;
  procsRunning: number;
  procsBlocked: number;
  /** Boot time in seconds since the epoch. */
  btime: number;
}

function ticksFrom(parts: string[]): CpuTicks {
  // Older kernels have fewer columns (no steal before 2.6.11, no guest before
  // 2.6.24); a missing column is zero ticks.
  const n = (i: number) => Number(parts[i] ?? 0) || 0;
  return {
    user: n(1),
    nice: n(2),
    system: n(3),
    idle: n(4),
    iowait: n(5),
    irq: n(6),
    softirq: n(7),
    steal: n(8),
    guest: n(9),
    guestNice: n(10),
  };
}

export function emptyTicks(): CpuTicks {
  return ticksFrom([]);
}

export function parseStat(text: string): CpuStat {
  const out: CpuStat = {
    total: emptyTicks(),
    cpus: [],
    ctxt: 0,
    intr: 0,
    processes: 0,
    procsRunning: 0,
    procsBlocked: 0,
    btime: 0,
  };
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const key = parts[0];
    if (!key) continue;
    // A tick count no kernel prints makes the line's CPU unknown (its ticks stay zero).
    if (key.startsWith('cpu') && !parts.slice(1).every((v) => isKernelCount(Number(v)))) continue;
    if (key === 'cpu') out.total = ticksFrom(parts);
    else if (key.startsWith('cpu')) {
      const id = Number(key.slice(3));
      if (Number.isInteger(id)) out.cpus.push({ id, ticks: ticksFrom(parts) });
    } else if (key === 'ctxt') out.ctxt = kernelCount(parts[1]) ?? 0;
    else if (key === 'intr') out.intr = kernelCount(parts[1]) ?? 0;
    else if (key === 'processes') out.processes = kernelCount(parts[1]) ?? 0;
    else if (key === 'procs_running') out.procsRunning = kernelCount(parts[1]) ?? 0;
    else if (key === 'procs_blocked') out.procsBlocked = kernelCount(parts[1]) ?? 0;
    else if (key === 'btime') out.btime = kernelCount(parts[1]) ?? 0;
  }
  return out;
}

/** Sum of all tick columns except guest time, which the kernel already counts in user. */
export function ticksTotal(t: CpuTicks): number {
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}
