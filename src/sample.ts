/**
 * A sample: the kernel's counters at one moment, as read by the reader and as
 * stored by the raw log. Plain data (JSON-serialisable), no derived figures:
 * the model turns two samples into an interval.
 */
import type { CpuStat } from './procfs/stat.js';
import type { DiskClass, DiskCounters } from './procfs/diskstats.js';
import type { LoadAvg } from './procfs/loadavg.js';
import type { MemInfo } from './procfs/meminfo.js';
import type { PagingCounters } from './procfs/vmstat.js';
import type { NetCounters, NetDevCounters } from './procfs/net.js';
import type { OomKill } from './procfs/kmsg.js';
import type { PidStat, PidStatus, StatusMemory } from './procfs/pid.js';
import type { Pressure } from './procfs/pressure.js';
import type { Mapping, SmapsCounts } from './procfs/smaps.js';

/**
 * Per-process files beyond stat and status a sample reads, each costing a
 * file per process: asked for by the columns and filters shown.
 */
export interface SampleNeeds {
  io?: boolean;
  cmdline?: boolean;
  /** /proc/PID/smaps_rollup (smaps before 4.14) for PSIZE: a walk of the page tables per process. */
  pss?: boolean;
  /**
   * The memory cgroup tree (the cgroup view, the CGROUP column, JSON,
   * Prometheus, the raw log); maxDepth: deepest level read in full.
   */
  cgroups?: boolean | { maxDepth?: number };
}

/** A parser's record as the sample keeps it: every figure optional (undefined or absent: unknown, or not in an older recording). */
type Figures<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/**
 * One process as the parsers return it: its stat line (`PidStat`, rss in
 * bytes here) and its status (`PidStatus`: uid, euid and the status gauges
 * of `STATUS_GAUGES`), spread into one object, plus the files read on
 * demand. The keys are the parsers' own: the raw log stores them as they
 * are (rawlog/encoding.ts walks them), so renaming one would leave older
 * recordings' column unread. A gauge added to STATUS_GAUGES is here, and
 * recorded, without an edit.
 */
/**
 * The needs, declared once: a file-backed figure adds its key here (and to
 * SampleNeeds, which must list exactly these or this does not compile), its
 * read in the sampler, and `needs` on the columns that show it; needsOf and
 * gainedNeeds, and so the views, the screen and the run modes, follow.
 */
export const NEED_KEYS = ['io', 'cmdline', 'pss', 'cgroups'] as const;
export type NeedKey = (typeof NEED_KEYS)[number];
const needKeysListed: [Exclude<keyof SampleNeeds, NeedKey> | Exclude<NeedKey, keyof SampleNeeds>] extends [never] ? true : never = true;
void needKeysListed;

/** How deep a cgroup need reads: 0 not at all, Infinity the whole tree. */
const depthOf = (c: SampleNeeds['cgroups']) => (!c ? 0 : c === true ? Infinity : (c.maxDepth ?? Infinity));

/** Everything any of `needs` reads (the cgroup tree as deep as the deepest asks); every key set. */
export function needsOf(needs: readonly (SampleNeeds | undefined)[]): SampleNeeds {
  const out: SampleNeeds = {};
  for (const key of NEED_KEYS) {
    if (key === 'cgroups') {
      let deepest: SampleNeeds['cgroups'] = false;
      for (const n of needs) if (n && depthOf(n.cgroups) > depthOf(deepest)) deepest = n.cgroups;
      out.cgroups = deepest;
    } else {
      out[key] = needs.some((n) => !!n?.[key]);
    }
  }
  return out;
}

/** Whether `needs` asks for a per-process file (every need but the cgroup tree): then no process's last sample is reused as it is. */
export function readsProcessFiles(needs: SampleNeeds): boolean {
  return NEED_KEYS.some((key) => key !== 'cgroups' && !!needs[key]);
}

/** Whether `after` reads anything `before` does not (a file, or the cgroup tree deeper). */
export function gainedNeeds(before: SampleNeeds, after: SampleNeeds): boolean {
  return NEED_KEYS.some((key) => (key === 'cgroups' ? depthOf(after.cgroups) > depthOf(before.cgroups) : !!after[key] && !before[key]));
}

