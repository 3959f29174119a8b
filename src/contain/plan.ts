/**
 * Containment planned before anything is touched: where the new memory
 * cgroup goes, which files get which values, and the words that explain it.
 * Pure: facts in (src/contain/facts.ts reads them), a plan or a refusal out;
 * src/contain/apply.ts carries the plan out.
 *
 * Where the group goes keeps every limit the process was under:
 * - v1: below the process's own group (v1 lets a group hold processes and
 *   children at once, and a child is inside its parent's limit);
 * - v2: beside it under the same parent (a group holding processes cannot
 *   give the memory controller to children, "no internal processes"), which
 *   escapes the old group's own limit: so only when that group has none;
 * - v2 managed by systemd: a transient scope in the same slice, asked of
 *   systemd over D-Bus so that it stays the one writer of its tree.
 */
import { memStr } from '../format/units.js';

export type CgroupVersion = 1 | 2;

/** What memtop knows about the process and its memory cgroup before acting. */
export interface ContainFacts {
  pid: number;
  cmd: string;
  /** Field 22 of /proc/PID/stat: with the pid it names the process (the kernel reuses pids). */
  starttime?: number;
  version: CgroupVersion;
  /** Directory of the memory hierarchy's top (its mount point). */
  hierarchyDir: string;
  /** The process's group, relative to the hierarchy's top ("/" for the top). */
  path: string;
  /** v2: the limits of the process's own group (bytes; undefined when unlimited). */
  groupMax?: number;
  groupHigh?: number;
  /** v2: the controllers the parent gives its children (cgroup.subtree_control). */
  parentSubtree?: string[];
  /** Resident plus swapped, bytes. */
  used: number;
  memTotal: number;
  /** v2 only: systemd manages the tree and busctl is there to ask it. */
  systemd?: { busctl: string };
}

export type Step = { op: 'mkdir'; dir: string } | { op: 'write'; file: string; value: string };

export interface CgroupPlan {
  how: 'cgroupfs';
  facts: ContainFacts;
  limit: number;
  /** v2: memory.high, where the kernel starts to throttle and reclaim. */
  high?: number;
  /** The new group, relative to the hierarchy's top, and its directory. */
  group: string;
  groupDir: string;
  steps: Step[];
}

export interface SystemdPlan {
  how: 'systemd';
  facts: ContainFacts;
  limit: number;
  high: number;
  unit: string;
  slice: string;
  /** The unit the process is in now (where --release returns it). */
  origin: string;
  /** Arguments of busctl that start the scope. */
  args: string[];
  /** What is done instead when systemd does not answer. */
  fallback: CgroupPlan;
}

export type Plan = CgroupPlan | SystemdPlan;

export class Refusal {
  constructor(readonly message: string) {}
}

const MiB = 1024 * 1024;
/** The share of MemTotal the proposed limit leaves for growth. */
export const GROWTH_SHARE = 0.1;
/** Below this a limit leaves the process no room to run: saying so is required. */
export const TINY_LIMIT = 16 * MiB;

/**
 * The proposed limit: a tenth of MemTotal, rounded up to a MiB. The group's
 * limit counts only what the process allocates once in it (what it uses now
 * stays charged to its old group), so this lets it reach about its size now
 * plus a tenth of MemTotal in all, which is what a user means by the limit;
 * proposing its size plus a tenth (as before) let a 4.7 GiB process reach
 * ~11.7 GiB behind a limit that read 7.0G.
 */
export function proposeLimit(_used: number, memTotal: number): number {
  return Math.ceil((memTotal * GROWTH_SHARE) / MiB) * MiB;
}

/** The prompt for a limit: what the number means (what it may allocate beyond its size now). */
export function limitQuestion(pid: number, cmd: string, used: number, proposal: number): string {
  const m = (n: number) => memStr(n).trim();
  // Short enough for an 80-column status line with the answer typed after it.
  return `Limit ${pid} (${cmd}): its ${m(used)} now + at most [${m(proposal)}] more: `;
}

/** memory.high under memory.max: throttling and reclaim start at 90 %, the OOM killer only at the max. */
export function highFor(limit: number): number {
  return Math.floor((limit * 0.9) / 4096) * 4096;
}

const v2Name = (path: string, pid: number) => {
  if (path === '/') return `/memtop-${pid}`;
  const cut = path.lastIndexOf('/');
  return `${path.slice(0, cut)}/${path.slice(cut + 1)}.memtop-${pid}`;
};

const parentOf = (path: string) => (path.lastIndexOf('/') <= 0 ? '/' : path.slice(0, path.lastIndexOf('/')));
const dirOf = (top: string, path: string) => (path === '/' ? top : top + path);

