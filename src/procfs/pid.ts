/** Per-process files: /proc/PID/stat, /proc/PID/status, /proc/PID/io. */
import { scanKeyNumbers } from './keyvalue.js';
import { kernelCount, U64_LIMIT } from './number.js';

/**
 * One process's stat line. pid, comm and state make the line: without them
 * it names no process. Every other field is undefined when its text is not
 * a number the kernel can print there (a damaged or planted file): that
 * field is unknown, the rest of the process still shows.
 */
export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number | undefined;
  minflt: number | undefined;
  majflt: number | undefined;
  /** Clock ticks. */
  utime: number | undefined;
  stime: number | undefined;
  priority: number | undefined;
  nice: number | undefined;
  threads: number | undefined;
  /** Clock ticks after boot; with the pid it identifies a process across samples. */
  starttime: number | undefined;
  /** Bytes. */
  vsize: number | undefined;
  /** Pages. */
  rss: number | undefined;
  processor: number | undefined;
}

/**
 * The command name sits between the first "(" and the LAST ")": a name may
 * itself hold spaces and parentheses (e.g. "we ird) x (y"). Returns
 * undefined for text that is not a stat line: no "(comm)", no valid pid,
 * fewer fields than any kernel writes (a process that exited while the
 * file was read leaves an empty read). A field no kernel prints (negative,
 * fractional, beyond 2^64 or its range, not a number) is undefined alone.
 */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid > PID_LIMIT) return undefined;
  // Fields after the comm, numbered so that f[0] is field 3 (state) of proc(5).
  const f = text.slice(close + 2).split(' ');
  if (f.length < 22) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0]!,
    ppid: within(f[1], 0, PID_LIMIT),
    minflt: kernelCount(f[7]),
    majflt: kernelCount(f[9]),
    utime: kernelCount(f[11]),
    stime: kernelCount(f[12]),
    priority: within(f[15], INT_MIN, INT_MAX),
    nice: within(f[16], -20, 19),
    threads: within(f[17], 0, INT_MAX),
    starttime: kernelCount(f[19]),
    vsize: kernelCount(f[20]),
    rss: kernelCount(f[21]),
    processor: within(f[36], 0, INT_MAX),
  };
}

/** PidStat's keys, as parsePidStat returns them (for those who copy a record whole); one PidStat gains and this lacks does not compile. */
export const PID_STAT_KEYS = [
  'pid', 'comm', 'state', 'ppid', 'minflt', 'majflt', 'utime', 'stime', 'priority', 'nice', 'threads', 'starttime', 'vsize', 'rss', 'processor',
] as const satisfies readonly (keyof PidStat)[];
const everyStatKey: Exclude<keyof PidStat, (typeof PID_STAT_KEYS)[number]> extends never ? true : never = true;
void everyStatKey;

/** The kernel prints priority, threads and processor as C ints. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** An integer from min to max, else undefined. */
function within(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const v = Number(text);
  return Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

/** Most bytes of /proc/PID/stat: pid, comm of at most 64 bytes and 50 numbers of at most 20 digits, with margin. */
export const PID_STAT_MAX = 8 * 1024;
/** Most bytes of /proc/PID/status: its Groups: line alone holds up to 65536 group ids. */
export const PID_STATUS_MAX = 2 * 1024 * 1024;

/** The kernel's PID_MAX_LIMIT (4 Mi): no pid is larger. */
export const PID_LIMIT = 4 * 1024 * 1024;

/** A uid or gid: 0 to 2^32 - 2 (2^32 - 1 is the kernel's "no id"). */
function id(text: string | undefined): number | undefined {
  const v = kernelCount(text);
  return v !== undefined && v < 0xffffffff ? v : undefined;
}

/**
 * The size lines of /proc/PID/status a process sample carries, by the
 * kernel's name (kB in the file, bytes here). This table is the only list:
 * `PidStatus`, the sample, the raw log and the interval row take their
 * fields from it, so a line added here is parsed, sampled, recorded and
 * on the model's row; the registry (src/columns/process.ts) shows it.
 */
export const STATUS_GAUGES = {
  VmExe: 'vmExe',
  VmLib: 'vmLib',
  VmData: 'vmData',
  VmStk: 'vmStk',
  VmLck: 'vmLck',
  VmSwap: 'vmSwap',
  /** Resident anonymous memory (RssAnon, 4.5+): a leak's own pages, without the page cache's. */
  RssAnon: 'rssAnon',
  /** Resident shared memory (RssShmem, 4.5+): SysV and POSIX shm, tmpfs, shared anonymous mappings. */
  RssShmem: 'rssShmem',
} as const;

/** A status gauge's name in the sample and on the interval row (vmExe, rssAnon...). */
export type StatusGauge = (typeof STATUS_GAUGES)[keyof typeof STATUS_GAUGES];

/** Bytes; undefined when the kernel does not report the field (an old kernel, an unreadable status). */
export type StatusGauges = { [K in StatusGauge]?: number };

export interface PidStatus extends StatusGauges {
  uid?: number;
  euid?: number;
}

const STATUS_KEYS: Readonly<Record<string, StatusGauge>> = STATUS_GAUGES;
/** The status gauges' names (vmExe...), in STATUS_GAUGES' order. */
export const GAUGE_NAMES: readonly StatusGauge[] = Object.values(STATUS_GAUGES);
/** PidStatus's keys, as parsePidStatus returns them: every one, always. */
export const PID_STATUS_KEYS: readonly (keyof PidStatus)[] = ['uid', 'euid', ...GAUGE_NAMES];

/**
 * Every parse starts from one of these (a copy), so every status object has
 * the same keys in the same order: the objects built from it keep one shape.
 */
const UNKNOWN: PidStatus = { uid: undefined, euid: undefined, ...Object.fromEntries(GAUGE_NAMES.map((k) => [k, undefined])) };
const NO_MEMORY: PidStatus = { ...UNKNOWN, ...Object.fromEntries(GAUGE_NAMES.map((k) => [k, 0])) };

/**
 * Kernel threads and zombies have no Vm* lines at all: they own no user
 * memory, so their sizes are zero. A process that has VmSize but lacks a
 * field (VmSwap before 2.6.34) leaves that field undefined: unknown.
 */
/** A status that could not be read: every field unknown (in the shape of every other). */
export function unknownStatus(): PidStatus {
  return { ...UNKNOWN };
}

export function parsePidStatus(text: string): PidStatus {
  const out: PidStatus = text.includes('\nVmSize:') ? { ...UNKNOWN } : { ...NO_MEMORY };
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < eol) {
      const key = text.slice(pos, colon);
      if (key === 'Uid') {
        const ids = text.slice(colon + 1, eol).trim().split(/\s+/);
        out.uid = id(ids[0]);
        out.euid = id(ids[1] ?? ids[0]);
      } else {
        const target = STATUS_KEYS[key];
        if (target) {
          // "  1234 kB": a number of kB the kernel can print, else unknown.
          const value = kernelCount(text.slice(colon + 1, eol).trim().split(/\s+/)[0]);
          out[target] = value !== undefined && value <= U64_LIMIT / 1024 ? value * 1024 : undefined;
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
    return m ? kernelCount(m[1]) : undefined;
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