export interface ProcSample extends Figures<Omit<PidStat, 'pid' | 'comm' | 'state' | 'rss'>>, Figures<PidStatus> {
  pid: number;
  comm: string;
  state: string;
  /** Bytes (the stat line's pages times the page size). */
  rss?: number;
  /** From /proc/PID/io, read only when a view needs it; undefined = not read or not readable. */
  rddsk?: number;
  wrdsk?: number;
  wcancl?: number;
  /** Proportional set size in bytes (smaps_rollup's Pss), read only when PSIZE is shown or sorted on; undefined = not read or not readable. */
  pss?: number;
  /** From /proc/PID/cmdline, read only when a view needs it. */
  cmdline?: string;
  /** An interpreter's script or main module, from its command line (procfs/program.ts); undefined for others. */
  program?: string;
}

export interface DiskSample extends DiskCounters {
  class: DiskClass;
  /** Display name: the device-mapper name for dm-N when /sys tells it. */
  label: string;
}

export interface Sample {
  /** Wall-clock time of the sample, milliseconds since the epoch. */
  time: number;
  host: string;
  hz: number;
  pageSize: number;
  ncpu: number;
  /** Seconds since boot; interval lengths are differences of this monotonic clock. */
  uptime: number;
  mem: MemInfo;
  pag: PagingCounters;
  cpu: CpuStat;
  load: LoadAvg;
  disks: DiskSample[];
  psi?: { cpu?: Pressure; memory?: Pressure; io?: Pressure };
  /** Transport and network counters (IPv4 + IPv6); undefined when /proc/net is unreadable. */
  net?: NetCounters;
  /** Network interfaces with their speed in Mb/s (0 = unknown) and duplex from sysfs. */
  ifs?: (NetDevCounters & { speed: number; fullDuplex: boolean })[];
  /** Socket buffer memory in bytes (/proc/net/sockstat); undefined when unreadable. */
  sock?: { tcp: number; udp: number };
  /**
   * KSM in bytes: pages_shared (the pages KSM keeps) and pages_sharing (the
   * mappings of them, what KSM saves) of /sys/kernel/mm/ksm, times the page
   * size; undefined where the kernel has no KSM.
   */
  ksm?: { shared: number; sharing: number };
  /** The zram devices' mm_stat summed, bytes: data stored, compressed, memory used; undefined with no zram device in use. */
  zram?: { orig: number; compr: number; used: number };
  /** zswap switched on (/sys/module/zswap/parameters/enabled); undefined where the kernel has no zswap. */
  zswap?: boolean;
  /** NUMA nodes under /sys/devices/system/node; undefined when sysfs does not tell. */
  numaNodes?: number;
  /** /proc/sys/kernel/pid_max: sets the width of the PID column. */
  pidMax?: number;
  /**
   * The memory cgroup tree, read only when an output shows it (and always
   * when recording): undefined when not read (and in recordings made before
   * memtop recorded it), null when read on a machine with no memory hierarchy.
   */
  cgroups?: CgroupSample | null;
  /**
   * Login names by uid, resolved by the reader on the sampled host, so a
   * replay elsewhere shows that host's names; absent in recordings made
   * before memtop kept them (the model then shows the uid).
   */
  users?: Record<string, string>;
  procs: ProcSample[];
  /** OOM kills the kernel log reported since the sample before; undefined when the log is not read. */
  oomKills?: OomKill[];
}

