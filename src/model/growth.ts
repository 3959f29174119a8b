/**
 * The bounded memory history of one thing that grows (a process, a cgroup,
 * the system's available memory) and its verdict: the windowed growth rate,
 * the growth over the window, and whether it is a leak suspect. Pure: the
 * caller feeds (time, value) pairs; nothing here reads the system.
 *
 * History is two rings of per-bucket minima (the lower envelope: the level
 * after each garbage collection, so a sawtooth does not read as growth):
 * - the window tier, WINDOW_BUCKETS buckets across --window, judged when a
 *   bucket closes (so a process costs one fit per window/40, not per sample);
 * - the fast tier, FAST_BUCKETS buckets of FAST_WIDTH seconds, judged every
 *   sample but only when the last stretch grew fast enough to matter: a
 *   violent leaker is flagged within max(6 intervals, 60 s), not a window.
 * Both are fixed-size typed arrays: memory per series does not grow with
 * the window or the interval.
 */
import { judgeSteady, theilSen, type SteadyRules, type Verdict } from './trend.js';

export const WINDOW_BUCKETS = 40;
const FAST_BUCKETS = 48;
const FAST_WIDTH = 1.25;
/** The fast path judges the last max(FAST_INTERVALS intervals, FAST_SPAN seconds). */
const FAST_INTERVALS = 5;
/**
 * 50 s of evidence: a leak of 1% of MemTotal a minute is still confirmed within
 * 60 s (53 s at 1-s samples, 55 s at 2-s), and a warm-up that levels off
 * within 50 s (a cache filling) is never a suspect.
 */
const FAST_SPAN = 50;
/** A fast leak grows by at least this share of MemTotal per minute (the 1%). */
const FAST_SHARE_PER_MIN = 0.01;
/** Points, and consecutive positive verdicts, before anything is said. */
const MIN_POINTS = 6;
const CONFIRMATIONS = 2;
/** While the window tier is young, the rate shown is refitted on every YOUNG_EVERY-th fast bucket (5 s). */
const YOUNG_EVERY = 4;
/**
 * A positive verdict needs growth still going on: over the last S seconds the
 * series must have risen by STOP_SHARE of rate x S, where S is an eighth of
 * the evidence (STOP_EVIDENCE_SHARE: the time since the growth judged began),
 * at least STOP_MIN_INTERVALS intervals and STOP_MIN_SPAN seconds, at most an
 * eighth of the window. A growth that stopped so drops its flag (and its share
 * of the forecast) about 2S/3 after it stopped: a twelfth of the time it was
 * seen growing, 6-50 s at the default window.
 */
const STOP_EVIDENCE_SHARE = 0.125;
const STOP_MIN_INTERVALS = 2;
const STOP_MIN_SPAN = 5;
const STOP_SHARE = 1 / 3;
/** The window path's least growth: 16 MiB or 0.1% of MemTotal, whichever is larger. */
const MIN_GROWTH = 16 * 1024 * 1024;
const MIN_GROWTH_SHARE = 0.001;

/**
 * Seconds of history before a verdict can be given: by the fast path (a
 * growth of 1% of MemTotal a minute) and by the window's steady-growth path
 * (a third of the window), each with its confirmation.
 */
export function verdictAges(window: number, interval: number): { fast: number; steady: number } {
  return {
    fast: Math.max(FAST_INTERVALS * interval, FAST_SPAN) + CONFIRMATIONS * interval,
    steady: Math.max(window / 3, MIN_POINTS * (window / WINDOW_BUCKETS)) + CONFIRMATIONS * interval,
  };
}

export interface GrowthContext {
  /** Seconds over which growth is judged (--window). */
  window: number;
  /** Seconds between this sample and the one before (the interval's length). */
  interval: number;
  /** Bytes of memory: the scale of "fast" and of the least growth that counts. */
  memTotal: number;
}

export interface Growth {
  /** Fitted growth rate in bytes per second; undefined until there is enough history. */
  rate?: number;
  /** Fitted growth over the window (or the history, when shorter), bytes. */
  grow?: number;
  /** Steady growth, confirmed. */
  leak: boolean;
  /** Leak suspects: the time (caller's clock, seconds) the growth the verdict rests on began. */
  since?: number;
  /**
   * The history is shorter than a verdict of the window needs (a third of
   * --window) and no verdict confirmed a leak: the rate is the rate known so
   * far, and the RGROW and TRATE sorts rank the process after every
   * established one that grows.
   */
  young?: boolean;
}

/**
 * Per-bucket minima in a ring; times are those of each minimum. The ring
 * lives in its series' one buffer: times at `base`, values `capacity` after
 * them (no views of its own: a refresh touches as few objects per process
 * as it can, each one a cache miss at thousands of processes).
 */
