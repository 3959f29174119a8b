/**
 * The two feeds (src/feed.ts): the live system through a sampler, and a
 * recording through a SampleStore.
 */
import type { Feed, Recent, Recording } from '../feed.js';
import { buildInterval, type Interval } from '../model/interval.js';
import { defaultWindow, MemoryHistory } from '../model/leaks.js';
import type { Thresholds } from '../model/thresholds.js';
import type { Sampler } from '../reader/sampler.js';
import type { SampleStore } from '../rawlog/reader.js';
import type { Sample, SampleNeeds } from '../sample.js';

/** Records a jump in a replay feeds the history at most (see ReplayFeed.rebuild). */
export const REBUILD_RECORDS = 600;

export interface FeedOptions {
  /** --window: seconds growth is judged over; undefined = defaultWindow(interval). */
  window?: number;
  /** Where the sampler's notes are kept (its onNote appends): newNotes() hands out the ones not yet handed out. */
  notes?: readonly string[];
}

export class LiveFeed implements Feed {
  /** Memory history across the intervals handed out (TRATE, TGROW, LEAK, the forecast). */
  readonly history: MemoryHistory;
  private prevSample: Sample | undefined;
  private readonly notes: readonly string[];
  private notesHanded = 0;

  needs: SampleNeeds = {};

  constructor(
    private readonly sampler: Sampler,
    private readonly thresholds: Thresholds,
    /** Called with every raw sample, e.g. to record it. */
    private readonly onSample?: (s: Sample) => void,
    opts: FeedOptions = {},
  ) {
    this.history = new MemoryHistory(opts.window);
    this.notes = opts.notes ?? [];
  }

  /** A line the screen shows once, with the first notes (e.g. the history read from the daily log). */
  hello: string | undefined;

  newNotes(): string[] {
    if (this.hello !== undefined) {
      const hello = this.hello;
      this.hello = undefined;
      return [hello, ...this.newNotes()];
    }
    if (this.notesHanded === this.notes.length) return [];
    const fresh = this.notes.slice(this.notesHanded);
    this.notesHanded = this.notes.length;
    return fresh;
  }

  next(): Interval {
    const cur = this.sampler.sample(this.needs);
    this.onSample?.(cur);
    const iv = buildInterval(this.prevSample, cur, { thresholds: this.thresholds, history: this.history });
    this.prevSample = cur;
    return iv;
  }

  rewind(): Interval {
    this.prevSample = undefined;
    return this.next();
  }

  restartEvidence(pid: number): void {
    this.history.restart(pid);
  }
}

export class ReplayFeed implements Feed, Recording {
  readonly recording: Recording = this;
  /** Ignored: a recording holds every per-process file. */
  needs: SampleNeeds = {};
  /** Memory history, rebuilt from the window before any jump. */
  readonly history: MemoryHistory;
  private pos = -1;
  /** The last position whose interval went into the history (-1: none). */
  private fed = -1;

  /** The range replayed (-b/-e), grown by a branch outside it. */
  private first: number;
  private last: number;

  /**
   * `window` limits the replay to store positions first..last (-b/-e); the
   * first interval in it still starts at the sample before it.
   */
  constructor(
    private readonly store: SampleStore,
    private readonly thresholds: Thresholds,
    window?: { first: number; last: number },
    opts: FeedOptions = {},
  ) {
    this.first = Math.max(0, window?.first ?? 0);
    this.last = Math.min(store.length - 1, window?.last ?? store.length - 1);
    this.history = new MemoryHistory(opts.window);
  }

  /** Position of the current sample in the store (-1 before the first). */
  get position(): number {
    return this.pos;
  }

  private at(i: number): Interval | undefined {
    const cur = this.store.get(i);
    if (!cur) return undefined;
    this.pos = i;
    const windowMs = this.windowSeconds(i) * 1000;
    const onward = this.fed >= 0 && i > this.fed && this.store.timeOf(i) - this.store.timeOf(this.fed) <= windowMs / 4;
    if (!onward) this.rebuild(i, windowMs);
    this.fed = i;
    return this.interval(i, cur, i > 0 && !this.store.startsRun(i) ? this.store.get(i - 1) : undefined, true);
  }

