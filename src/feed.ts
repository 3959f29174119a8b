/**
 * What the outputs (screen, text, JSON, metrics) read intervals from: the
 * live system or a recording. An output asks a feed what it can do (is there
 * a `recording` to step through?), never which class it is, so a replay
 * shows every view, sort and filter the live screen has.
 */
import type { Interval } from './model/interval.js';
import type { SampleNeeds } from './sample.js';

export interface Feed {
  /** Live: take a sample now. Recording: its next sample; undefined at its end. */
  next(): Interval | undefined;
  /** Recording: back to the first sample. Live: forget the previous sample (next is since boot). */
  rewind(): Interval | undefined;
  /**
   * Per-process files beyond stat and status the output shows. A live feed
   * reads only these; a recording holds them all and ignores this.
   */
  needs: SampleNeeds;
  /**
   * Live: the notes told since the last call, oldest first (a file under
   * --proc or --sys that is not what the kernel writes there: a FIFO, an
   * oversized file, no stat line). The screen shows them, as it hides stderr.
   */
  newNotes?(): string[];
  /** Live: memtop just contained `pid`; its growth evidence starts over (what grew before is not its growth in the group). */
  restartEvidence?(pid: number): void;
  /** Present when the feed replays a recording: stepping back and jumping in time. Absent for the live system. */
  readonly recording?: Recording;
}

/** What only a recording can do: its samples exist before and after the current one. */
export interface Recording {
  /** The previous sample; undefined at the first. */
  prev(): Interval | undefined;
  /** The first sample at or after `time` (ms since the epoch), also outside -b/-e (then branchNote says so). */
  branch(time: number): Interval | undefined;
  /** What the last branch did beyond going there (read back before -b); undefined when nothing. */
  readonly branchNote?: string;
  /**
   * The last `count` samples up to the current one, oldest first, without
   * moving: each one's time, and its interval unless `known(time)` says the
   * caller has it already (decoding is the cost).
   */
  recent(count: number, known?: (time: number) => boolean): Recent[];
}

export interface Recent {
  time: number;
  interval?: Interval;
}
