/**
 * The registry of the memory system lines' fields (MEM, SWP, PAG): one entry
 * per field says how the line prints and colours it, whether --json carries
 * it and under which Prometheus metric it is exported. output/syslines.ts
 * lays the lines out from LINE_LAYOUTS (names and atop's priorities, as a
 * process view), output/json.ts writes each part's `json` fields and
 * export/exposition.ts its `gauge` and `counter` fields, in registry order.
 *
 * To add a field: the figure in the model's part (src/model/system.ts), one
 * entry below, and its name in a line layout to show it.
 */
import type { MemInterval, PagInterval, SwpInterval } from '../model/interval.js';
import type { Level } from '../model/thresholds.js';
import type { Sample } from '../sample.js';
import { parseSpec, type UnknownIn } from './registry.js';

export type SysColor = 'line' | Level | 'info';

interface SysMetric {
  /** Full family name (a counter's without `_total`). */
  name: string;
  help: string;
  /** OpenMetrics # UNIT; the name then ends in `_<unit>`. */
  unit?: string;
}

export interface SysFieldDef<Part> {
  /** As shown on the line; also the key in --json. */
  name: string;
  /** How the line prints it: a size in 12 characters (never below M), a count, or a duration in seconds ("3h20m"). */
  kind?: 'size' | 'count' | 'duration';
  get(part: Part): number | undefined;
  /** Shown on the line only when this holds (default: when the value is known). */
  shown?(part: Part): boolean;
  /** 'line': the line's colour; a level or 'info': its own; none: plain. */
  color?: SysColor | ((part: Part) => SysColor | undefined);
  /** In the --json object of the part (null when unknown). */
  json?: boolean;
  /** A Prometheus gauge of the interval's value. */
  gauge?: SysMetric;
  /** A Prometheus counter of the kernel's running total, from the sample. */
  counter?: SysMetric & { value(s: Sample): number | undefined };
}

/** The exhaustion forecast (SWP's `full`) is shown when memory plus swap would run out within this many seconds. */
export const FORECAST_HORIZON = 24 * 3600;
/** Within an hour it is critical (red); within 1.25 h (atop's 80% "almost") cyan. */
export const FORECAST_CRIT = 3600;

const bytes = (name: string, help: string): SysMetric => ({ name: `memtop_${name}_bytes`, help, unit: 'bytes' });

/** Each part's fields in --json and exposition order; the screen order is the layout's. */
const MEM = [
  { name: 'tot', kind: 'size', get: (m) => m.tot, color: 'line', json: true, gauge: bytes('memory_total', 'Physical memory (MemTotal).') },
  { name: 'free', kind: 'size', get: (m) => m.free, color: 'line', json: true, gauge: bytes('memory_free', 'Unused physical memory (MemFree).') },
  {
    name: 'avail', kind: 'size', get: (m) => m.avail, color: 'line', json: true,
    gauge: bytes('memory_available', 'Memory available for new work without swapping (MemAvailable).'),
  },
  {
    name: 'cache', kind: 'size', get: (m) => m.cache, color: 'line', json: true,
    gauge: bytes('memory_cached', 'Page cache, shared memory included (Cached).'),
  },
  { name: 'buff', kind: 'size', get: (m) => m.buff, color: 'line', json: true, gauge: bytes('memory_buffers', 'Block device buffers (Buffers).') },
  { name: 'slab', kind: 'size', get: (m) => m.slab, color: 'line', json: true, gauge: bytes('memory_slab', 'Kernel slab caches (Slab).') },
  {
    name: 'slrec', kind: 'size', get: (m) => m.slrec, color: 'line',
    gauge: bytes('memory_slab_reclaimable', 'Reclaimable part of the slab caches (SReclaimable).'),
  },
  { name: 'shmem', kind: 'size', get: (m) => m.shmem, color: 'line', json: true, gauge: bytes('memory_shmem', 'Shared memory and tmpfs (Shmem).') },
  {
    name: 'dirty', kind: 'size', get: (m) => m.dirty, json: true,
    gauge: bytes('memory_dirty', 'Page cache waiting to be written back (Dirty).'),
  },
  { name: 'pgtab', kind: 'size', get: (m) => m.pgtab, color: 'line', gauge: bytes('memory_page_tables', 'Memory used by page tables (PageTables).') },
  {
    name: 'used', get: (m) => (m.tot > 0 ? m.usedPct / 100 : undefined),
    gauge: {
      name: 'memtop_memory_used_ratio', unit: 'ratio',
      help: 'Used memory as atop counts it: (total - free - cache - buffers - reclaimable slab + shmem) / total.',
    },
  },
  { name: 'hptot', kind: 'size', get: (m) => m.hptot, color: 'line' },
  { name: 'hpuse', kind: 'size', get: (m) => m.hpuse, color: 'line' },
  { name: 'numnode', kind: 'count', get: (m) => m.numnode },
  { name: 'tcpsk', kind: 'size', get: (m) => m.tcpsk },
  { name: 'udpsk', kind: 'size', get: (m) => m.udpsk },
  // atop drops anthp when it is zero (no transparent huge pages in use).
  { name: 'anthp', kind: 'size', get: (m) => m.anthp, shown: (m) => !!m.anthp, color: 'line' },
  { name: 'badness', get: (m) => m.badness, json: true },
] as const satisfies readonly SysFieldDef<MemInterval>[];
export const MEM_FIELDS: readonly SysFieldDef<MemInterval>[] = MEM;

