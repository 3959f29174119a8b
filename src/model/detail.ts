/**
 * One process in detail: its memory by kind and by mapping group, with the
 * growth over the last interval and since the detail opened. Pure: the
 * tracker is fed one reading per interval (read by src/reader/detail.ts) and
 * keeps only the first and the previous group sizes.
 */
import type { StatusMemory } from '../procfs/pid.js';
import { mappingGroup, mappingKind, type Mapping, type MappingKind } from '../procfs/smaps.js';
import type { CgroupDetail, DetailReading } from '../sample.js';
import { runtimeOf, type Runtime } from './runtime.js';

/** A size with its growth; undefined where the kernel does not tell (shown as `?`, never 0). */
export interface Grown {
  value?: number;
  /** Over the last interval; 0 in the first sample. */
  grow?: number;
  /** Since the detail opened. */
  since?: number;
}

export const KIND_NAMES = ['anon', 'file', 'shmem', 'swap', 'locked', 'pagetables'] as const;
export type KindName = (typeof KIND_NAMES)[number];

export interface MappingGroup {
  name: string;
  kind: MappingKind;
  /** How many mappings the group has. */
  count: number;
  size: number;
  rss: number;
  swap: number;
  /** Resident plus swapped, over the last interval (0 in the first sample). */
  grow: number;
  /** Resident plus swapped, since the detail opened. */
  since: number;
  /** Virtual size, since the detail opened. */
  sizeSince: number;
}

export interface TrendPoint {
  time: number;
  rss?: number;
  swap?: number;
  vsize?: number;
}

export interface Detail {
  pid: number;
  cmd: string;
  /** What runs in it (Node, CPython, a JVM, Go), when its mappings tell. */
  runtime?: Runtime;
  time: number;
  /** Seconds since the previous reading; 0 in the first. */
  elapsed: number;
  /** Seconds since the detail opened. */
  opened: number;
  gone: boolean;
  kinds: Record<KindName, Grown>;
  vsize: Grown;
  rss: Grown;
  pss?: number;
  uss?: number;
  swappss?: number;
  /** Largest growers since opened first, then largest resident. */
  mappings?: MappingGroup[];
  smapsUnreadable?: string;
  /** Resident, swapped and virtual size at each reading of the window kept. */
  trend: TrendPoint[];
  cgroup?: CgroupDetail;
  /** Events of the cgroup that went up since the previous reading (an OOM kill, the limit hit). */
  cgroupNews?: Record<string, number>;
}

interface GroupTotals {
  size: number;
  rss: number;
  swap: number;
}

/** The sums of smaps per group, each group named as mappingGroup names it. */
export function groupMappings(maps: readonly Mapping[]): Map<string, GroupTotals & { kind: MappingKind; count: number }> {
  const groups = new Map<string, GroupTotals & { kind: MappingKind; count: number }>();
  for (const m of maps) {
    const kind = mappingKind(m);
    const name = mappingGroup(m, kind);
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { kind, count: 0, size: 0, rss: 0, swap: 0 }));
    g.count++;
    g.size += m.size ?? 0;
    g.rss += m.rss ?? 0;
    g.swap += m.swap ?? 0;
  }
  return groups;
}

/**
 * Resident memory by kind. status's RssAnon/RssFile/RssShmem (4.5+) are
 * taken as they are; older kernels get them from smaps: anonymous pages
 * (the Anonymous field, 2.6.34+, else the resident size of anonymous, heap
 * and stack mappings), shared memory mappings, and the rest of VmRSS as file.
 */
export function residentKinds(status: StatusMemory, maps?: readonly Mapping[]): { anon?: number; file?: number; shmem?: number } {
  if (status.rssAnon !== undefined) return { anon: status.rssAnon, file: status.rssFile, shmem: status.rssShmem };
  if (!maps || status.vmRss === undefined) return {};
  let anon = 0;
  let shmem = 0;
  const hasAnonymous = maps.some((m) => m.anonymous !== undefined);
  for (const m of maps) {
    const kind = mappingKind(m);
    if (kind === 'shmem') shmem += m.rss ?? 0;
    else if (hasAnonymous) anon += m.anonymous ?? 0;
    else if (kind === 'anon' || kind === 'heap' || kind === 'stack') anon += m.rss ?? 0;
  }
  return { anon, shmem, file: Math.max(0, status.vmRss - anon - shmem) };
}

function grown(value: number | undefined, prev: number | undefined, first: number | undefined): Grown {
  return {
    value,
    grow: value === undefined ? undefined : prev === undefined ? 0 : value - prev,
    since: value === undefined ? undefined : first === undefined ? 0 : value - first,
  };
}