/** The counters of one memory cgroup; a figure the kernel does not tell (file missing or unreadable) is undefined. */
export interface CgroupCounters {
  /** Path below the hierarchy's mount point, "/" for its top. */
  path: string;
  /**
   * What runs in it, for a container's or pod's group: `docker:web-1`,
   * `podman:db`, `containerd:nginx`, `pod:default/nginx-7d9c` (the id where
   * the runtime's state does not tell); absent for other groups.
   */
  name?: string;
  /** Processes in this group itself (cgroup.procs), with those of subgroups not shown (no memory files, threaded). */
  pids: number[];
  /** Bytes in use by the group and its subgroups (memory.current, v1 memory.usage_in_bytes). */
  memory?: number;
  /** Limit in bytes (memory.max, v1 memory.limit_in_bytes); UNLIMITED (-1) when none. */
  max?: number;
  /** v2 memory.high, bytes or UNLIMITED. */
  high?: number;
  /** Swap in use, bytes (memory.swap.current; v1 memory.memsw.usage_in_bytes minus memory.usage_in_bytes). */
  swap?: number;
  /** memory.stat, bytes. */
  anon?: number;
  file?: number;
  /** OOM kills so far (memory.events, v1 memory.oom_control). */
  oomKills?: number;
  /** memory.pressure (v2). */
  psi?: Pressure;
}

export interface CgroupSample {
  version: 1 | 2;
  /** Where the hierarchy holding the memory controller is mounted. */
  mountPoint: string;
  /** Parents before children, each parent's children in name order. */
  groups: CgroupCounters[];
}

/** What the reader got for one process at one moment. */
export interface DetailReading {
  pid: number;
  cmd: string;
  /** Wall clock, ms. */
  time: number;
  /** Undefined: the process is gone. */
  status?: StatusMemory;
  /** smaps_rollup, or the sum of smaps on kernels without it; undefined when smaps could not be read. */
  rollup?: SmapsCounts;
  /** Undefined when smaps could not be read (see smapsUnreadable). */
  mappings?: Mapping[];
  /** Why smaps could not be read ("permission denied: ..."), shown as `?` with this reason. */
  smapsUnreadable?: string;
  cgroup?: CgroupDetail;
  /** Its executable carries Go's build-id note (the detail's advice on a growing region). */
  goBinary?: boolean;
}

/** The process's memory cgroup, its limits and events (bytes; undefined where the kernel does not tell). */
export interface CgroupDetail {
  version: 1 | 2;
  path: string;
  /** memory.current / memory.usage_in_bytes. */
  memory?: number;
  /** memory.max / memory.limit_in_bytes; undefined when unlimited. */
  max?: number;
  /** v2 memory.high; undefined when unlimited. */
  high?: number;
  /** v1 memory.failcnt: how often the limit was hit. */
  failcnt?: number;
  /** v2 memory.events (low, high, max, oom, oom_kill...), v1 memory.oom_control (under_oom, oom_kill). */
  events: Record<string, number>;
  /** v2 memory.pressure avg10, percent. */
  psiSome?: number;
  psiFull?: number;
  /** A group memtop made to contain the process. */
  contained: boolean;
}

/**
 * A function made once from fixed lists of keys: it copies keys[i] of its
 * i-th argument into one object literal, and sets `blank` keys to undefined
 * (for what the caller fills in after). The sampler builds a process's
 * sample this way from the parsers' records and the model a row from its
 * sample, with no list of fields written out: objects of one literal share
 * one compact shape (V8's in-object fields), which the model reads fast,
 * where objects built by spreading two records do not (the model took 2.5x
 * as long on such samples: processIntervals of 130 processes, all rebuilt,
 * 450 us against 60 us). The keys come from memtop's own tables (parser
 * output keys, STATUS_GAUGES), never from input; each is checked to be a
 * plain identifier.
 */
export function literalCopier(keys: readonly (readonly string[])[], blank: readonly string[] = []): (...from: object[]) => object {
  const all = [...keys.flat(), ...blank];
  for (const k of all) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`literalCopier: '${k}' is not an identifier`);
  if (new Set(all).size !== all.length) throw new Error('literalCopier: a key is listed twice');
  const fields = keys.flatMap((list, i) => list.map((k) => `${k}: a${i}.${k}`)).concat(blank.map((k) => `${k}: undefined`));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: a literal of fixed, checked keys.
  return new Function(...keys.map((_, i) => `a${i}`), `return { ${fields.join(', ')} };`) as (...from: object[]) => object;
}
