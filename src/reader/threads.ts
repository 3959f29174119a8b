/**
 * The threads of one process (y, H on the screen): /proc/PID/task/TID/stat
 * of each, read only while the thread list is open, once when it opens and
 * once per interval after that: never in the list's per-sample path (a
 * process of 2000 threads costs 2000 small reads, about 20 ms).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseUptime } from '../procfs/loadavg.js';
import { parsePidStat, PID_STAT_MAX, type PidStat } from '../procfs/pid.js';
import { readText } from './readfile.js';

/** More threads than this are not read (a runaway thread pool): the list says how many there were. */
export const MAX_THREADS = 10000;

export interface ThreadsReading {
  pid: number;
  /** Wall clock, ms. */
  time: number;
  /** Seconds since boot, for a thread's CPU share since it started (the first reading). */
  uptime?: number;
  threads: PidStat[];
  /** Entries of task/ (more than were read when over MAX_THREADS). */
  count: number;
  /** Why nothing could be read: the process is gone, or task/ is not readable. */
  unreadable?: string;
}

export function readThreads(proc: string, pid: number, now = Date.now()): ThreadsReading {
  const dir = join(proc, String(pid), 'task');
  let tids: string[];
  try {
    tids = readdirSync(dir).filter((t) => /^\d+$/.test(t));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { pid, time: now, threads: [], count: 0, unreadable: code === 'ENOENT' ? 'the process has ended' : `${dir}: ${code ?? 'unreadable'}` };
  }
  const threads: PidStat[] = [];
  for (const tid of tids.slice(0, MAX_THREADS)) {
    const text = readText(join(dir, tid, 'stat'), { oneRead: true, max: PID_STAT_MAX });
    const stat = typeof text === 'string' ? parsePidStat(text) : undefined;
    if (stat) threads.push(stat); // a thread that ended between the readdir and its read is left out
  }
  const up = readText(join(proc, 'uptime'), { oneRead: true, max: 256 });
  return { pid, time: now, uptime: typeof up === 'string' ? parseUptime(up) : undefined, threads, count: tids.length };
}
