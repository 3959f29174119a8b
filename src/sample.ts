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
import type { StatusMemory } from './procfs/pid.js';
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

export interface ProcSample {
  pid: number;
  ppid?: number;
  comm: string;
  state: string;
  /** Undefined when /proc/PID/status could not be read. */
  uid?: number;
  minflt?: number;
  majflt?: number;
  /** Clock ticks. */
  utime?: number;
  stime?: number;
  nice?: number;
  priority?: number;
  threads?: number;
  starttime?: number;
  processor?: number;
  /** Bytes. */
  vsize?: number;
  rss?: number;
  /** Bytes, from /proc/PID/status; undefined = unknown (kernel thread, old kernel, unreadable). */
  vmExe?: number;
  vmLib?: number;
  vmData?: number;
  vmStk?: number;
  vmLck?: number;
  vmSwap?: number;
  /** Resident anonymous bytes (RssAnon); undefined on kernels before 4.5 and in older recordings. */
  rssAnon?: number;
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
