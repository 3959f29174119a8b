/**
 * What the trend panel plots, computed from the kept points: memory by kind
 * (free, page cache, used) and swap used, and the resident size of one
 * process: the highlighted one, or else the one that grew most in the last
 * interval (the leaker, in the case study). Pure: no terminal here.
 */
import type { Interval, ProcInterval } from '../model/interval.js';
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

/**
 * RSIZE of `pid` at each point, back to where the process appeared: a
 * point where the pid is new, or missing, ends its history (an earlier
 * process with the same pid is another process).
 */
export function processSeries(points: readonly TrendPoint[], pid: number): Values {
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
    values[i] = p.rsize;
    if (p.isNew) break;
  }
  return values;
}

/** The process with the largest RGROW in the interval (ties: the larger RSIZE, then the lower pid). */
export function topGrower(procs: readonly ProcInterval[]): ProcInterval | undefined {
  let best: ProcInterval | undefined;
  for (const p of procs) {
    if (!best || p.rgrow > best.rgrow || (p.rgrow === best.rgrow && (p.rsize > best.rsize || (p.rsize === best.rsize && p.pid < best.pid)))) best = p;
  }
  return best;
}

export type TargetWhy = 'highlighted' | 'grew most' | 'exited';

export interface Target {
  pid: number;
  cmd: string;
  why: TargetWhy;
}

/**
 * Whose RSIZE the panel plots: the process the user moved the highlight to
 * (`followed`), still plotted once it exits; else the top grower of the
 * interval. `last` is the previous choice, which remembers an exited
 * process's command.
 */
export function pickTarget(iv: Interval, followed: number | undefined, last: Target | undefined): Target | undefined {
  if (followed !== undefined) {
    const p = iv.procs.find((q) => q.pid === followed);
    if (p) return { pid: p.pid, cmd: p.cmd, why: 'highlighted' };
    return { pid: followed, cmd: last?.pid === followed ? last.cmd : '?', why: 'exited' };
  }
  const top = topGrower(iv.procs);
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
 * 0..max from the bottom up. One polyline per stretch without gaps; a lone
 * value is a one-pixel line.
 */
export function polylines(values: Values, width: number, height: number, max: number): Point[][] {
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
    run.push([xOf(i), yOf(v, height, max)]);
  });
  flush();
  return out;
}

/** The pixel row of `value` on a 0..max scale `height` pixels tall (0 at the top). */
export function yOf(value: number, height: number, max: number): number {
  const share = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return height - 1 - Math.round(share * (height - 1));
}