const SWP = [
  { name: 'tot', kind: 'size', get: (s) => s.tot, color: 'line', json: true, gauge: bytes('swap_total', 'Swap space (SwapTotal).') },
  { name: 'free', kind: 'size', get: (s) => s.free, color: 'line', json: true, gauge: bytes('swap_free', 'Unused swap space (SwapFree).') },
  { name: 'swcac', kind: 'size', get: (s) => s.swcac, color: 'line', gauge: bytes('swap_cached', 'Memory that is also in swap (SwapCached).') },
  // zswap, KSM and zram as atop 2.10+ (zpool, zstor, ksuse, kssav) and htop's zram meter: on the line while in use;
  // in JSON and the exposition whenever the kernel tells (0 included), null or absent where it has none.
  {
    name: 'zpool', kind: 'size', get: (s) => s.zpool, shown: (s) => !!s.zswapOn && s.zpool !== undefined, json: true,
    gauge: bytes('zswap_pool', 'Memory taken by zswap\'s compressed pool (Zswap).'),
  },
  {
    name: 'zstor', kind: 'size', get: (s) => s.zstor, shown: (s) => !!s.zswapOn && s.zstor !== undefined, json: true,
    gauge: bytes('zswap_stored', 'Memory stored in zswap, uncompressed (Zswapped).'),
  },
  {
    name: 'ksuse', kind: 'size', get: (s) => s.ksuse, shown: (s) => !!s.ksuse, json: true,
    gauge: bytes('ksm_shared', 'Pages KSM keeps for the identical pages it merged (pages_shared x page size).'),
  },
  {
    name: 'kssav', kind: 'size', get: (s) => s.kssav, shown: (s) => !!s.ksuse, json: true,
    gauge: bytes('ksm_sharing', 'Memory KSM saves: the mappings of its shared pages (pages_sharing x page size).'),
  },
  {
    name: 'zrmem', kind: 'size', get: (s) => s.zrmem, shown: (s) => !!s.zrdat, json: true,
    gauge: bytes('zram_memory_used', 'Memory the zram devices take, allocator overhead included (mm_stat mem_used_total, summed).'),
  },
  {
    name: 'zrdat', kind: 'size', get: (s) => s.zrdat, shown: (s) => !!s.zrdat, json: true,
    gauge: bytes('zram_data', 'Data the zram devices hold, uncompressed (mm_stat orig_data_size, summed).'),
  },
  {
    name: 'vmcom', kind: 'size', get: (s) => s.vmcom, color: (s) => (s.overcommitted ? 'almost' : undefined), json: true,
    gauge: bytes('commit', 'Memory committed to processes (Committed_AS).'),
  },
  {
    name: 'vmlim', kind: 'size', get: (s) => s.vmlim, color: (s) => (s.overcommitted ? 'info' : undefined), json: true,
    gauge: bytes('commit_limit', 'Commit limit under strict overcommit (CommitLimit).'),
  },
  { name: 'badness', get: (s) => s.badness, json: true },
  {
    // The exhaustion forecast (model/leaks.ts): shown within FORECAST_HORIZON, cyan within 1.25 h (atop's
    // 80% "almost" of the hour), red within FORECAST_CRIT. Not in the swp JSON: --json carries it as the
    // top-level `forecast` with its rate and what is left, and so does the exposition.
    name: 'full', kind: 'duration', get: (s) => s.exhaust,
    shown: (s) => s.exhaust !== undefined && s.exhaust <= FORECAST_HORIZON,
    color: (s) => (s.exhaust! <= FORECAST_CRIT ? 'crit' : s.exhaust! <= FORECAST_CRIT / 0.8 ? 'almost' : undefined),
  },
] as const satisfies readonly SysFieldDef<SwpInterval>[];
export const SWP_FIELDS: readonly SysFieldDef<SwpInterval>[] = SWP;

/** A paging counter: per interval on the line and in JSON, the kernel's total in the exposition. */
const counter = (name: string, help: string, value: (s: Sample) => number | undefined, unit?: string) =>
  ({ name: `memtop_${name}`, help, value, unit });
/** zswap counters are shown only when zswap did something. */
const zswapped = (g: PagInterval) => g.zswin + g.zswout > 0;

