/**
 * Reads the memory cgroup tree: finds the hierarchy holding the memory
 * controller (v1 on hybrid hosts, else v2) from the proc root's
 * self/mountinfo, walks it and reads each group's memory files. Keeps the
 * files open between samples on a real cgroup filesystem, as the sampler
 * does for /proc/PID/stat: the kernel makes the text anew on each pread at 0.
 */
import { readdirSync, statfsSync } from 'node:fs';
import {
  memoryCgroupPath, memoryHierarchy, parseBytes, parseCgroupMounts, parseCgroupProcs, parseLimit, parseMemoryStat,
  parseOomKills, parseProcCgroup, type CgroupMount,
} from '../procfs/cgroup.js';
import { parsePressure } from '../procfs/pressure.js';
import { groupOwner } from '../procfs/cgroupname.js';
import type { CgroupCounters, CgroupSample } from '../sample.js';
import { ContainerNames } from './containernames.js';
import { GONE, OpenFiles, readOptional, readText, UNCHANGED, type Memo } from './readfile.js';

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

/**
 * A group whose usage did not change has its other files (limits, stat,
 * events, pressure) read again at least this often, in samples; a group
 * starts at an age of its own so that these re-reads spread over samples.
 */
export const CGROUP_MAX_AGE = 10;
/** The tree is listed again (readdir of every group) at least this often, in samples. */
export const CGROUP_RELIST_EVERY = 60;

export interface CgroupReadOptions {
  /** Deepest level whose groups are read in full (the top is level 1); below it only cgroup.procs, folded upward. */
  maxDepth?: number;
}

export interface CgroupReaderOptions {
  proc: string;
  sys: string;
  /** Most fds kept open; 0 opens and closes every time. Default: 4096 on a cgroup filesystem. */
  keepOpen?: number;
  /** Where the container runtimes' state files are (containernames.ts); default `/`. */
  stateRoot?: string;
}

/** A directory of the hierarchy as last listed. */
interface Node {
  rel: string;
  /** Has the memory controller's files (a row); else its processes go to `into`. */
  shown: boolean;
  /** Index in the node list of the row its processes count in (itself when shown). */
  into: number;
  age: number;
  usage: Memo;
  procs: Memo;
  pids: number[];
  /** The container's or pod's name (ContainerNames), looked up when the group is first listed. */
  name?: string;
  /** The figures of the last full read. */
  last?: Omit<CgroupCounters, 'path' | 'pids' | 'memory'>;
  memory?: number;
}

class Vanished extends Error {}

/**
 * Reads the memory cgroup tree each sample. A group without the memory
 * controller's files (the controller not enabled below some point on v2, a
 * threaded subtree) is not a row of its own: its processes count in the
 * nearest group above that has them, as the kernel charges their memory
 * there. A group that vanishes while being read is left out.
 *
 * Cost, the levers (measured with 512 groups on v1: 64 ms a read when every
 * group was listed and every file read): the tree is listed again only when
 * the kernel's count of memory cgroups changes, a group vanishes, or every
 * CGROUP_RELIST_EVERY samples; each sample reads a group's usage, and
 * its other files and cgroup.procs only when the usage changed (or every
 * CGROUP_MAX_AGE samples); unchanged text is not parsed again.
 */
export class CgroupReader {
  private hierarchy: MemoryHierarchy | undefined | null = null;
  private files: OpenFiles<string> | undefined;
  private nodes: Node[] = [];
  private samples = 0;
  private listedAt = -Infinity;
  private listedCount: string | undefined;
  private listedDepth = Infinity;
  private readonly names: ContainerNames;

