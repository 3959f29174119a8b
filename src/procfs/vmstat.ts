import { scanKeyNumbers } from './keyvalue.js';

/** /proc/vmstat: every "name value" line as a number. */
export type VmStat = Record<string, number>;

export function parseVmstat(text: string): VmStat {
  const out: VmStat = {};
  scanKeyNumbers(text, ' ', (key, value) => {
    out[key] = value;
  });
  return out;
}

/** The running totals atop's PAG line is made of (in pages, except where noted). */
export interface PagingCounters {
  scan: number;
  steal: number;
  stall: number;
  compact: number;
  numamig: number;
  migrate: number;
  /** pgpgin/pgpgout are reported by the kernel in KiB. */
  pgin: number;
  pgout: number;
  zswin: number;
  zswout: number;
  /** Pages swapped in and out: pswpin/pswpout plus swpin_zero/swpout_zero (6.12+). */
  swin: number;
  swout: number;
  /** -1 when the kernel has no oom_kill counter (before 4.13). */
  oomkill: number;
}

const SCAN_PREFIXES = ['pgscan_kswapd', 'pgscan_direct', 'pgscan_khugepaged'];
const STEAL_PREFIXES = ['pgsteal_kswapd', 'pgsteal_direct', 'pgsteal_khugepaged'];

/**
 * Sums the vmstat counters the way atop does: scan and steal by prefix
 * (so per-zone counters of old kernels, e.g. pgscan_kswapd_normal, add up),
 * stall over every allocstall* counter. Where the kernel has
 * pgscan_anon/pgscan_file (5.8+), scan and steal are those pairs instead:
 * they count every reclaim, while the kswapd/direct/khugepaged counters
 * leave out reclaim caused by a cgroup's limit (a leaker held by
 * memory.max or limit_in_bytes showed "scan 0" while the kernel scanned
 * thousands of pages a second).
 */
export function pagingCounters(vm: VmStat): PagingCounters {
  let scan = 0;
  let steal = 0;
  let stall = 0;
  for (const key in vm) {
    const v = vm[key]!;
    if (key.startsWith('pgscan_')) {
      if (SCAN_PREFIXES.some((p) => key.startsWith(p))) scan += v;
    } else if (key.startsWith('pgsteal_')) {
      if (STEAL_PREFIXES.some((p) => key.startsWith(p))) steal += v;
    } else if (key.startsWith('allocstall')) {
      stall += v;
    }
  }
  if (vm.pgscan_anon !== undefined && vm.pgscan_file !== undefined) {
    scan = vm.pgscan_anon + vm.pgscan_file;
    if (vm.pgsteal_anon !== undefined && vm.pgsteal_file !== undefined) steal = vm.pgsteal_anon + vm.pgsteal_file;
  }
  return {
    scan,
    steal,
    stall,
    compact: vm.compact_stall ?? 0,
    numamig: vm.numa_pages_migrated ?? 0,
    migrate: vm.pgmigrate_success ?? 0,
    pgin: vm.pgpgin ?? 0,
    pgout: vm.pgpgout ?? 0,
    zswin: vm.zswpin ?? 0,
    zswout: vm.zswpout ?? 0,
    // Since 6.12 a zero-filled page is swapped without I/O and counted in swpin_zero/swpout_zero
    // only, not in pswpin/pswpout (atop 2.8 reads the latter alone): both, where the kernel has them.
    swin: (vm.pswpin ?? 0) + (vm.swpin_zero ?? 0),
    swout: (vm.pswpout ?? 0) + (vm.swpout_zero ?? 0),
    oomkill: vm.oom_kill ?? -1,
  };
}
