/** Per-process files: /proc/PID/stat, /proc/PID/status, /proc/PID/io. */
import { scanKeyNumbers } from './keyvalue.js';

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  minflt: number;
  majflt: number;
  /** Clock ticks. */
  utime: number;
  stime: number;
  priority: number;
  nice: number;
  threads: number;
  /** Clock ticks after boot; with the pid it identifies a process across samples. */
  starttime: number;
  /** Bytes. */
  vsize: number;
  /** Pages. */
  rss: number;
  processor: number;
}

/**
 * The command name sits between the first "(" and the LAST ")": a name may
 * itself hold spaces and parentheses (e.g. "we ird) x (y"). Returns
 * undefined for text that is not a stat line (a process that exited while
 * the file was read leaves an empty read).
 */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid)) return undefined;
  // Fields after the comm, numbered so that f[0] is field 3 (state) of proc(5).
  const f = text.slice(close + 2).split(' ');
  if (f.length < 22) return undefined;
  const n = (field: number) => Number(f[field - 3]) || 0;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0]!,
    ppid: n(4),
    minflt: n(10),
    majflt: n(12),
    utime: n(14),
    stime: n(15),
    priority: n(18),
    nice: n(19),
    threads: n(20),
    starttime: n(22),
    vsize: n(23),
    rss: n(24),
    processor: n(39),
  };
}

export interface PidStatus {
  uid?: number;
  euid?: number;
  /** Bytes; undefined when the kernel does not report the field. */
  vmExe?: number;
  vmLib?: number;
  vmData?: number;
  vmStk?: number;
  vmLck?: number;
  vmSwap?: number;
  /** Resident anonymous memory (RssAnon, 4.5+): a leak's own pages, without the page cache's. */
  rssAnon?: number;
}

const STATUS_KEYS: Record<string, keyof PidStatus> = {
  VmExe: 'vmExe',
  VmLib: 'vmLib',
  VmData: 'vmData',
  VmStk: 'vmStk',
  VmLck: 'vmLck',
  VmSwap: 'vmSwap',
  RssAnon: 'rssAnon',
};

/**
 * Kernel threads and zombies have no Vm* lines at all: they own no user
 * memory, so their sizes are zero. A process that has VmSize but lacks a
 * field (VmSwap before 2.6.34) leaves that field undefined: unknown.
 */
export function parsePidStatus(text: string): PidStatus {
  const out: PidStatus = {};
  if (!text.includes('\nVmSize:')) {
    out.vmExe = out.vmLib = out.vmData = out.vmStk = out.vmLck = out.vmSwap = out.rssAnon = 0;
  }
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < eol) {
      const key = text.slice(pos, colon);
      if (key === 'Uid') {
        const ids = text.slice(colon + 1, eol).trim().split(/\s+/);
        out.uid = Number(ids[0]);
        out.euid = Number(ids[1] ?? ids[0]);
      } else {
        const target = STATUS_KEYS[key];
        if (target) {
          const value = parseInt(text.slice(colon + 1, eol), 10);
          if (Number.isFinite(value)) out[target] = value * 1024;
        }
      }
    }
    pos = eol + 1;
  }
  return out;
}

export interface PidIo {
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

export function parsePidIo(text: string): PidIo | undefined {
  const get = (key: string) => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const readBytes = get('read_bytes');
  const writeBytes = get('write_bytes');
  if (readBytes === undefined || writeBytes === undefined) return undefined;
  return { readBytes, writeBytes, cancelledWriteBytes: get('cancelled_write_bytes') ?? 0 };
}

/** The memory lines of /proc/PID/status the detail shows; bytes, undefined where the kernel does not write them. */
export interface StatusMemory {
  vmSize?: number;
  vmPeak?: number;
  vmRss?: number;
  vmHwm?: number;
  /** RssAnon, RssFile, RssShmem: 4.5+. */
  rssAnon?: number;
  rssFile?: number;
  rssShmem?: number;
  vmSwap?: number;
  vmLck?: number;
  vmPin?: number;
  vmPte?: number;
  hugetlb?: number;
}

const STATUS_MEMORY_KEYS: Record<string, keyof StatusMemory> = {
  VmSize: 'vmSize', VmPeak: 'vmPeak', VmRSS: 'vmRss', VmHWM: 'vmHwm', RssAnon: 'rssAnon', RssFile: 'rssFile',
  RssShmem: 'rssShmem', VmSwap: 'vmSwap', VmLck: 'vmLck', VmPin: 'vmPin', VmPTE: 'vmPte', HugetlbPages: 'hugetlb',
};

/**
 * The detail's reading of status: the per-kind sizes the list does not need.
 * The kernel keeps these counters per thread and folds them in
 * asynchronously, so they may lag smaps by a few pages ("may not be very
 * precise", proc(5)).
 */
export function parseStatusMemory(text: string): StatusMemory {
  const out: StatusMemory = {};
  scanKeyNumbers(text, ':', (key, value, kb) => {
    const target = STATUS_MEMORY_KEYS[key];
    if (target && kb) out[target] = value * 1024;
  });
  return out;
}