  constructor(private readonly opts: CgroupReaderOptions) {
    this.names = new ContainerNames(opts.stateRoot ?? '/');
  }

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
    const version = h.mount.version;
    const now = ++this.samples;
    const count = this.groupCount(version);
    const relist =
      this.nodes.length === 0 || count !== this.listedCount || maxDepth !== this.listedDepth || now - this.listedAt >= CGROUP_RELIST_EVERY;
    let groups: CgroupCounters[] | undefined;
    if (!relist) {
      try {
        groups = this.readKnown(version);
      } catch (err) {
        if (!(err instanceof Vanished)) throw err;
      }
    }
    if (!groups) {
      this.list(version, maxDepth);
      this.listedAt = now;
      this.listedCount = count;
      this.listedDepth = maxDepth;
      try {
        groups = this.readKnown(version);
      } catch (err) {
        if (!(err instanceof Vanished)) throw err;
        // Removed between listing and reading: the next sample lists again.
        this.listedAt = -Infinity;
        groups = this.nodes.length > 0 ? this.readKnown(version, true) : [];
      }
    }
    if (groups.length === 0) return undefined; // the mount point itself is unreadable
    return { version, mountPoint: h.mount.mountPoint, groups };
  }

  close(): void {
    this.files?.closeAll();
  }

  /** A number that changes when groups are made or removed: v1 /proc/cgroups, v2 the top's cgroup.stat. */
  private groupCount(version: 1 | 2): string | undefined {
    if (version === 1) {
      const text = readOptional(`${this.opts.proc}/cgroups`);
      return text === undefined ? undefined : /^memory\s+\d+\s+(\d+)/m.exec(text)?.[1];
    }
    const r = this.files!.read('/cgroup.stat');
    return typeof r === 'string' ? r : undefined;
  }

  private children(rel: string): string[] | undefined {
    try {
      return readdirSync(this.hierarchy!.dir + rel, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    } catch {
      return undefined; // vanished
    }
  }

  /** Lists the tree: which directories are groups, which fold into the group above. */
  private list(version: 1 | 2, maxDepth: number): void {
    const old = new Map(this.nodes.map((n) => [n.rel, n]));
    const nodes: Node[] = [];
    const usage = FILES[version].usage;
    const add = (rel: string, shown: boolean, into: number) => {
      const prev = old.get(rel);
      const n: Node = prev && prev.shown === shown ? prev : { rel, shown, into, age: nodes.length % CGROUP_MAX_AGE, usage: { length: 0 }, procs: { length: 0 }, pids: [] };
      n.into = shown ? nodes.length : into;
      nodes.push(n);
      return n;
    };
    const walk = (rel: string, depth: number, into: number) => {
      const kids = this.children(rel);
      if (!kids) return;
      for (const name of kids) {
        const child = `${rel}/${name}`;
        // A group is a row when it has the usage file and is within the depth read.
        const shown = depth + 1 <= maxDepth && this.files!.read(`${child}/${usage}`) !== GONE;
        const n = add(child, shown, into);
        // A container's or pod's group gets its name once, when first listed (a miss again at a later listing).
        if (n.name === undefined || /:[0-9a-f]{12}$|^pod:[0-9a-f-]{36}$/.test(n.name)) {
          const owner = groupOwner(name, rel.slice(rel.lastIndexOf('/') + 1));
          if (owner) n.name = this.names.label(owner);
        }
        walk(child, depth + 1, n.into);
      }
    };
    add('', true, 0);
    walk('', 1, 0);
    this.nodes = nodes;
    const rels = new Set(nodes.map((n) => n.rel));
    this.files!.retain((key) => key === '/cgroup.stat' || rels.has(key.slice(0, key.lastIndexOf('/'))));
  }

  /**
   * Reads every known node; throws Vanished when a group is gone
   * (`lenient`: leaves it out instead).
   */
  private readKnown(version: 1 | 2, lenient = false): CgroupCounters[] {
    const out: CgroupCounters[] = [];
    const rowOf: (CgroupCounters | undefined)[] = [];
    const freshOf: boolean[] = [];
    const skip = () => {
      if (!lenient) throw new Vanished();
      rowOf.push(undefined);
      freshOf.push(false);
    };
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      const isTop = i === 0;
      let row: CgroupCounters | undefined;
      let fresh: boolean;
      if (n.shown) {
        row = this.readGroup(version, n, isTop);
        if (!row) {
          skip();
          continue;
        }
        fresh = n.age === 0;
      } else {
        fresh = freshOf[n.into] ?? true;
      }
      // Processes are read with the group's other files: a process arriving or leaving
      // changes the usage too (fork and exit charge and uncharge), except one moved in
      // by hand, seen within CGROUP_MAX_AGE samples.
      if (fresh || isTop) {
        // cgroup.procs after the memory files: when it is gone, the group was removed while being read.
        const procs = this.files!.read(`${n.rel}/cgroup.procs`, n.procs);
        if (procs === GONE && !isTop) {
          skip();
          continue;
        }
        if (typeof procs === 'string') n.pids = parseCgroupProcs(procs);
        else if (procs !== UNCHANGED) n.pids = [];
      }
      if (row) out.push(row);
      rowOf.push(row);
      freshOf.push(fresh);
      const target = n.shown ? row : rowOf[n.into];
      if (target) for (const pid of n.pids) target.pids.push(pid);
    }
    return out;
  }

  private text(rel: string, file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    const r = this.files!.read(`${rel}/${file}`);
    return typeof r === 'string' ? r : undefined;
  }

  /**
   * One group's counters; undefined when it vanished. The top is kept even
   * without a usage file: v2's root has no memory.current.
   */
  private readGroup(version: 1 | 2, n: Node, isTop: boolean): CgroupCounters | undefined {
    const f = FILES[version];
    const rel = n.rel;
    const usage = this.files!.read(`${rel}/${f.usage}`, n.usage);
    if (usage === GONE && !isTop) return undefined;
    if (usage !== UNCHANGED) n.memory = typeof usage === 'string' ? parseBytes(usage) : undefined;
    const memory = n.memory;
    if (usage === UNCHANGED && n.last && n.age < CGROUP_MAX_AGE) {
      n.age++;
      return { path: rel || '/', pids: [], memory, ...n.last, ...(n.name && { name: n.name }) };
    }
    n.age = 0;
    const limitText = this.text(rel, f.limit);
    const highText = this.text(rel, f.high);
    const swapText = this.text(rel, f.swap);
    const statText = this.text(rel, f.stat);
    const oomText = this.text(rel, f.oom);
    const psiText = this.text(rel, f.pressure);
    const stat = statText === undefined ? {} : parseMemoryStat(statText, version);
    let swap = swapText === undefined ? undefined : parseBytes(swapText);
    // v1 counts memory plus swap in memsw: the swap is the difference.
    if (version === 1 && swap !== undefined) swap = memory === undefined ? undefined : Math.max(0, swap - memory);
    n.last = {
      max: limitText === undefined ? undefined : parseLimit(limitText),
      high: highText === undefined ? undefined : parseLimit(highText),
      swap,
      anon: stat.anon,
      file: stat.file,
      oomKills: oomText === undefined ? undefined : parseOomKills(oomText),
      psi: psiText === undefined ? undefined : parsePressure(psiText),
    };
    return { path: rel || '/', pids: [], memory, ...n.last, ...(n.name && { name: n.name }) };
  }
}

/** Reads one file of a group once, for callers outside the sampling loop (process detail). */
export function readCgroupFile(dir: string, file: string): string | undefined {
  const r = readText(`${dir}/${file}`);
  return typeof r === 'string' ? r : undefined;
}
