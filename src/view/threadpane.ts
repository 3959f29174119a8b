/**
 * The screen's thread list of one process (y, H; atop's y, htop's H): one
 * row per thread with its state and its CPU share, busiest first. The
 * share is over the interval between two readings; the first reading,
 * having none before it, shows each thread's share since it started. Read
 * through the shell's ProcessAccess when it opens and once per interval.
 */
import { printable } from '../format/text.js';
import { cpuStr } from '../format/units.js';
import type { PidStat } from '../procfs/pid.js';
import type { ThreadsReading } from '../reader/threads.js';

export interface ThreadRow {
  tid: number;
  name: string;
  state: string;
  /** Percent of one CPU; undefined when the thread's times are unknown. */
  cpu: number | undefined;
  /** Total user and system time, ms. */
  usr: number | undefined;
  sys: number | undefined;
  processor: number | undefined;
}

const HZ = 100;

/** The rows of `now` against `before` (the previous reading), busiest first, ties by tid. */
export function threadRows(now: ThreadsReading, before: ThreadsReading | undefined, hz = HZ): ThreadRow[] {
  const prev = new Map<number, PidStat>();
  for (const t of before?.threads ?? []) prev.set(t.pid, t);
  const elapsed = before ? (now.time - before.time) / 1000 : undefined;
  const ticks = (t: PidStat | undefined) => (t?.utime === undefined || t.stime === undefined ? undefined : t.utime + t.stime);
  const rows = now.threads.map((t): ThreadRow => {
    const total = ticks(t);
    let cpu: number | undefined;
    const p = prev.get(t.pid);
    // The same thread: the tid and its start time (a tid reused in between starts later).
    if (elapsed !== undefined && elapsed > 0 && p && p.starttime === t.starttime && ticks(p) !== undefined && total !== undefined) {
      cpu = (Math.max(0, total - ticks(p)!) / hz / elapsed) * 100;
    } else if (total !== undefined && now.uptime !== undefined && t.starttime !== undefined) {
      const lived = now.uptime - t.starttime / hz;
      cpu = lived > 0 ? (total / hz / lived) * 100 : 0;
    }
    return {
      tid: t.pid, name: t.comm, state: t.state, cpu,
      usr: t.utime === undefined ? undefined : (t.utime * 1000) / hz,
      sys: t.stime === undefined ? undefined : (t.stime * 1000) / hz,
      processor: t.processor,
    };
  });
  return rows.sort((a, b) => (b.cpu ?? -1) - (a.cpu ?? -1) || a.tid - b.tid);
}

export interface ThreadReader {
  readThreads(pid: number): ThreadsReading;
}

export class ThreadPane {
  private last: ThreadsReading;
  private before: ThreadsReading | undefined;

  constructor(readonly pid: number, readonly cmd: string, private readonly reader: ThreadReader) {
    this.last = reader.readThreads(pid);
  }

  /** A new reading: once per interval while the list is open. */
  refresh(): void {
    const next = this.reader.readThreads(this.pid);
    this.before = this.last.unreadable ? undefined : this.last;
    this.last = next;
  }

  /** The title bar's text. */
  title(): string {
    return ` THREADS of pid ${this.pid} (${printable(this.cmd)}): Esc or Enter back`;
  }

  lines(width: number, height: number): string[] {
    const r = this.last;
    if (r.unreadable) return [`threads of ${this.pid}: ${r.unreadable}`];
    const rows = threadRows(r, this.before);
    const over = this.before ? `over the last ${((r.time - this.before.time) / 1000).toFixed(1)}s` : 'since each thread started (the next interval: over the interval)';
    const more = r.count > r.threads.length ? `, ${r.count - r.threads.length} not read` : '';
    const head = `${r.threads.length} threads${more}; CPU ${over}`;
    const cols = '    TID S   CPU  USRCPU  SYSCPU CPUNR NAME';
    const body = rows.map((t) => [
      String(t.tid).padStart(7),
      t.state.padStart(1),
      (t.cpu === undefined ? '?' : `${Math.round(t.cpu)}%`).padStart(5),
      (t.usr === undefined ? '?' : cpuStr(t.usr)).padStart(7),
      (t.sys === undefined ? '?' : cpuStr(t.sys)).padStart(7),
      (t.processor === undefined ? '?' : String(t.processor)).padStart(5),
      printable(t.name),
    ].join(' '));
    const shown = body.slice(0, Math.max(0, height - 2));
    if (shown.length < body.length) shown[shown.length - 1] = `... ${body.length - shown.length + 1} more threads`;
    return [head, cols, ...shown].map((l) => l.slice(0, width));
  }
}
