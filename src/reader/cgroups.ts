/**
 * Reads the memory cgroup tree: finds the hierarchy holding the memory
 * controller (v1 on hybrid hosts, else v2) from the proc root's
 * self/mountinfo, walks it and reads each group's memory files. Keeps the
 * files open between samples on a real cgroup filesystem, as the sampler
 * does for /proc/PID/stat: the kernel makes the text anew on each pread at 0.
 */
import { readdirSync, statfsSync, type Dirent } from 'node:fs';
import {
  memoryCgroupPath, memoryHierarchy, parseBytes, parseCgroupMounts, parseCgroupProcs, parseLimit, parseMemoryStat,
  parseOomKills, parseProcCgroup, type CgroupMount,
} from '../procfs/cgroup.js';
import { parsePressure } from '../procfs/pressure.js';
import type { CgroupCounters, CgroupSample } from '../sample.js';
import { GONE, OpenFiles, readOptional, readText, type Failure } from './readfile.js';

/** The hierarchy holding the memory controller, and where its files are under the given sys root. */
export interface MemoryHierarchy {
  mount: CgroupMount;
  /** Directory of the hierarchy's top: the mount point, moved under --sys when that is not /sys. */
  dir: string;
}

/**
 * A mount point under /sys is looked up below `sys`, so that a fake tree's
 * proc/self/mountinfo names its fake sys tree (--proc and --sys together).
 */
function underSys(mountPoint: string, sys: string): string {
  const root = sys.replace(/\/+$/, '');
  if (root === '/sys' || root === '') return mountPoint;
  return mountPoint === '/sys' || mountPoint.startsWith('/sys/') ? root + mountPoint.slice(4) : mountPoint;
}

/** Finds the memory hierarchy of the machine `proc` and `sys` describe; undefined when there is none. */
export function findMemoryHierarchy(proc: string, sys: string): MemoryHierarchy | undefined {
  const mountinfo = readOptional(`${proc}/self/mountinfo`);
  if (mountinfo === undefined) return undefined;
  const mounts = parseCgroupMounts(mountinfo);
  const v2 = mounts.find((m) => m.version === 2);
  const v2Controllers = v2 && readOptional(`${underSys(v2.mountPoint, sys)}/cgroup.controllers`);
  const mount = memoryHierarchy(mounts, v2Controllers);
  return mount && { mount, dir: underSys(mount.mountPoint, sys) };
}

/**
 * A process's memory cgroup: its path in the hierarchy (as the tree view
 * names it, relative to the mount point) and the group's directory.
 * Undefined when the process is gone or sits outside what is mounted.
 */
export function memoryCgroupOf(pid: number, proc: string, h: MemoryHierarchy): { path: string; dir: string } | undefined {
  const text = readOptional(`${proc}/${pid}/cgroup`);
  if (text === undefined) return undefined;
  const full = memoryCgroupPath(parseProcCgroup(text), h.mount.version);
  if (full === undefined) return undefined;
  const root = h.mount.root === '/' ? '' : h.mount.root;
  if (root && full !== root && !full.startsWith(`${root}/`)) return undefined;
  const path = full.slice(root.length) || '/';
  return { path, dir: path === '/' ? h.dir : h.dir + path };
}

/** Files per version: [usage, limit, high, swap, stat, oom kills, pressure]; absent ones are undefined. */
const FILES = {
  1: {
    usage: 'memory.usage_in_bytes', limit: 'memory.limit_in_bytes', high: undefined, swap: 'memory.memsw.usage_in_bytes',
    stat: 'memory.stat', oom: 'memory.oom_control', pressure: undefined,
  },
  2: {
    usage: 'memory.current', limit: 'memory.max', high: 'memory.high', swap: 'memory.swap.current',
    stat: 'memory.stat', oom: 'memory.events', pressure: 'memory.pressure',
  },
} as const;

/** statfs(2) magic numbers of cgroup v1 and v2: fds are kept open only there. */
const CGROUP_MAGICS = new Set([0x27e0eb, 0x63677270]);

export interface CgroupReadOptions {
  /** Deepest level whose groups are read in full (the top is level 1); below it only cgroup.procs, folded upward. */
  maxDepth?: number;
}

export interface CgroupReaderOptions {
  proc: string;
  sys: string;
  /** Most fds kept open; 0 opens and closes every time. Default: 4096 on a cgroup filesystem. */
  keepOpen?: number;
}

/**
 * Reads the memory cgroup tree each sample. A group without the memory
 * controller's files (the controller not enabled below some point on v2, a
 * threaded subtree) is not a row of its own: its processes count in the
 * nearest group above that has them, as the kernel charges their memory
 * there. A group that vanishes while being read is left out.
 */
export class CgroupReader {
  private hierarchy: MemoryHierarchy | undefined | null = null;
  private files: OpenFiles<string> | undefined;
  private readonly seen = new Set<string>();

  constructor(private readonly opts: CgroupReaderOptions) {}