  private windowSeconds(i: number): number {
    const known = this.history.windowSeconds;
    if (known !== undefined) return known;
    const gap = i > 0 ? (this.store.timeOf(i) - this.store.timeOf(i - 1)) / 1000 : 0;
    return defaultWindow(gap > 0 ? gap : 1);
  }

  /**
   * A jump (b, -b, stepping back, the first sample): the history starts over
   * from the records of the window before position i. Every one of them while
   * the window holds at most REBUILD_RECORDS (the default 10-minute window
   * at 1-s samples), so the verdicts after a jump are the ones live sampling
   * gave at that sample; in a denser window, REBUILD_RECORDS spread evenly,
   * which bounds the jump's cost (each record decoded and fed once: ~2 ms a
   * record of 110 processes on the loaded 2-core test machine).
   */
  private rebuild(i: number, windowMs: number): void {
    this.history.reset();
    const from = this.store.timeOf(i) - windowMs;
    let oldest = i;
    while (oldest > 0 && this.store.timeOf(oldest - 1) >= from) oldest--;
    const spacing = i - oldest <= REBUILD_RECORDS ? 0 : windowMs / REBUILD_RECORDS;
    const picked: number[] = [];
    let lastTime = Infinity;
    for (let j = i - 1; j >= oldest; j--) {
      const t = this.store.timeOf(j);
      if (lastTime - t >= spacing) {
        picked.push(j);
        lastTime = t;
      }
    }
    let before: Sample | undefined;
    for (let k = picked.length - 1; k >= 0; k--) {
      const j = picked[k]!;
      const s = this.store.get(j);
      if (!s) continue;
      buildInterval(this.store.startsRun(j) ? undefined : before, s, { thresholds: this.thresholds, history: this.history });
      before = s;
    }
  }

  /** `history`: feed the memory history (stepping does; the trend graph's look back does not). */
  private interval(i: number, cur: Sample, before: Sample | undefined, history = false): Interval {
    return buildInterval(this.store.startsRun(i) ? undefined : before, cur, {
      thresholds: this.thresholds, history: history ? this.history : undefined,
    });
  }

  /** Moves from the current position in `step` direction to the next decodable sample. */
  private walk(from: number, step: 1 | -1): Interval | undefined {
    for (let i = from; i >= this.first && i <= this.last; i += step) {
      const iv = this.at(i);
      if (iv) return iv;
    }
    return undefined;
  }

  next(): Interval | undefined {
    return this.walk(Math.max(this.pos + 1, this.first), 1);
  }

  prev(): Interval | undefined {
    return this.walk(this.pos - 1, -1);
  }

  /**
   * A time before -b (or after -e) reads back (or on) in the recording: the
   * replay's range grows to take it in, and `branchNote` says so.
   */
  branch(time: number): Interval | undefined {
    this.branchNote = undefined;
    let i = 0;
    while (i < this.store.length && this.store.timeOf(i) < time) i++;
    if (i >= this.store.length) return undefined;
    if (i < this.first) {
      this.first = i;
      this.branchNote = 'before -b: read back, the replay now starts there (r rewinds to it)';
    } else if (i > this.last) {
      this.last = this.store.length - 1;
      this.branchNote = 'after -e: read on, the replay now goes to the end of the recording';
    }
    return this.walk(i, 1);
  }

  branchNote: string | undefined;

  rewind(): Interval | undefined {
    return this.walk(this.first, 1);
  }

  recent(count: number, known: (time: number) => boolean = () => false): Recent[] {
    const out: Recent[] = [];
    for (let i = Math.max(this.first, this.pos - count + 1); i <= this.pos; i++) {
      const time = this.store.timeOf(i);
      if (known(time)) {
        out.push({ time });
        continue;
      }
      const cur = this.store.get(i);
      const before = i > 0 && !this.store.startsRun(i) ? this.store.get(i - 1) : undefined;
      if (cur) out.push({ time, interval: this.interval(i, cur, before) });
    }
    return out;
  }
}
