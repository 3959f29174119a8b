/**
 * What the trend panel (key B) keeps of each interval the screen receives:
 * memory by kind, swap used, and every process's resident size, in typed
 * arrays (about 21 bytes a process). The last HISTORY intervals are kept in
 * a ring, so memory stays bounded; no extra sampling is done for it.
 */
import type { Interval } from '../model/interval.js';
import { ascending } from '../model/process.js';
import type { Recent } from '../feed.js';
import { Ring } from './ring.js';

/** Intervals kept and plotted. */
export const HISTORY = 60;

export interface TrendPoint {
  /** Milliseconds since the epoch of the interval's later sample. */
  time: number;
  /** Bytes: MemTotal; free; page cache (cache + buff); used by processes and kernel (the rest). */
  tot: number;
  free: number;
  cache: number;
  used: number;
  swapTot: number;
  swapUsed: number;
  /** Pids in ascending order, each one's resident and swapped size, and 1 when it is new in this interval. */
  pids: Int32Array;
  rsize: Float64Array;
  swap: Float64Array;
  isNew: Uint8Array;
}

export function trendPoint(iv: Interval): TrendPoint {
  const m = iv.mem;
  const cache = m.cache + m.buff;
  const procs = iv.procs;
  const n = procs.length;
  // The sampler lists processes by pid already: sorted only when they are not.
  const order = ascending(procs) ? undefined : procs.map((_, i) => i).sort((a, b) => procs[a]!.pid - procs[b]!.pid);
  const pids = new Int32Array(n);
  const rsize = new Float64Array(n);
  const swap = new Float64Array(n);
  const isNew = new Uint8Array(n);
  for (let to = 0; to < n; to++) {
    const p = procs[order ? order[to]! : to]!;
    pids[to] = p.pid;
    rsize[to] = p.rsize ?? NaN; // unknown (a damaged stat): a gap in the plot
    swap[to] = p.vmSwap ?? 0;
    isNew[to] = p.isNew ? 1 : 0;
  }
  return {
    time: iv.time,
    tot: m.tot,
    free: m.free,
    cache,
    used: Math.max(0, m.tot - m.free - cache),
    swapTot: iv.swp.tot,
    swapUsed: Math.max(0, iv.swp.tot - iv.swp.free),
    pids,
    rsize,
    swap,
    isNew,
  };
}

/** The process `pid` in the point: its resident and swapped size and whether it is new there. */
export function procAt(point: TrendPoint, pid: number): { rsize: number; swap: number; isNew: boolean } | undefined {
  let lo = 0;
  let hi = point.pids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = point.pids[mid]!;
    if (at === pid) return { rsize: point.rsize[mid]!, swap: point.swap[mid]!, isNew: point.isNew[mid] === 1 };
    if (at < pid) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The ring the screen fills. */
export function trendHistory(): Ring<TrendPoint> {
  return new Ring<TrendPoint>(HISTORY);
}

/**
 * Replaces the history with these samples, oldest first (a replay that
 * moved back or jumped): a point from its interval, or the point the
 * history already holds for that sample's time (T keeps all but one).
 */
export function refill(history: Ring<TrendPoint>, recent: Recent[]): void {
  const held = new Map(history.toArray().map((p) => [p.time, p]));
  history.clear();
  for (const r of recent.slice(-history.capacity)) {
    const point = r.interval ? trendPoint(r.interval) : held.get(r.time);
    if (point) history.push(point);
  }
}

/** Whether the history holds the sample of this time: what a rebuild need not decode again. */
export function holdsTime(history: Ring<TrendPoint>): (time: number) => boolean {
  const times = new Set(history.toArray().map((p) => p.time));
  return (time) => times.has(time);
}
