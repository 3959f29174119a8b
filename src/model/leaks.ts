/**
 * Memory history across intervals: one GrowthSeries per process (matched
 * by pid and start time) and one for the system's used memory plus swap,
 * giving each process its TRATE, TGROW and LEAK, and the interval its
 * exhaustion forecast. Stateful but pure: the feed owns one and hands it
 * every interval in time order; a jump in a replay starts a new one.
 */
import { GrowthSeries, type Growth, type GrowthContext } from './growth.js';
import type { CgroupInterval } from './cgroups.js';
import { ascending, type ExitedProc, type ProcInterval } from './process.js';

/** --window's default: 10 minutes, or 12 intervals when that is longer (the daily logger's 600 s). */
export const DEFAULT_WINDOW = 600;
export const WINDOW_INTERVALS = 12;

export function defaultWindow(interval: number): number {
  return Math.max(DEFAULT_WINDOW, WINDOW_INTERVALS * interval);
}

/**
 * What counts as a process's own memory: resident anonymous plus swapped
 * (file-backed pages come and go with the page cache and are no leak);
 * RSIZE + SWAPSZ where the kernel or the recording does not split RSIZE.
 */
export function ownMemory(p: ProcInterval): number | undefined {
  const resident = p.anon ?? p.rsize;
  return resident === undefined ? undefined : resident + (p.swapsz ?? 0);
}

export interface Forecast {
  /** Seconds until memory plus swap runs out at the current rate; null when nothing is running out. */
  exhaust: number | null;
  /** Bytes per second being used up (the larger of the system's steady decline and the suspects' summed rates). */
  rate: number;
  /** Bytes left: available memory plus free swap. */
  left: number;
  /** Leak suspects with a positive rate (the processes whose rates `rate` sums): none, and no list needs searching for one. */
  suspects?: number;
  /** Seconds of history behind the verdicts, and the window judged: how long until a verdict is possible. */
  age?: number;
  window?: number;
}

interface Tracked {
  starttime: number;
  series: GrowthSeries;
  seen: number;
}

/** A process's history: by pid, in a list kept in pid order. */
interface TrackedProc {
  pid: number;
  starttime: number;
  series: GrowthSeries;
  /** Seen contained (in memtop's group for it): its evidence started over then. */
  contained?: boolean;
}

/** The entry for `pid` in a list in pid order (binary search), or undefined. */
function findPid(list: readonly TrackedProc[], pid: number): TrackedProc | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = list[mid]!.pid;
    if (at === pid) return list[mid];
    if (at < pid) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Per-process growth; memory is one small fixed-size series per live process. */
export class MemoryHistory {
  /**
   * Per process, in pid order: the processes of an interval come in pid order
   * (as /proc lists them), so one walk along this list matches them all and
   * builds the next one, where a Map cost a lookup per process and another
   * pass to forget the ones gone.
   */
  private procs: TrackedProc[] = [];
  /** Per memory cgroup, by path: the same series and verdicts as processes (the cgroup view's TRATE and LEAK). */
  private readonly cgroups = new Map<string, Tracked>();
  private system = new GrowthSeries(0.5);
  private generation = 0;
  private lastTime = NaN;

  /** `window` in seconds; undefined picks defaultWindow() from the first interval's length. */
  constructor(private window?: number) {}

  get windowSeconds(): number | undefined {
    return this.window;
  }

