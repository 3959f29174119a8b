/**
 * The two feeds (src/feed.ts): the live system through a sampler, and a
 * recording through a SampleStore.
 */
import type { Feed, Recent, Recording } from '../feed.js';
import { buildInterval, type Interval } from '../model/interval.js';
import type { Thresholds } from '../model/thresholds.js';
import type { SampleNeeds, Sampler } from '../reader/sampler.js';
import type { SampleStore } from '../rawlog/reader.js';
import type { Sample } from '../sample.js';

export class LiveFeed implements Feed {
  private prevSample: Sample | undefined;

  needs: SampleNeeds = {};

  constructor(
    private readonly sampler: Sampler,
    private readonly thresholds: Thresholds,
    /** Called with every raw sample, e.g. to record it. */
    private readonly onSample?: (s: Sample) => void,
  ) {}

  next(): Interval {
    const cur = this.sampler.sample(this.needs);
    this.onSample?.(cur);
    const iv = buildInterval(this.prevSample, cur, { thresholds: this.thresholds });
    this.prevSample = cur;
    return iv;
  }

  rewind(): Interval {
    this.prevSample = undefined;
    return this.next();
  }
}

export class ReplayFeed implements Feed, Recording {
  readonly recording: Recording = this;
  /** Ignored: a recording holds every per-process file. */
  needs: SampleNeeds = {};
  private pos = -1;

  private readonly first: number;
  private readonly last: number;

  /**
   * `window` limits the replay to store positions first..last (-b/-e); the
   * first interval in it still starts at the sample before it.
   */
  constructor(
    private readonly store: SampleStore,
    private readonly thresholds: Thresholds,
    window?: { first: number; last: number },
  ) {
    this.first = Math.max(0, window?.first ?? 0);
    this.last = Math.min(store.length - 1, window?.last ?? store.length - 1);
  }

  /** Position of the current sample in the store (-1 before the first). */
  get position(): number {
    return this.pos;
  }

  private at(i: number): Interval | undefined {
    const cur = this.store.get(i);
    if (!cur) return undefined;
    this.pos = i;
    return this.interval(i, cur, i > 0 && !this.store.startsRun(i) ? this.store.get(i - 1) : undefined);
  }

  private interval(i: number, cur: Sample, before: Sample | undefined): Interval {
    return buildInterval(this.store.startsRun(i) ? undefined : before, cur, { thresholds: this.thresholds });
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

  branch(time: number): Interval | undefined {
    for (let i = this.first; i <= this.last; i++) if (this.store.timeOf(i) >= time) return this.walk(i, 1);
    return undefined;
  }

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
