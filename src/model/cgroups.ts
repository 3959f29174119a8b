/**
 * The cgroup part of an interval: each memory cgroup's figures, its growth
 * (CGROW), OOM kills and memory pressure in the interval, and how full it
 * is against the tightest limit above it, coloured as atop colours a line.
 */
import { isContainGroup, UNLIMITED } from '../procfs/cgroup.js';
import type { CgroupCounters, CgroupSample } from '../sample.js';
import { sub } from './system.js';
import { badnessOf, levelOf, type Level, type Thresholds } from './thresholds.js';

export { UNLIMITED };

/** The sample's gauges, carried as read (their meaning is documented on CgroupCounters). */
export interface CgroupInterval extends Pick<CgroupCounters, 'path' | 'name' | 'memory' | 'max' | 'high' | 'swap' | 'anon' | 'file'> {
  /** Level in the tree, the top being 1 (atop's depth keys 2-9 show levels up to the key). */
  depth: number;
  /** Processes in this group itself (subgroups without memory files included). */
  nprocs: number;
  /** Growth of memory in the interval (a group new in the interval: all of its memory, as atop's process growth). */
  cgrow?: number;
  /** OOM kills in the interval. */
  oomkill?: number;
  /** Percent of the interval some / all of the group's tasks stalled on memory (memory.pressure totals). */
  psiSome?: number;
  psiFull?: number;
  /**
   * The tightest limit that holds this group: its own memory.max or an
   * ancestor's, whichever is smaller; undefined when none is set.
   */
  limit?: number;
  /** Where `limit` is set: this group's path or an ancestor's. */
  limitFrom?: string;
  /** memory x 100 / limit. */
  limitPct?: number;
  /** atop's badness of limitPct against memcritperc, and its colour. */
  badness: number;
  level: Level;
  /** atop colours MEMORY and MEMMAX red above 95% of the group's own limit. */
  nearOwnMax: boolean;
  /** atop colours MEMPS red from 20% full pressure. */
  psiCrit: boolean;
  isNew: boolean;
  /** Windowed growth rate (bytes/s) and leak verdict, set by MemoryHistory.observeCgroups when history is kept. */
  trate?: number;
  leak?: boolean;
}

const depthOf = (path: string) => (path === '/' ? 1 : path.split('/').length);

