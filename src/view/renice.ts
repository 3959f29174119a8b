/**
 * The n key's work (htop's F7/F8 nice -/+), and the checks k shares: which process, its nice value,
 * and setting it on every thread of the process (Linux's nice is per thread:
 * setpriority of the pid alone changes the main thread only). As careful as
 * kill: the process is read when the question opens and read again before
 * anything is done, and a different start time (the pid reused) or a gone
 * process does nothing; pid 1, kernel threads and memtop itself are never
 * reniced; EPERM and EACCES are said plainly, never thrown.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { messageOf } from '../messages.js';
import { parsePidStat } from '../procfs/pid.js';
import { readText } from '../reader/readfile.js';

/** PF_KTHREAD, in the flags of /proc/PID/stat (field 9). */
const PF_KTHREAD = 0x00200000;
export const NICE_MIN = -20;
export const NICE_MAX = 19;

/** What renicing needs to know of a process, read from its stat when asked. */
export interface NiceTarget {
  pid: number;
  comm: string;
  /** Field 22: with the pid it names the process. */
  starttime: number;
  nice: number;
}

/** The system the key acts on: the live one (tui.ts), faked in tests. */
export interface NiceSystem {
  /** /proc/PID/stat's text, undefined when the process is gone or unreadable. */
  stat(pid: number): string | undefined;
  /** The thread ids of the process (/proc/PID/task). */
  threads(pid: number): number[];
  setPriority(tid: number, nice: number): void;
  /** memtop's own pid. */
  self: number;
}

export function liveNiceSystem(proc = '/proc'): NiceSystem {
  return {
    stat: (pid) => {
      const r = readText(`${proc}/${pid}/stat`, { max: 4096 });
      return typeof r === 'string' ? r : undefined;
    },
    threads: (pid) => {
      try {
        return readdirSync(`${proc}/${pid}/task`).map(Number).filter((t) => Number.isInteger(t) && t > 0);
      } catch {
        return [];
      }
    },
    setPriority: (tid, nice) => setPriority(tid, nice),
    self: process.pid,
  };
}

/**
 * The process behind `pid` now, or why memtop will not act on it (`verb`:
 * kill's 'signalled', renice's 'reniced'): pid 1, memtop itself, a kernel
 * thread (kthreadd's child, or PF_KTHREAD), a process that is gone.
 */
export function processTarget(pid: number, sys: Pick<NiceSystem, 'stat' | 'self'>, verb: 'reniced' | 'signalled'): NiceTarget | string {
  const command = verb === 'reniced' ? 'renice' : 'kill';
  if (pid === 1) return `pid 1 (init) is never ${verb} by memtop`;
  if (pid === sys.self) return `pid ${pid} is memtop itself: not ${verb}`;
  const text = sys.stat(pid);
  const st = text === undefined ? undefined : parsePidStat(text);
  if (!text || !st) return `${command} ${pid}: no such process (it has exited)`;
  const flags = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[6]);
  if (pid === 2 || st.ppid === 2 || (Number.isInteger(flags) && (flags & PF_KTHREAD) !== 0)) {
    return `pid ${pid} (${st.comm}) is a kernel thread: not ${verb}`;
  }
  if (st.starttime === undefined || st.nice === undefined) return `${command} ${pid}: its stat is unreadable`;
  return { pid, comm: st.comm, starttime: st.starttime, nice: st.nice };
}

/** The process behind `pid` now, or why memtop will not renice it. */
export function niceTarget(pid: number, sys: NiceSystem): NiceTarget | string {
  return processTarget(pid, sys, 'reniced');
}

/** Whether `was` is still the process its pid names (same start time); else the line to show, nothing done. */
export function stillThere(was: NiceTarget, sys: Pick<NiceSystem, 'stat' | 'self'>, verb: 'reniced' | 'signalled'): string | undefined {
  const now = processTarget(was.pid, sys, verb);
  if (typeof now === 'string') return now;
  const command = verb === 'reniced' ? 'renice' : 'kill';
  if (now.starttime !== was.starttime) return `${command} ${was.pid}: pid ${was.pid} is another process now (${now.comm}): nothing done`;
  return undefined;
}

/** A nice value the user typed, -20 (most favoured) to 19. */
export function parseNice(text: string): number | string {
  const t = text.trim();
  if (!/^-?\d{1,3}$/.test(t) || Number(t) < NICE_MIN || Number(t) > NICE_MAX) {
    return `not a nice value: '${t.slice(0, 20)}' (give ${NICE_MIN} to ${NICE_MAX}; F7 and F8 step the highlighted process by one)`;
  }
  return Number(t);
}

/**
 * Sets `nice` on every thread of the process `was` names, after reading it
 * again: a process that exited or whose pid now names another does nothing.
 * Returns the line to show.
 */
export function renice(was: NiceTarget, nice: number, sys: NiceSystem): string {
  const gone = stillThere(was, sys, 'reniced');
  if (gone) return gone;
  const now = niceTarget(was.pid, sys) as NiceTarget;
  const tids = sys.threads(was.pid);
  if (tids.length === 0) tids.push(was.pid);
  let done = 0;
  for (const tid of tids) {
    try {
      sys.setPriority(tid, nice);
      done++;
    } catch (err) {
      const code = (err as { info?: { code?: string }; code?: string }).info?.code ?? (err as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') continue; // a thread that ended meanwhile
      const who = `${was.pid} (${was.comm})`;
      if (code === 'EACCES') return `renice ${who}: EACCES, only root (CAP_SYS_NICE) may lower a nice value, to ${nice} from ${now.nice}`;
      if (code === 'EPERM') return `renice ${who}: EPERM, not allowed to renice another user's process`;
      return `renice ${who}: ${code ?? messageOf(err)}`;
    }
  }
  if (done === 0) return `renice ${was.pid}: no such process (it has exited)`;
  const threads = done > 1 ? `, ${done} threads` : '';
  return `reniced ${was.pid} (${was.comm}) from ${now.nice} to ${nice}${threads}`;
}
