/**
 * Daily logs: one file per local calendar day, memtop_YYYYMMDD in a
 * directory, switched when a sample's time falls on a new day (the clock is
 * the samples' own time, so tests inject it through the sampler). Files
 * more than `keep` days older than the current day are removed.
 */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from '../sample.js';
import { MemtopError, reasonOf, usageError } from '../messages.js';
import { RawWriter, type WriterOptions } from './writer.js';

export const DEFAULT_LOG_DIR = '/var/log/memtop';
const DAILY = /^memtop_(\d{8})$/;

/** YYYYMMDD of a time (ms since the epoch), local time. */
export function dayStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

/** Local midnight `days` calendar days before the day of `ms`. */
export function daysBefore(ms: number, days: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - days).getTime();
}

export function dailyName(ms: number): string {
  return `memtop_${dayStamp(ms)}`;
}

/** True when YYYYMMDD names a real calendar day. */
export function validStamp(stamp: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(stamp);
  if (!m) return false;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayStamp(d.getTime()) === stamp;
}

/**
 * For -r: YYYYMMDD or y, yy, ... (days back from `now`) name a daily file in
 * `dir`; anything else is a path (undefined here). Throws on an impossible date.
 */
export function dailyFileFor(arg: string, dir: string, now: number): string | undefined {
  // '' (a bare -r) is today, y yesterday, yy the day before, ...
  if (/^y*$/.test(arg)) return join(dir, dailyName(daysBefore(now, arg.length)));
  if (/^\d{8}$/.test(arg)) {
    if (!validStamp(arg)) throw usageError(`invalid date '${arg}': give YYYYMMDD, e.g. ${dayStamp(now)}`);
    return join(dir, `memtop_${arg}`);
  }
  return undefined;
}

/**
 * Removes the daily files dated more than `keep` days before `now`'s day
 * (keep 28: that day and the 28 before it stay, as atop's -mtime +28).
 * Returns the names removed.
 */
export function pruneDaily(dir: string, keep: number, now: number, onNote?: (m: string) => void): string[] {
  const oldest = dayStamp(daysBefore(now, keep));
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names.sort()) {
    const m = DAILY.exec(name);
    if (!m || m[1]! >= oldest) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch (err) {
      onNote?.(`cannot remove old daily log ${join(dir, name)}: ${reasonOf(err)}`);
    }
  }
  return removed;
}

export class DailyLog {
  private writer: RawWriter | undefined;
  private day: string | undefined;

  constructor(
    readonly dir: string,
    readonly keep: number,
    private readonly opts: WriterOptions = {},
  ) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new MemtopError(`cannot create the log directory ${dir}: ${reasonOf(err)}`);
    }
  }

  /** The file written now (after the first sample). */
  get path(): string | undefined {
    return this.writer?.path;
  }

  append(sample: Sample): void {
    const day = dayStamp(sample.time);
    if (day !== this.day) {
      this.writer?.close();
      this.writer = new RawWriter(join(this.dir, `memtop_${day}`), this.opts);
      this.day = day;
      pruneDaily(this.dir, this.keep, sample.time, this.opts.onNote);
    }
    this.writer!.append(sample);
  }

  close(): void {
    this.writer?.close();
  }
}
