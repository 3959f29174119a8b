/**
 * A process's own cost, read from outside through /proc.
 *
 * CPU is the sum over the process's threads of /proc/PID/task/TID/schedstat
 * field 1 (nanoseconds on a CPU), plus its reaped children (cutime + cstime
 * in /proc/PID/stat, clock ticks), plus its live children counted the same
 * way. utime/stime alone tick in 10 ms steps and would round a monitor that
 * costs 5 ms per refresh down to nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux architecture in use. */
const HZ = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** Fields of /proc/PID/stat after the comm, so field n of proc(5) is at index n - 3. */
function statFields(pid: number): string[] | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}

/** Nanoseconds on a CPU of every live thread of pid (0 when the process is gone). */
export function threadsCpuNs(pid: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let ns = 0;
  for (const tid of tids) {
    const text = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (text !== undefined) ns += Number(text.slice(0, text.indexOf(' ')));
  }
  return ns;
}

/** Live children of pid, from /proc/PID/task/TID/children. */
export function childPids(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    const text = read(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const c of text.trim().split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

/**
 * CPU nanoseconds of pid and everything it started: its threads, its reaped
 * children (cutime + cstime) and, recursively, its live children. Undefined
 * when pid is gone.
 */
export function treeCpuNs(pid: number): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  // proc(5): cutime is field 16, cstime field 17.
  let ns = threadsCpuNs(pid) + ((Number(f[13]) + Number(f[14])) * 1e9) / HZ;
  for (const child of childPids(pid)) ns += treeCpuNs(child) ?? 0;
  return ns;
}

/** VmRSS (or VmHWM, the peak) of pid in bytes, undefined when gone or not shown (kernel threads). */
export function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Process group of pid, undefined when gone. */
export function processGroup(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[2]) : undefined; // proc(5): pgrp is field 5
}

/** Numeric entries of /proc: every process now. */
export function allPids(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(e));
  }
  return out;
}