class MinimaRing {
  private head = 0;
  count = 0;
  private bucket = NaN;

  constructor(
    readonly capacity: number, readonly width: number, private readonly phase: number,
    private readonly store: Float64Array, private readonly base: number,
  ) {}

  /**
   * Adds a point; true when it opened a new bucket (the one before is complete).
   * `notLower`: v is not below a value already added in the current bucket, so
   * when v falls in that bucket its minimum stands without being read.
   */
  add(t: number, v: number, notLower = false): boolean {
    const b = Math.floor(t / this.width + this.phase);
    if (b === this.bucket && this.count > 0) {
      if (notLower) return false;
      const at = this.base + ((this.head + this.count - 1) % this.capacity);
      if (v < this.store[at + this.capacity]!) {
        this.store[at + this.capacity] = v;
        this.store[at] = t;
      }
      return false;
    }
    const opened = this.count > 0;
    this.bucket = b;
    if (this.count === this.capacity) this.head = (this.head + 1) % this.capacity;
    else this.count++;
    const at = this.base + ((this.head + this.count - 1) % this.capacity);
    this.store[at] = t;
    this.store[at + this.capacity] = v;
    return opened;
  }

  /** Time of point i (0: the oldest). */
  time(i: number): number {
    return this.store[this.base + ((this.head + i) % this.capacity)]!;
  }

  /** Value of point i (0: the oldest). */
  value(i: number): number {
    return this.store[this.base + this.capacity + ((this.head + i) % this.capacity)]!;
  }

  /** Copies the points newer than `after` into (ts, vs) in time order; returns how many. */
  copy(ts: Float64Array, vs: Float64Array, after = -Infinity): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const t = this.time(i);
      if (t <= after) continue;
      ts[n] = t;
      vs[n] = this.value(i);
      n++;
    }
    return n;
  }

  last(): number {
    return this.value(this.count - 1);
  }

  /**
   * The time the points first came within `margin` of their highest value
   * (NaN when there are none): how long the series has stood at about its top.
   */
  nearTopSince(margin: number): number {
    let top = -Infinity;
    for (let i = 0; i < this.count; i++) top = Math.max(top, this.value(i));
    for (let i = 0; i < this.count; i++) if (this.value(i) >= top - margin) return this.time(i);
    return NaN;
  }

  /** The value of the oldest point at or after time `from` (undefined when there is none). */
  firstSince(from: number): { t: number; v: number } | undefined {
    for (let i = 0; i < this.count; i++) {
      const t = this.time(i);
      if (t >= from) return { t, v: this.value(i) };
    }
    return undefined;
  }
}

const work = { ts: new Float64Array(FAST_BUCKETS + WINDOW_BUCKETS), vs: new Float64Array(FAST_BUCKETS + WINDOW_BUCKETS) };

/** Fast-path points judged at most: Theil-Sen's pairs grow with the square, and a 48-point fit every sample is not needed. */
const FAST_FIT_POINTS = 16;

/** Groups of neighbouring points reduced to each group's minimum, in place, so at most `max` remain. */
function decimate(ts: Float64Array, vs: Float64Array, n: number, max: number): number {
  if (n <= max) return n;
  const group = Math.ceil(n / max);
  let out = 0;
  for (let i = 0; i < n; i += group) {
    let at = i;
    for (let j = i + 1; j < Math.min(n, i + group); j++) if (vs[j]! < vs[at]!) at = j;
    ts[out] = ts[at]!;
    vs[out] = vs[at]!;
    out++;
  }
  return out;
}

function flat(vs: Float64Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (vs[i] !== vs[0]) return false;
  return true;
}

export class GrowthSeries {
  private windowTier: MinimaRing | undefined;
  /**
   * The window tier's width, current bucket and count of points, kept here
   * too: a sample that falls in the current bucket without lowering its
   * minimum (most samples) then reads nothing of the tier.
   */
  private windowWidth = NaN;
  private windowBucket = NaN;
  private windowPoints = 0;
  private readonly fastTier: MinimaRing;
  private windowVerdict: Verdict | undefined;
  private windowFrom = 0;
  private fastRate: number | undefined;
  private fastSince = 0;
  private fastVerdict = false;
  private lastValue = NaN;
  /** Time of the first of the values in a row equal to the last one: every point of a tier from then on holds it. */
  private runFrom = NaN;
  /** Fast-tier buckets closed while the window tier is young: the young rate is refitted every YOUNG_EVERY. */
  private closed = 0;
  private readonly store = new Float64Array(2 * (FAST_BUCKETS + WINDOW_BUCKETS + 1));
  private positives = 0;
  private negatives = 0;
  private first = NaN;
  private latest = NaN;
  readonly growth: Growth = { leak: false };