const PAG = [
  {
    name: 'scan', kind: 'count', get: (g) => g.scan, json: true,
    counter: counter(
      'page_scans',
      'Pages scanned by page reclaim, cgroup reclaim included (pgscan_anon + pgscan_file; pgscan_kswapd/direct/khugepaged before 5.8).',
      (s) => s.pag.scan,
    ),
  },
  {
    name: 'steal', kind: 'count', get: (g) => g.steal, json: true,
    counter: counter(
      'page_steals',
      'Pages reclaimed, cgroup reclaim included (pgsteal_anon + pgsteal_file; pgsteal_kswapd/direct/khugepaged before 5.8).',
      (s) => s.pag.steal,
    ),
  },
  {
    name: 'stall', kind: 'count', get: (g) => g.stall, json: true,
    counter: counter('allocation_stalls', 'Allocations that stalled for direct reclaim (allocstall*).', (s) => s.pag.stall),
  },
  {
    name: 'compact', kind: 'count', get: (g) => g.compact,
    counter: counter('compaction_stalls', 'Allocations that stalled for memory compaction (compact_stall).', (s) => s.pag.compact),
  },
  {
    name: 'swin', kind: 'count', get: (g) => g.swin, json: true,
    counter: counter('swap_in_bytes', 'Bytes swapped in ((pswpin + swpin_zero) x page size).', (s) => s.pag.swin * s.pageSize, 'bytes'),
  },
  {
    name: 'swout', kind: 'count', get: (g) => g.swout, color: 'line', json: true,
    counter: counter('swap_out_bytes', 'Bytes swapped out ((pswpout + swpout_zero) x page size).', (s) => s.pag.swout * s.pageSize, 'bytes'),
  },
  {
    name: 'pgin', kind: 'count', get: (g) => g.pgin,
    counter: counter('page_in_bytes', 'Bytes paged in from block devices (pgpgin).', (s) => s.pag.pgin * 1024, 'bytes'),
  },
  {
    name: 'pgout', kind: 'count', get: (g) => g.pgout,
    counter: counter('page_out_bytes', 'Bytes paged out to block devices (pgpgout).', (s) => s.pag.pgout * 1024, 'bytes'),
  },
  {
    name: 'migrate', kind: 'count', get: (g) => g.migrate,
    counter: counter('pages_migrated', 'Pages migrated (pgmigrate_success).', (s) => s.pag.migrate),
  },
  {
    name: 'oomkill', kind: 'count', get: (g) => g.oomkill, shown: (g) => g.oomkill >= 0, color: (g) => (g.oomkill > 0 ? 'crit' : undefined),
    counter: counter('oom_kills', 'Processes killed by the OOM killer (oom_kill).', (s) => (s.pag.oomkill >= 0 ? s.pag.oomkill : undefined)),
  },
  { name: 'numamig', kind: 'count', get: (g) => g.numamig },
  { name: 'zswin', kind: 'count', get: (g) => g.zswin, shown: zswapped },
  { name: 'zswout', kind: 'count', get: (g) => g.zswout, shown: zswapped, color: 'line' },
  { name: 'badness', get: (g) => g.badness, json: true },
] as const satisfies readonly SysFieldDef<PagInterval>[];
export const PAG_FIELDS: readonly SysFieldDef<PagInterval>[] = PAG;

type NameOf<T extends readonly { name: string }[]> = T[number]['name'];

/** A line layout naming only its registry's fields ('_' a blank box); otherwise a compile error naming the stranger. */
type Layout<S extends string, Names extends string> = [UnknownIn<S, Names | '_'>] extends [never]
  ? S
  : `unknown field in line layout: ${UnknownIn<S, Names | '_'>}`;

function layout<Names extends string>() {
  return <S extends string>(s: Layout<S, Names>) => parseSpec(s);
}

/**
 * Each line's fields in screen order with atop's priorities ('_' is a blank
 * box, priority 0 unless given). Priorities are atop's defaults (2.11+'s MEM
 * lines with avail) except PAG, where memtop keeps scan, stall, swin and
 * swout at 80 columns: the figures a memory leak is told with (atop 2.8
 * shows migrate, pgin, pgout, swout, oomkill there).
 */
export const LINE_LAYOUTS = {
  mem1: layout<NameOf<typeof MEM>>()('tot:8 free:9 avail:7 _ cache:7 dirty:5 buff:6 _ slab:6 slrec:2 _ hptot:4 hpuse:1'),
  mem2: layout<NameOf<typeof MEM>>()('numnode:8 _:1 shmem:6 _ tcpsk:3 udpsk:2 _ pgtab:5 _ anthp:4'),
  swp: layout<NameOf<typeof SWP>>()('tot:5 free:6 swcac:4 _ zpool:3 zstor:3 ksuse:3 kssav:3 zrmem:2 zrdat:2 _ _ vmcom:7 vmlim:8 full:9'),
  pag: layout<NameOf<typeof PAG>>()(
    'scan:8 steal:3 stall:6 compact:4 numamig:1 migrate:2 pgin:5 pgout:5 zswin:4 zswout:7 swin:8 swout:9 oomkill:7',
  ),
};

/** The --json object of a part: its `json` fields in registry order, null where unknown. */
export function partJson<Part>(fields: readonly SysFieldDef<Part>[], part: Part): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of fields) if (f.json) out[f.name] = f.get(part) ?? null;
  return out;
}