  /**
   * Adds one interval: `time` is the later sample's monotonic clock
   * (seconds since boot), `elapsed` the interval's length. Sets trate,
   * tgrow, leak and growingSince on the processes; forgets the ones gone.
   * A time that does not move forward (a new recording run, a reboot)
   * starts the history over.
   */
  observe(time: number, elapsed: number, memTotal: number, procs: readonly ProcInterval[], exited: readonly ExitedProc[] = []): void {
    if (!(time > this.lastTime)) this.reset();
    this.lastTime = time;
    const interval = elapsed > 0 && elapsed < time ? elapsed : 1;
    this.window ??= defaultWindow(interval);
    const ctx: GrowthContext = { window: this.window, interval, memTotal };
    ++this.generation;
    const before = this.procs;
    const kept: TrackedProc[] = [];
    const order = ascending(procs) ? undefined : procs.map((_, i) => i).sort((a, b) => procs[a]!.pid - procs[b]!.pid);
    let at = 0;
    for (let i = 0; i < procs.length; i++) {
      const p = procs[order ? order[i]! : i]!;
      if (p.vsize === 0 && p.rsize === 0) continue; // kernel threads own no user memory
      while (at < before.length && before[at]!.pid < p.pid) at++;
      // A pid listed twice (a damaged recording) meets the entry its first listing kept.
      const twice = kept.length > 0 && kept[kept.length - 1]!.pid === p.pid;
      let t = twice ? kept[kept.length - 1] : at < before.length && before[at]!.pid === p.pid ? before[at] : undefined;
      // A start time unknown now (a damaged stat) keeps the pid's history.
      if (!t || (p.starttime !== undefined && t.starttime !== p.starttime)) {
        t = { pid: p.pid, starttime: p.starttime ?? 0, series: new GrowthSeries((p.pid * 0.6180339887) % 1) };
        if (twice) kept[kept.length - 1] = t;
        else kept.push(t);
      } else if (!twice) {
        kept.push(t);
      }
      // Contained (K, --contain) since the last interval: the growth before says nothing of the growth in the
      // group (a leaker held at its limit grows only into swap), so its evidence starts over now.
      if (p.contained && !t.contained) {
        t.series = new GrowthSeries((p.pid * 0.6180339887) % 1);
        t.contained = true;
      }
      const own = ownMemory(p);
      if (own !== undefined) setGrowth(p, t.series.add(time, own, ctx), time); // unknown (a damaged stat): no point
    }
    // An exited process's last verdict, unless its pid is a live process's now.
    for (const e of exited) {
      const t = findPid(kept, e.pid) ? undefined : findPid(before, e.pid);
      if (t) {
        e.leak = t.series.growth.leak;
        e.trate = t.series.growth.rate;
        e.young = t.series.growth.young;
        if (t.contained) e.contained = true;
      }
    }
    this.procs = kept;
  }

  /**
   * Adds one interval's memory cgroups (after observe() for the same
   * interval): TRATE, TGROW and LEAK of each group from its anonymous memory
   * plus swap, what a leak in it grows (memory.current also holds page
   * cache, which comes and goes); its usage where memory.stat is unknown.
   */
  observeCgroups(time: number, elapsed: number, memTotal: number, groups: readonly CgroupInterval[]): void {
    const interval = elapsed > 0 && elapsed < time ? elapsed : 1;
    const ctx: GrowthContext = { window: this.window ?? defaultWindow(interval), interval, memTotal };
    const gen = this.generation;
    for (const g of groups) {
      const own = g.anon !== undefined ? g.anon + (g.swap ?? 0) : g.memory;
      if (own === undefined) continue;
      let t = this.cgroups.get(g.path);
      if (!t) {
        t = { starttime: 0, series: new GrowthSeries((this.cgroups.size * 0.6180339887) % 1), seen: gen };
        this.cgroups.set(g.path, t);
      }
      t.seen = gen;
      const growth = t.series.add(time, own, ctx);
      g.trate = growth.rate;
      g.leak = growth.leak;
    }
    for (const [path, t] of this.cgroups) if (t.seen !== gen) this.cgroups.delete(path);
  }

  /** The system's used memory plus swap (total minus available minus free swap) and the forecast from it. */
  forecast(time: number, elapsed: number, memTotal: number, used: number, left: number, procs: readonly ProcInterval[]): Forecast {
    const interval = elapsed > 0 && elapsed < time ? elapsed : 1;
    const g = this.system.add(time, used, { window: this.window ?? defaultWindow(interval), interval, memTotal });
    let suspects = 0;
    let count = 0;
    for (const p of procs) {
      if (p.leak && p.trate !== undefined && p.trate > 0) {
        suspects += p.trate;
        count++;
        p.fillin = left / p.trate;
      } else {
        p.fillin = undefined;
      }
    }
    const rate = Math.max(g.leak && g.rate !== undefined ? g.rate : 0, suspects);
    return { exhaust: rate > 0 ? Math.round(left / rate) : null, rate, left, suspects: count, age: this.system.age, window: this.window };
  }

  /**
   * The live screen contained `pid` (K) where the cgroup tree is not read
   * each sample: its evidence starts over at the next interval, as when the
   * tree shows it in memtop's group.
   */
  restart(pid: number): void {
    const t = findPid(this.procs, pid);
    if (t && !t.contained) {
      t.series = new GrowthSeries((pid * 0.6180339887) % 1);
      t.contained = true;
    }
  }

  /** Forgets everything (a jump in a replay, a new recording run). */
  reset(): void {
    this.procs = [];
    this.cgroups.clear();
    this.system = new GrowthSeries(0.5);
    this.lastTime = NaN;
  }

  /** Processes with history (for tests and the cost measurement). */
  get size(): number {
    return this.procs.length;
  }
}

function setGrowth(p: ProcInterval, g: Growth, now: number): void {
  p.trate = g.rate;
  p.young = g.young;
  p.tgrow = g.grow;
  p.leak = g.leak;
  p.growing = g.leak && g.since !== undefined ? now - g.since : undefined;
}