  /**
   * `phase` in [0, 1) staggers bucket edges between series, so the fits of
   * thousands of processes do not all fall on the same sample.
   */
  constructor(private readonly phase = 0) {
    this.fastTier = new MinimaRing(FAST_BUCKETS, FAST_WIDTH, phase, this.store, 0);
  }

  /** Seconds of history (0 with one point). */
  get age(): number {
    return Number.isNaN(this.first) ? 0 : this.latest - this.first;
  }

  /** Adds the value at time t (seconds, ascending) and returns the verdict. */
  add(t: number, v: number, ctx: GrowthContext): Growth {
    if (Number.isNaN(this.first)) this.first = t;
    this.latest = t;
    const width = ctx.window / WINDOW_BUCKETS;
    if (width !== this.windowWidth) {
      this.windowTier = new MinimaRing(WINDOW_BUCKETS + 1, width, this.phase, this.store, 2 * FAST_BUCKETS);
      this.windowWidth = width;
      this.windowBucket = NaN;
      this.windowPoints = 0;
      this.windowVerdict = undefined;
    }
    if (!(v === this.lastValue)) this.runFrom = t;
    // The value before this one went into both tiers' current buckets: one not below it moves no minimum there.
    const notLower = v >= this.lastValue;
    const bucket = Math.floor(t / width + this.phase); // the window tier's bucket of t, as the tier computes it
    if (bucket !== this.windowBucket || !notLower) {
      const tier = this.windowTier!;
      const opened = tier.add(t, v, notLower);
      this.windowBucket = bucket;
      this.windowPoints = tier.count;
      if (opened) this.judgeWindow(ctx);
    }
    const fastClosed = this.fastTier.add(t, v, notLower);
    const young = fastClosed && this.windowPoints < MIN_POINTS && this.closed++ % YOUNG_EVERY === 0;
    // A value that did not change keeps a negative fast verdict: most processes cost no scan at all.
    // (A positive one is judged again: a leak that stopped must turn into a plateau.)
    const fast = v === this.lastValue && !young && !this.fastVerdict ? false : this.judgeFast(t, ctx, young);
    this.fastVerdict = fast;
    this.lastValue = v;
    this.confirm(fast, ctx, t);
    return this.growth;
  }

  /**
   * Whether the growth a positive verdict rests on (at `rate`, seen since
   * `since`) has stopped: over the last S seconds (see STOP_*) the series rose
   * less than STOP_SHARE of rate x S, i.e. it first came that near its top
   * more than S ago. The fast tier's 1.25-s minima when S is short, else the
   * window tier's (whose minima are a sawtooth's floors). Run only on a
   * positive verdict (few series), and never on less than 2S of history.
   */
  private stopped(t: number, rate: number, since: number, ctx: GrowthContext): boolean {
    if (!(rate > 0)) return false;
    const s = Math.min(ctx.window / 8, Math.max(STOP_MIN_INTERVALS * ctx.interval, STOP_MIN_SPAN, (t - since) * STOP_EVIDENCE_SHARE));
    if (this.age < 2 * s) return false;
    // The fast tier while it reaches back 2S (48 points: 60 s at 1-s samples, 16 min at 20-s ones), else the
    // window tier where its buckets are fine enough to tell S (not in a long window with short evidence).
    const tier = this.fastTier.count > 0 && this.fastTier.time(0) <= t - 2 * s ? this.fastTier
      : this.windowWidth <= s / 2 ? this.windowTier! : undefined;
    return tier !== undefined && tier.nearTopSince(STOP_SHARE * rate * s) < t - s;
  }

  private windowRules(ctx: GrowthContext): SteadyRules {
    return {
      minPoints: MIN_POINTS,
      minSpan: ctx.window / 3,
      minGrowth: Math.max(MIN_GROWTH, MIN_GROWTH_SHARE * ctx.memTotal),
      minRate: 0,
      minFit: 0.8,
    };
  }