/** The cgroup filesystem way, v1 or v2; a Refusal when it would take the process out of a limit. */
export function planCgroupfs(f: ContainFacts, limit: number): CgroupPlan | Refusal {
  if (f.version === 1) {
    const group = `${f.path === '/' ? '' : f.path}/memtop-${f.pid}`;
    const groupDir = dirOf(f.hierarchyDir, group);
    return {
      how: 'cgroupfs', facts: f, limit, group, groupDir,
      steps: [
        { op: 'mkdir', dir: groupDir },
        { op: 'write', file: `${groupDir}/memory.limit_in_bytes`, value: String(limit) },
        { op: 'write', file: `${groupDir}/cgroup.procs`, value: String(f.pid) },
      ],
    };
  }
  if (f.path !== '/') {
    const own = f.groupMax !== undefined ? `memory.max ${memStr(f.groupMax).trim()}` : f.groupHigh !== undefined ? `memory.high ${memStr(f.groupHigh).trim()}` : undefined;
    if (own) {
      return new Refusal(`its group ${f.path} has ${own} of its own; a group beside it would take pid ${f.pid} out of that limit, and a group below it cannot have the memory controller while ${f.path} holds processes (cgroup v2's no-internal-processes rule): lower the limit of ${f.path} instead`);
    }
    if (f.parentSubtree && !f.parentSubtree.includes('memory')) {
      return new Refusal(`${parentOf(f.path)} does not give the memory controller to its children (cgroup.subtree_control lacks memory), so a group beside ${f.path} could not have a limit`);
    }
  }
  const group = v2Name(f.path, f.pid);
  const groupDir = dirOf(f.hierarchyDir, group);
  const high = highFor(limit);
  return {
    how: 'cgroupfs', facts: f, limit, high, group, groupDir,
    steps: [
      { op: 'mkdir', dir: groupDir },
      { op: 'write', file: `${groupDir}/memory.high`, value: String(high) },
      { op: 'write', file: `${groupDir}/memory.max`, value: String(limit) },
      { op: 'write', file: `${groupDir}/cgroup.procs`, value: String(f.pid) },
    ],
  };
}

/**
 * The whole plan: a systemd scope where systemd manages the tree (the
 * process sits in a unit inside a slice), else the cgroup filesystem.
 */
export function planContainment(f: ContainFacts, limit: number): Plan | Refusal {
  const fallback = planCgroupfs(f, limit);
  if (fallback instanceof Refusal) return fallback;
  const parts = f.path.split('/').filter(Boolean);
  const origin = parts[parts.length - 1];
  const slice = parts[parts.length - 2];
  if (f.version !== 2 || !f.systemd || !origin || !slice?.endsWith('.slice') || !/\.(service|scope)$/.test(origin)) return fallback;
  const unit = `memtop-${f.pid}.scope`;
  const high = highFor(limit);
  const args = [
    'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'StartTransientUnit',
    'ssa(sv)a(sa(sv))', unit, 'fail', '5',
    'PIDs', 'au', '1', String(f.pid),
    'Slice', 's', slice,
    'MemoryHigh', 't', String(high),
    'MemoryMax', 't', String(limit),
    'Description', 's', `memtop containment of pid ${f.pid} (${f.cmd}) from ${origin}`,
    '0',
  ];
  return { how: 'systemd', facts: f, limit, high, unit, slice, origin, args, fallback };
}

/** A shell word: quoted when it holds anything but safe characters. */
const sh = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The commands a root user would run for this plan, one a line. */
export function planCommands(p: Plan): string[] {
  if (p.how === 'systemd') return [`busctl ${p.args.map(sh).join(' ')}`];
  return p.steps.map((s) => (s.op === 'mkdir' ? `mkdir ${sh(s.dir)}` : `echo ${s.value} > ${sh(s.file)}`));
}

/** What the limit means, said before asking and after doing. */
export function explainLimit(p: Plan): string[] {
  const f = p.facts;
  const lines = [
    `pid ${f.pid} (${f.cmd}) uses ${memStr(f.used).trim()} now; that memory stays charged to ${f.path} (moving a process does not move its charges), so the limit of ${memStr(p.limit).trim()} caps what it allocates from now on: about ${memStr(f.used + p.limit).trim()} in all (less as it frees and reuses its old memory, which then counts in the group).`,
  ];
  if (p.how === 'systemd' || f.version === 2) {
    lines.push(`At ${memStr(highFor(p.limit)).trim()} (memory.high) the kernel throttles and reclaims it; at ${memStr(p.limit).trim()} (memory.max) it OOM-kills it inside the group.`);
  } else {
    lines.push(`At ${memStr(p.limit).trim()} (memory.limit_in_bytes) the kernel reclaims inside the group, then OOM-kills it there.`);
  }
  if (p.limit < TINY_LIMIT) {
    lines.push(`WARNING: ${memStr(p.limit).trim()} is too small to run in: expect the kernel to OOM-kill pid ${f.pid} at once, at its next allocations.`);
  } else if (p.limit < f.used) {
    lines.push(`Note: the limit is below its current size: each page it frees and reuses moves into the group, so expect reclaim and an OOM kill inside the group soon.`);
  }
  return lines;
}

/**
 * Whether the process now at a recorded pid is the one memtop contained.
 * The kernel reuses pids: the start time (field 22 of /proc/PID/stat) tells
 * two processes with one pid apart, as memtop matches processes between
 * samples. A record of the previous format has no start time: it is
 * trusted only while its group still holds the pid (inGroup, asked only
 * then), since only the process memtop moved there, or a child it forked
 * there, can be in that group.
 */
export function sameProcess(record: { starttime?: number }, starttime: number | undefined, inGroup: () => boolean): boolean {
  if (record.starttime !== undefined && starttime !== undefined) return record.starttime === starttime;
  return inGroup();
}

/** Where a memtop group sends its processes back on --release: the group they came from. */
export function originOf(version: CgroupVersion, group: string): string | undefined {
  const cut = group.lastIndexOf('/');
  const name = group.slice(cut + 1);
  const parent = group.slice(0, cut) || '/';
  if (version === 1) return /^memtop-\d+$/.test(name) ? parent : undefined;
  if (/^memtop-\d+$/.test(name)) return parent === '/' ? '/' : undefined;
  const m = /^(.+)\.memtop-\d+$/.exec(name);
  return m ? `${parent === '/' ? '' : parent}/${m[1]}` : undefined;
}


/** Parses a size: bytes, or a number with K, M, G or T (powers of 1024; "512M", "1.5G"). */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: MiB, g: 1024 * MiB, t: 1024 * 1024 * MiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const v = Math.floor(Number(m[1]) * mult);
  return v > 0 && Number.isSafeInteger(v) ? v : undefined;
}
