/**
 * What the trend panel plots, computed from the kept points: memory by kind
 * (free, page cache, used) and swap used, and the resident and swapped
 * size of one process: the highlighted one, else the top leak suspect, else
 * the one growing fastest over the window (TRATE), else the one that grew
 * most in the last interval. Pure: no terminal here.
 */
import type { Interval, ProcInterval } from '../model/interval.js';
import { columnOf } from '../columns/process.js';
import type { Hue } from './sgr.js';
import { procAt, type TrendPoint } from './trend.js';

/** Values oldest first, one per point; undefined where there is none (a gap). */
export type Values = (number | undefined)[];

export interface Series {
  name: string;
  hue: Hue;
  values: Values;
}

/**
 * free, cache (cache + buff), used (processes and kernel) and, when the
 * machine has swap, swap used. `used` takes the colour of the process
 * chart: a process's RSIZE is part of it.
 */
export function memorySeries(points: readonly TrendPoint[]): Series[] {
  const out: Series[] = [
    { name: 'free', hue: 'green', values: points.map((p) => p.free) },
    { name: 'cache', hue: 'cyan', values: points.map((p) => p.cache) },
    { name: 'used', hue: 'yellow', values: points.map((p) => p.used) },
  ];
  if (points.some((p) => p.swapTot > 0)) out.push({ name: 'swap', hue: 'magenta', values: points.map((p) => p.swapUsed) });
  return out;
}

export const PROCESS_HUE: Hue = 'yellow';
export const SWAP_HUE: Hue = 'magenta';

/**
 * RSIZE (or SWAPSZ) of `pid` at each point, back to where the process
 * appeared: a point where the pid is new, or missing, ends its history (an
 * earlier process with the same pid is another process).
 */
export function processSeries(points: readonly TrendPoint[], pid: number, field: 'rsize' | 'swap' = 'rsize'): Values {
  const values: Values = new Array(points.length).fill(undefined);
  let seen = false;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = procAt(points[i]!, pid);
    if (!p) {
      // Before the newest points it is missing from, it has exited; before its first, it did not exist.
      if (seen) break;
      continue;
    }
    seen = true;
    values[i] = p[field];
    if (p.isNew) break;
  }
  return values;
}

/**
 * The process with the largest RGROW in the interval, as the RGROW sort ranks it (what grew above what
 * was born: columns/process.ts); ties: the larger RSIZE, then the lower pid.
 */
export function topGrower(procs: readonly ProcInterval[]): ProcInterval | undefined {
  let best: ProcInterval | undefined;
  const rank = columnOf('RGROW').rank!;
  const grew = (p: ProcInterval) => (rank(p) as number | undefined) ?? -Infinity;
  const size = (p: ProcInterval) => p.rsize ?? -Infinity;
  for (const p of procs) {
    if (!best || grew(p) > grew(best) || (grew(p) === grew(best) && (size(p) > size(best) || (size(p) === size(best) && p.pid < best.pid)))) best = p;
  }
  return best;
}

export type TargetWhy = 'highlighted' | 'leak suspect' | 'grows fastest' | 'grew most' | 'exited';

export interface Target {
  pid: number;
  cmd: string;
  why: TargetWhy;
}

/**
 * The process with the largest TRATE, among the suspects when `suspects`; undefined when none has a
 * positive one. A young rate counts after every established one, as in the TRATE sort.
 */
export function topTrend(procs: readonly ProcInterval[], suspects: boolean): ProcInterval | undefined {
  let best: ProcInterval | undefined;
  const rank = columnOf('TRATE').rank!;
  let bestRank = -Infinity;
  for (const p of procs) {
    if ((suspects && !p.leak) || p.trate === undefined || p.trate <= 0) continue;
    const r = rank(p) as number;
    if (!best || r > bestRank || (r === bestRank && p.pid < best.pid)) {
      best = p;
      bestRank = r;
    }
  }
  return best;
}

/**
 * Whose memory the panel plots: the process the user moved the highlight to
 * (`followed`), still plotted once it exits; else the top leak suspect;
 * else the one growing fastest over the window; else (no history yet) the
 * top grower of the interval, all among `candidates`: the processes the
 * list shows (filters apply), as for the suspect the status line names.
 * `last` is the previous choice, which remembers an exited process's command.
 */
export function pickTarget(
  iv: Interval, followed: number | undefined, last: Target | undefined, candidates: readonly ProcInterval[] = iv.procs,
): Target | undefined {
  if (followed !== undefined) {
    const p = iv.procs.find((q) => q.pid === followed);
    if (p) return { pid: p.pid, cmd: p.cmd, why: 'highlighted' };
    return { pid: followed, cmd: last?.pid === followed ? last.cmd : '?', why: 'exited' };
  }
  const suspect = topTrend(candidates, true);
  if (suspect) return { pid: suspect.pid, cmd: suspect.cmd, why: 'leak suspect' };
  const fastest = topTrend(candidates, false);
  if (fastest) return { pid: fastest.pid, cmd: fastest.cmd, why: 'grows fastest' };
  const top = topGrower(candidates);
  return top && { pid: top.pid, cmd: top.cmd, why: 'grew most' };
}

/** The last value and its change since the first one of the series (undefined when it has none). */
export function lastAndChange(values: Values): { last: number; change: number } | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : { last: known[known.length - 1]!, change: known[known.length - 1]! - known[0]! };
}

export type Point = [x: number, y: number];

/**
 * The series as canvas pixels, `width` x `height`: the values spread evenly
 * across the width (one step per interval, the newest at the right edge),
 * min..max from the bottom up. One polyline per stretch without gaps; a lone
 * value is a one-pixel line.
 */
export function polylines(values: Values, width: number, height: number, max: number, min = 0): Point[][] {
  const out: Point[][] = [];
  const steps = values.length - 1;
  const xOf = (i: number) => (steps <= 0 ? width - 1 : Math.round((i * (width - 1)) / steps));
  let run: Point[] = [];
  const flush = () => {
    if (run.length === 1) run.push(run[0]!);
    if (run.length > 0) out.push(run);
    run = [];
  };
  values.forEach((v, i) => {
    if (v === undefined || !Number.isFinite(v)) return flush();
    run.push([xOf(i), yOf(v, height, max, min)]);
  });
  flush();
  return out;
}

/** The pixel row of `value` on a min..max scale `height` pixels tall (0 at the top). */
export function yOf(value: number, height: number, max: number, min = 0): number {
  const share = max > min ? Math.min(1, Math.max(0, (value - min) / (max - min))) : 0;
  return height - 1 - Math.round(share * (height - 1));
}