  /** Judges the window tier's minima: all of them, else the newer half (growth that began inside the window). */
  private judgeWindow(ctx: GrowthContext): void {
    const tier = this.windowTier!;
    if (tier.count >= 2 && this.unchangedOver(tier)) {
      // Flat, known without copying the points (what most processes are, window after window).
      this.windowVerdict = { rate: 0, grow: 0, span: tier.time(tier.count - 1) - tier.time(0), r2: 0, steady: false, why: 'flat' };
      return;
    }
    const n = tier.copy(work.ts, work.vs);
    if (n < 2) return;
    if (flat(work.vs, n)) {
      this.windowVerdict = { rate: 0, grow: 0, span: work.ts[n - 1]! - work.ts[0]!, r2: 0, steady: false, why: 'flat' };
      return;
    }
    const rules = this.windowRules(ctx);
    let verdict = judgeSteady(work.ts, work.vs, 0, n, rules);
    this.windowFrom = work.ts[0]!;
    if (!verdict.steady && n >= 2 * MIN_POINTS) {
      const half = n >> 1;
      const newer = judgeSteady(work.ts, work.vs, half, n, rules);
      if (newer.steady) {
        verdict = { ...newer, grow: newer.rate * verdict.span };
        this.windowFrom = work.ts[half]!;
      }
    }
    this.windowVerdict = verdict;
  }

  /**
   * The fast path: the points of the last max(5 intervals, 50 s), judged only
   * when they rose by half the fast rate (a cheap look at two points first).
   * While the window tier is still young it also gives the rate shown.
   */
  private judgeFast(t: number, ctx: GrowthContext, young: boolean): boolean {
    const span = Math.max(FAST_INTERVALS * ctx.interval, FAST_SPAN);
    const fastRate = (FAST_SHARE_PER_MIN * ctx.memTotal) / 60;
    const start = this.fastTier.firstSince(t - span * 1.5);
    if (young) {
      if (this.unchangedOver(this.fastTier)) {
        // Every point holds the same value: the decimated fit's points and rate (0) without copying them.
        const all = this.fastTier.count;
        const group = all <= FAST_FIT_POINTS ? 1 : Math.ceil(all / FAST_FIT_POINTS);
        const n = Math.ceil(all / group);
        const span = n > 0 ? this.fastTier.time((n - 1) * group) - this.fastTier.time(0) : 0;
        this.fastRate = n >= 2 && span > 0 ? 0 : undefined;
      } else {
        // The rate known so far, from two points on (shown marked young until the window can judge).
        const n = decimate(work.ts, work.vs, this.fastTier.copy(work.ts, work.vs), FAST_FIT_POINTS);
        this.fastRate = n >= 2 && work.ts[n - 1]! - work.ts[0]! > 0
          ? (flat(work.vs, n) ? 0 : theilSen(work.ts, work.vs, 0, n).slope)
          : undefined;
      }
    }
    if (!start || t - start.t < span) return false;
    if (this.fastTier.last() - start.v < (fastRate * (t - start.t)) / 2) return false;
    const n = decimate(work.ts, work.vs, this.fastTier.copy(work.ts, work.vs, t - span * 1.5 - 1e-9), FAST_FIT_POINTS);
    const verdict = judgeSteady(work.ts, work.vs, 0, n, {
      minPoints: MIN_POINTS, minSpan: span, minGrowth: 0, minRate: fastRate, minFit: 0.9,
    });
    if (verdict.steady) {
      this.fastRate = verdict.rate;
      this.fastSince = work.ts[0]!;
    }
    return verdict.steady;
  }

  /**
   * Every point of `tier` holds the latest value: its oldest point is no
   * older than the run of equal values (a point's time is that of the value
   * it holds, and every value since runFrom is the latest).
   */
  private unchangedOver(tier: MinimaRing): boolean {
    return tier.count > 0 && tier.time(0) >= this.runFrom;
  }

  private confirm(fast: boolean, ctx: GrowthContext, t: number): void {
    const w = this.windowVerdict;
    const windowKnown = w !== undefined && this.windowPoints >= MIN_POINTS;
    let positive = fast || (windowKnown && w.steady);
    if (positive) {
      // A verdict rests on the fit of its span; growth that stopped since is no leak any more.
      positive = fast ? !this.stopped(t, this.fastRate ?? 0, this.fastSince, ctx) : !this.stopped(t, w!.rate, this.windowFrom, ctx);
    }
    if (positive) {
      this.positives++;
      this.negatives = 0;
    } else {
      this.negatives++;
      this.positives = 0;
    }
    const g = this.growth;
    if (!g.leak && this.positives >= CONFIRMATIONS) {
      g.leak = true;
      g.since = fast ? this.fastSince : this.windowFrom;
    } else if (g.leak && this.negatives >= CONFIRMATIONS) {
      g.leak = false;
      g.since = undefined;
    }
    const span = Math.min(ctx.window, this.age);
    if (fast || !windowKnown) g.rate = this.fastRate;
    else g.rate = w.rate;
    g.grow = g.rate === undefined ? undefined : g.rate * span;
    g.young = !g.leak && this.age < ctx.window / 3;
  }
}