/** Feeds readings of one process in time order; each update gives the detail of that moment. */
export class DetailTracker {
  private first?: { kinds: Partial<Record<KindName, number>>; vsize?: number; rss?: number; groups?: Map<string, GroupTotals> };
  private prev?: {
    time: number; kinds: Partial<Record<KindName, number>>; vsize?: number; rss?: number; groups?: Map<string, GroupTotals>; cgroup?: CgroupDetail;
  };
  private readonly opened: number;
  private cmd = '';
  private readonly trend: TrendPoint[] = [];

  /** `window`: how many readings the trend keeps. */
  constructor(opened: number, private readonly window = 60) {
    this.opened = opened;
  }

  update(r: DetailReading): Detail {
    const s = r.status;
    const kinds: Partial<Record<KindName, number>> = {};
    if (s) {
      Object.assign(kinds, residentKinds(s, r.mappings));
      kinds.swap = s.vmSwap;
      kinds.locked = s.vmLck;
      kinds.pagetables = s.vmPte;
    }
    const groups = r.mappings ? groupMappings(r.mappings) : undefined;
    const first = (this.first ??= { kinds, vsize: s?.vmSize, rss: s?.vmRss, groups });
    // The first reading that could read smaps is where mapping growth counts from.
    first.groups ??= groups;
    const prev = this.prev;
    // A process that is gone has no name left to read: it keeps the one it had.
    if (r.cmd) this.cmd = r.cmd;
    const detail: Detail = {
      pid: r.pid,
      cmd: this.cmd,
      time: r.time,
      elapsed: prev ? (r.time - prev.time) / 1000 : 0,
      opened: (r.time - this.opened) / 1000,
      gone: !s,
      kinds: Object.fromEntries(KIND_NAMES.map((k) => [k, grown(kinds[k], prev?.kinds[k], first.kinds[k])])) as Record<KindName, Grown>,
      vsize: grown(s?.vmSize, prev?.vsize, first.vsize),
      rss: grown(s?.vmRss, prev?.rss, first.rss),
      pss: r.rollup?.pss,
      uss: r.rollup && r.rollup.privateClean !== undefined ? r.rollup.privateClean + (r.rollup.privateDirty ?? 0) : undefined,
      swappss: r.rollup?.swapPss,
      smapsUnreadable: r.smapsUnreadable,
      trend: this.trend,
      cgroup: r.cgroup,
      runtime: runtimeOf(r.mappings, r.goBinary),
    };
    const before = prev?.cgroup;
    if (r.cgroup && before && before.path === r.cgroup.path) {
      const news: Record<string, number> = {};
      for (const [k, v] of Object.entries({ ...r.cgroup.events, ...(r.cgroup.failcnt === undefined ? {} : { failcnt: r.cgroup.failcnt }) })) {
        const old = k === 'failcnt' ? before.failcnt : before.events[k];
        if (old !== undefined && v > old && k !== 'under_oom') news[k] = v - old;
      }
      if (Object.keys(news).length) detail.cgroupNews = news;
    }
    if (groups) detail.mappings = rankGroups(groups, prev?.groups, first.groups);
    if (s) {
      this.trend.push({ time: r.time, rss: s.vmRss, swap: s.vmSwap, vsize: s.vmSize });
      if (this.trend.length > this.window) this.trend.shift();
    }
    this.prev = { time: r.time, kinds, vsize: s?.vmSize, rss: s?.vmRss, groups: groups ?? prev?.groups, cgroup: r.cgroup ?? prev?.cgroup };
    return detail;
  }
}

const used = (g: GroupTotals | undefined) => (g ? g.rss + g.swap : 0);

/** Groups with their growth, the largest growers since opened first, then the largest resident. */
function rankGroups(
  groups: Map<string, GroupTotals & { kind: MappingKind; count: number }>,
  prev: Map<string, GroupTotals> | undefined,
  first: Map<string, GroupTotals> | undefined,
): MappingGroup[] {
  const out: MappingGroup[] = [];
  for (const [name, g] of groups) {
    out.push({
      name,
      kind: g.kind,
      count: g.count,
      size: g.size,
      rss: g.rss,
      swap: g.swap,
      grow: prev ? used(g) - used(prev.get(name)) : 0,
      since: first ? used(g) - used(first.get(name)) : 0,
      sizeSince: first ? g.size - (first.get(name)?.size ?? 0) : 0,
    });
  }
  return out.sort((a, b) => b.since - a.since || b.grow - a.grow || b.rss - a.rss || a.name.localeCompare(b.name));
}