  /** The hierarchy read, looked up at the first read. */
  get memoryHierarchy(): MemoryHierarchy | undefined {
    if (this.hierarchy === null) {
      this.hierarchy = findMemoryHierarchy(this.opts.proc, this.opts.sys);
      if (this.hierarchy) {
        let keep = 0;
        try {
          keep = CGROUP_MAGICS.has(statfsSync(this.hierarchy.dir).type) ? (this.opts.keepOpen ?? 4096) : 0;
        } catch {
          keep = 0;
        }
        const dir = this.hierarchy.dir;
        this.files = new OpenFiles((key) => dir + key, keep);
      }
    }
    return this.hierarchy;
  }

  /** Undefined when the machine has no memory cgroup hierarchy mounted. */
  read(opts: CgroupReadOptions = {}): CgroupSample | undefined {
    const h = this.memoryHierarchy;
    if (!h) return undefined;
    const maxDepth = opts.maxDepth ?? Infinity;
    const groups: CgroupCounters[] = [];
    this.seen.clear();
    const top = this.readGroup(h.mount.version, '', true);
    if (!top) return undefined; // the mount point itself is unreadable
    groups.push(top);
    this.walk(h.mount.version, '', 1, top, maxDepth, groups);
    const seen = this.seen;
    this.files!.retain((key) => seen.has(key.slice(0, key.lastIndexOf('/'))));
    return { version: h.mount.version, mountPoint: h.mount.mountPoint, groups };
  }

  close(): void {
    this.files?.closeAll();
  }

  private children(rel: string): Dirent[] | undefined {
    try {
      return readdirSync(this.hierarchy!.dir + rel, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return undefined; // vanished
    }
  }

  private walk(version: 1 | 2, rel: string, depth: number, shown: CgroupCounters, maxDepth: number, out: CgroupCounters[]): void {
    const kids = this.children(rel);
    if (!kids) return;
    for (const kid of kids) {
      const childRel = `${rel}/${kid.name}`;
      const g = depth + 1 <= maxDepth ? this.readGroup(version, childRel, false) : undefined;
      if (g) {
        out.push(g);
        this.walk(version, childRel, depth + 1, g, maxDepth, out);
        continue;
      }
      // No memory files (or below the depth read): its processes count in the group shown above it.
      const procs = this.readFile(childRel, 'cgroup.procs');
      if (procs === GONE && !this.children(childRel)) continue; // vanished
      if (typeof procs === 'string') for (const pid of parseCgroupProcs(procs)) shown.pids.push(pid);
      this.walk(version, childRel, depth + 1, shown, maxDepth, out);
    }
  }

  private readFile(rel: string, file: string): string | Failure {
    this.seen.add(rel);
    const r = this.files!.read(`${rel}/${file}`);
    return r as string | Failure;
  }

  private text(rel: string, file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    const r = this.readFile(rel, file);
    return typeof r === 'string' ? r : undefined;
  }

  /**
   * One group's counters; undefined when it has no memory files (or
   * vanished). The top is kept even without them: v2's root has no
   * memory.current.
   */
  private readGroup(version: 1 | 2, rel: string, isTop: boolean): CgroupCounters | undefined {
    const f = FILES[version];
    const usage = this.readFile(rel, f.usage);
    if (usage === GONE && !isTop) return undefined;
    const memory = typeof usage === 'string' ? parseBytes(usage) : undefined;
    const limitText = this.text(rel, f.limit);
    const highText = this.text(rel, f.high);
    const swapText = this.text(rel, f.swap);
    const statText = this.text(rel, f.stat);
    const oomText = this.text(rel, f.oom);
    const psiText = this.text(rel, f.pressure);
    // cgroup.procs last: when it is gone the group was removed while being read.
    const procs = this.readFile(rel, 'cgroup.procs');
    if (procs === GONE && !isTop) return undefined;
    const stat = statText === undefined ? {} : parseMemoryStat(statText, version);
    let swap = swapText === undefined ? undefined : parseBytes(swapText);
    // v1 counts memory plus swap in memsw: the swap is the difference.
    if (version === 1 && swap !== undefined) swap = memory === undefined ? undefined : Math.max(0, swap - memory);
    return {
      path: rel || '/',
      pids: typeof procs === 'string' ? parseCgroupProcs(procs) : [],
      memory,
      max: limitText === undefined ? undefined : parseLimit(limitText),
      high: highText === undefined ? undefined : parseLimit(highText),
      swap,
      anon: stat.anon,
      file: stat.file,
      oomKills: oomText === undefined ? undefined : parseOomKills(oomText),
      psi: psiText === undefined ? undefined : parsePressure(psiText),
    };
  }
}

/** Reads one file of a group once, for callers outside the sampling loop (process detail). */
export function readCgroupFile(dir: string, file: string): string | undefined {
  const r = readText(`${dir}/${file}`);
  return typeof r === 'string' ? r : undefined;
}
