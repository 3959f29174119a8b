/**
 * Control groups: /proc/PID/cgroup, the cgroup mounts in
 * /proc/self/mountinfo, and the memory controller's files of cgroup v1
 * (memory.usage_in_bytes ...) and v2 (memory.current ...). Pure: text in,
 * numbers out; the reader (src/reader/cgroups.ts) finds and reads the files.
 */
import { scanKeyNumbers } from './keyvalue.js';

/** A memory limit that is not set: v2 writes "max", v1 a number near 2^63. */
export const UNLIMITED = -1;

/** One line of /proc/PID/cgroup: "hierarchy-ID:controller-list:path". */
export interface ProcCgroup {
  /** 0 for the v2 (unified) hierarchy. */
  id: number;
  /** v1 controllers of the hierarchy ("memory", "cpu", "name=systemd"); empty for v2. */
  controllers: string[];
  /** Path relative to the hierarchy's root, "/" for the root. */
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroup[] {
  const out: ProcCgroup[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const id = Number(line.slice(0, a));
    if (!Number.isInteger(id)) continue;
    const list = line.slice(a + 1, b);
    // The path may itself hold ':' (a systemd unit name), so it is all after the second one.
    out.push({ id, controllers: list ? list.split(',') : [], path: line.slice(b + 1) || '/' });
  }
  return out;
}

/** The cgroup path of a process in the hierarchy of `version` (v1: the one holding the memory controller). */
export function memoryCgroupPath(entries: readonly ProcCgroup[], version: 1 | 2): string | undefined {
  const e = version === 1 ? entries.find((x) => x.controllers.includes('memory')) : entries.find((x) => x.id === 0 && x.controllers.length === 0);
  return e?.path;
}

/** A mounted cgroup hierarchy, from /proc/self/mountinfo. */
export interface CgroupMount {
  version: 1 | 2;
  /** Where it is mounted (absolute path, octal escapes undone). */
  mountPoint: string;
  /** The cgroup the mount shows as its top ("/" unless mounted from inside a container's namespace). */
  root: string;
  /** v1: the controllers of the hierarchy (from the super options); v2: empty (read cgroup.controllers). */
  controllers: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

const V1_OPTIONS = new Set(['rw', 'ro', 'nosuid', 'nodev', 'noexec', 'relatime', 'noatime', 'clone_children', 'xattr', 'noprefix', 'cpuset_v2_mode', 'favordynmods']);

/**
 * The cgroup mounts of a mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS
 * [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS". A hierarchy mounted twice is
 * listed once, at its first mount point.
 */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const head = line.slice(0, sep).split(' ');
    const tail = line.slice(sep + 3).split(' ');
    const fstype = tail[0];
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || head.length < 5) continue;
    const root = unescapeMount(head[3]!);
    const mountPoint = unescapeMount(head[4]!);
    if (fstype === 'cgroup2') {
      if (!out.some((m) => m.version === 2)) out.push({ version: 2, mountPoint, root, controllers: [] });
      continue;
    }
    const controllers = (tail[2] ?? '').split(',').filter((o) => o.startsWith('name=') || (o !== '' && !V1_OPTIONS.has(o) && !o.includes('=')));
    const key = controllers.slice().sort().join(',');
    if (!out.some((m) => m.version === 1 && m.controllers.slice().sort().join(',') === key)) {
      out.push({ version: 1, mountPoint, root, controllers });
    }
  }
  return out;
}

/**
 * The hierarchy that holds the memory controller: a v1 hierarchy with
 * "memory" (hybrid hosts keep it there, with a v2 tree beside it), else the
 * v2 tree when its root's cgroup.controllers (`v2Controllers`) lists memory.
 */
export function memoryHierarchy(mounts: readonly CgroupMount[], v2Controllers: string | undefined): CgroupMount | undefined {
  const v1 = mounts.find((m) => m.version === 1 && m.controllers.includes('memory'));
  if (v1) return v1;
  const v2 = mounts.find((m) => m.version === 2);
  if (v2 && v2Controllers !== undefined && v2Controllers.trim().split(/\s+/).includes('memory')) return v2;
  return undefined;
}

/** v1 reports "no limit" as PAGE_COUNTER_MAX pages (0x7ffffffffffff000 with 4 KiB pages): anything this big is unlimited. */
const V1_NO_LIMIT = 2 ** 62;

/** A byte count (memory.current, memory.usage_in_bytes); undefined when not a number. */
export function parseBytes(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** A limit (memory.max, memory.high, memory.limit_in_bytes): bytes, UNLIMITED, or undefined when unreadable. */
export function parseLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === 'max') return UNLIMITED;
  const v = parseBytes(t);
  return v === undefined ? undefined : v >= V1_NO_LIMIT ? UNLIMITED : v;
}

/** The parts of memory.stat memtop shows, in bytes. */
export interface CgroupMemStat {
  anon?: number;
  file?: number;
}

/**
 * memory.stat. v2: "anon" and "file" (file includes shmem), already counted
 * over the whole subtree. v1: "total_rss" (anonymous and swap cache) and
 * "total_cache" (page cache including shmem), the hierarchical totals that
 * match memory.usage_in_bytes; "rss"/"cache" (this group alone) only when
 * the totals are missing.
 */
export function parseMemoryStat(text: string, version: 1 | 2): CgroupMemStat {
  const kv: Record<string, number> = {};
  scanKeyNumbers(text, ' ', (key, value) => {
    kv[key] = value;
  });
  if (version === 2) return { anon: kv.anon, file: kv.file };
  return { anon: kv.total_rss ?? kv.rss, file: kv.total_cache ?? kv.cache };
}

/**
 * OOM kills so far: v2 memory.events "oom_kill N" (this group and below),
 * v1 memory.oom_control "oom_kill N" (kernel 4.13+). Undefined when the
 * file does not count them.
 */
export function parseOomKills(text: string): number | undefined {
  let out: number | undefined;
  scanKeyNumbers(text, ' ', (key, value) => {
    if (key === 'oom_kill') out = value;
  });
  return out;
}

/** The pids of cgroup.procs (one a line); an empty group gives none. */
export function parseCgroupProcs(text: string): number[] {
  const out: number[] = [];
  let n = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n = (n < 0 ? 0 : n * 10) + (c - 48);
    else if (n >= 0) {
      out.push(n);
      n = -1;
    }
  }
  if (n >= 0) out.push(n);
  return out;
}

/** A flat "key N" file as a record: v2 memory.events, v1 memory.oom_control. */
export function parseEvents(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  scanKeyNumbers(text, ' ', (key, value) => {
    out[key] = value;
  });
  return out;
}

/**
 * Is this a group memtop made to contain a process (memtop --contain)? v1
 * ".../memtop-PID", v2 ".../GROUP.memtop-PID", systemd ".../memtop-PID.scope".
 */
export const isContainGroup = (path: string) => /(^|[/.])memtop-\d+(\.scope)?$/.test(path);