/** The parent's path, undefined for the top. */
export function parentPath(path: string): string | undefined {
  if (path === '/') return undefined;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** True when `path` is `group` or lies below it. */
export function inCgroup(path: string | undefined, group: string): boolean {
  if (path === undefined) return false;
  return group === '/' || path === group || path.startsWith(`${group}/`);
}

function psiPct(cur: number | undefined, prev: number | undefined, nsecs: number): number | undefined {
  if (cur === undefined || nsecs <= 0) return undefined;
  return Math.min(100, sub(cur, prev ?? 0) / (nsecs * 10000));
}

/** Builds the cgroup rows from two samples' trees (parents before children, as sampled). */
export function cgroupIntervals(cur: CgroupSample | undefined, prev: CgroupSample | undefined, nsecs: number, t: Thresholds): CgroupInterval[] {
  if (!cur) return [];
  const before = new Map<string, CgroupCounters>();
  if (prev && prev.version === cur.version) for (const g of prev.groups) before.set(g.path, g);
  const byPath = new Map<string, CgroupInterval>();
  const out: CgroupInterval[] = [];
  for (const g of cur.groups) {
    const p = before.get(g.path);
    let up = parentPath(g.path);
    while (up !== undefined && !byPath.has(up)) up = parentPath(up);
    const parent = up === undefined ? undefined : byPath.get(up);
    const own = g.max !== undefined && g.max !== UNLIMITED ? g.max : undefined;
    let limit = parent?.limit;
    let limitFrom = parent?.limitFrom;
    if (own !== undefined && (limit === undefined || own <= limit)) {
      limit = own;
      limitFrom = g.path;
    }
    const limitPct = limit !== undefined && limit > 0 && g.memory !== undefined ? (g.memory * 100) / limit : undefined;
    const badness = limitPct === undefined ? 0 : badnessOf(limitPct, t.memcritperc);
    const row: CgroupInterval = {
      path: g.path,
      ...(g.name !== undefined && { name: g.name }),
      depth: depthOf(g.path),
      nprocs: g.pids.length,
      memory: g.memory,
      max: g.max,
      high: g.high,
      swap: g.swap,
      anon: g.anon,
      file: g.file,
      cgrow: g.memory === undefined ? undefined : g.memory - (p?.memory ?? 0),
      oomkill: g.oomKills === undefined ? undefined : sub(g.oomKills, p?.oomKills ?? 0),
      psiSome: psiPct(g.psi?.some.total, p?.psi?.some.total, nsecs),
      psiFull: psiPct(g.psi?.full?.total, p?.psi?.full?.total, nsecs),
      limit,
      limitFrom,
      limitPct,
      badness,
      level: levelOf(badness, t),
      nearOwnMax: own !== undefined && g.memory !== undefined && own > 0 && (g.memory * 100) / own > 95,
      psiCrit: false,
      isNew: !p,
    };
    row.psiCrit = (row.psiFull ?? 0) >= 20;
    byPath.set(g.path, row);
    out.push(row);
  }
  return out;
}

/**
 * Whether `path` is the group memtop makes to contain `pid` (K, --contain;
 * named as procfs/cgroup.ts's isContainGroup knows them) and not merely one
 * of its children's. Read from the cgroup tree, so a recording tells it too.
 */
export function isContainGroupOf(path: string, pid: number): boolean {
  if (!isContainGroup(path)) return false;
  const m = /memtop-(\d+)(?:\.scope)?$/.exec(path);
  return m !== null && Number(m[1]) === pid;
}

/** A systemd unit's name as the last part of a path: what the CGROUP column shows of a unit's group. */
const UNIT = /\.(service|scope|slice|socket|mount|swap|target)$/;

/** A process's memory cgroup: its path, the name to show, and every name along the path (for the filter). */
export interface CgroupOfPid {
  path: string;
  /** The nearest container or pod name (a group's `name`) on the path, else the systemd unit the path ends in. */
  name?: string;
  /** The names of the groups along the path (containers, pods, units), top first. */
  names: string[];
}

/**
 * Each process's memory cgroup, from the groups' process lists. The names
 * along a path are worked out once per group from its parent's (groups come
 * parents first), sharing the parent's list where the group adds no name:
 * 180 us a sample for 551 groups and 1000 processes on the loaded 2-core
 * test machine, against 60 us for the paths alone (only while the tree is read).
 */
export function cgroupOfPids(cur: CgroupSample | undefined | null): Map<number, CgroupOfPid> {
  const out = new Map<number, CgroupOfPid>();
  if (!cur) return out;
  const chain = new Map<string, { label?: string; names: string[] }>();
  const NONE: string[] = [];
  for (const g of cur.groups) {
    const cut = g.path.lastIndexOf('/');
    const part = g.path.slice(cut + 1);
    // The nearest listed ancestor (a directory without the memory files is no group of the sample).
    let up = cut > 0 ? g.path.slice(0, cut) : '/';
    let parent = chain.get(up);
    while (!parent && up !== '/' && up !== '') {
      up = up.slice(0, Math.max(1, up.lastIndexOf('/')));
      parent = chain.get(up);
    }
    const own = g.name ?? (UNIT.test(part) ? part : undefined);
    const label = g.name ?? parent?.label;
    const names = own === undefined ? (parent?.names ?? NONE) : [...(parent?.names ?? NONE), own];
    chain.set(g.path, { label, names });
    if (g.pids.length === 0) continue;
    const of: CgroupOfPid = { path: g.path, name: label ?? (UNIT.test(part) ? part : undefined), names };
    for (const pid of g.pids) out.set(pid, of);
  }
  return out;
}

/**
 * The cgroup filter: a path (`/...`: the group and its children, as Enter in
 * the cgroup view sets it), else a name along the process's path: a
 * container's, a pod's (`docker:web-1`, or `web-1` without the runtime;
 * `pod:default/nginx`, `default/nginx`) or a systemd unit's (`nginx.service`).
 */
export function inCgroupNamed(path: string | undefined, names: readonly string[] | undefined, filter: string): boolean {
  if (filter.startsWith('/')) return inCgroup(path, filter);
  const want = filter.toLowerCase();
  return (names ?? []).some((n) => {
    const l = n.toLowerCase();
    return l === want || l.slice(l.indexOf(':') + 1) === want;
  });
}
