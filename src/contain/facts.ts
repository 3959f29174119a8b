/**
 * Reads what containment needs to know before planning: the process, its
 * memory cgroup and that group's limits, MemTotal, whether systemd can be
 * asked. And the record memtop keeps of each containment, so that the list
 * marks contained processes, --release finds the way back and an OOM kill
 * inside the group is reported after the process is gone.
 */
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parseMeminfo } from '../procfs/meminfo.js';
import { memoryCgroupPath, parseCgroupProcs, parseLimit, parseProcCgroup, UNLIMITED } from '../procfs/cgroup.js';
import { parsePidStat, parseStatusMemory } from '../procfs/pid.js';
import { findMemoryHierarchy, memoryCgroupOf, readCgroupFile, type MemoryHierarchy } from '../reader/cgroups.js';
import { readOptional } from '../reader/readfile.js';
import { neverMoved, unitMain } from './protect.js';
import { untrustedDir } from '../ownership.js';
import { readOwnFile, recordProblem } from './trust.js';
import { Refusal, sameProcess, type ContainFacts, type CgroupVersion } from './plan.js';

/** An executable on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

const limitOf = (dir: string, file: string) => {
  const text = readCgroupFile(dir, file);
  const v = text === undefined ? undefined : parseLimit(text);
  return v === UNLIMITED ? undefined : v;
};

export interface ProcessGroup {
  hierarchy: MemoryHierarchy;
  path: string;
  dir: string;
}

/** The memory cgroup of a process, or a Refusal saying why there is none. */
export function processGroup(proc: string, sys: string, pid: number): ProcessGroup | Refusal {
  const hierarchy = findMemoryHierarchy(proc, sys);
  if (!hierarchy) return new Refusal('this machine has no memory cgroup controller mounted (neither a v1 memory hierarchy nor a v2 tree with memory)');
  const g = memoryCgroupOf(pid, proc, hierarchy);
  if (!g) return new Refusal(`cannot tell the memory cgroup of pid ${pid} from ${proc}/${pid}/cgroup`);
  return { hierarchy, ...g };
}

/**
 * The facts of a process that may be contained, or why it may not (see
 * protect.ts: pid 1, kernel threads, memtop's own chain; a unit's main
 * process unless `force`).
 */
export function readFacts(proc: string, sys: string, pid: number, force = false): ContainFacts | Refusal {
  const stat = readOptional(`${proc}/${pid}/stat`);
  const statusText = readOptional(`${proc}/${pid}/status`);
  const parsed = stat === undefined ? undefined : parsePidStat(stat);
  if (!parsed || statusText === undefined) return new Refusal(`no process ${pid} in ${proc}`);
  const never = neverMoved(proc, pid, stat!);
  if (never) return never;
  const status = parseStatusMemory(statusText);
  if (status.vmSize === undefined) return new Refusal(`pid ${pid} (${parsed.comm}) is a kernel thread: it has no user memory to limit`);
  const g = processGroup(proc, sys, pid);
  if (g instanceof Refusal) return g;
  const version = g.hierarchy.mount.version as CgroupVersion;
  const main = force ? undefined : unitMain(proc, pid, stat!, { version, path: g.path });
  if (main) return main;
  const memTotal = parseMeminfo(readOptional(`${proc}/meminfo`) ?? '').MemTotal ?? 0;
  const facts: ContainFacts = {
    pid,
    cmd: parsed.comm,
    starttime: parsed.starttime,
    version,
    hierarchyDir: g.hierarchy.dir,
    path: g.path,
    used: (status.vmRss ?? 0) + (status.vmSwap ?? 0),
    memTotal,
  };
  if (version === 2) {
    facts.groupMax = limitOf(g.dir, 'memory.max');
    facts.groupHigh = limitOf(g.dir, 'memory.high');
    const parentDir = g.path === '/' ? g.dir : g.dir.slice(0, g.dir.lastIndexOf('/'));
    const subtree = readCgroupFile(parentDir, 'cgroup.subtree_control');
    if (subtree !== undefined && g.path !== '/') facts.parentSubtree = subtree.trim().split(/\s+/).filter(Boolean);
    const busctl = onPath('busctl');
    if (busctl) facts.systemd = { busctl };
  }
  return facts;
}

/** What memtop writes down for each containment it made. */
export interface ContainRecord {
  pid: number;
  cmd: string;
  /**
   * Field 22 of /proc/PID/stat when contained: the record is of this process
   * only, not of a later one the kernel gives the same pid. Absent in records
   * memtop wrote before it kept it (see sameProcess).
   */
  starttime?: number;
  how: 'cgroupfs' | 'systemd';
  version: CgroupVersion;
  /** The group memtop made, relative to the hierarchy's top, and its directory. */
  group: string;
  groupDir: string;
  /** Where the process was: its group (cgroupfs) or its unit (systemd). */
  origin: string;
  unit?: string;
  limit: number;
  time: number;
}

/** Where the records are: $MEMTOP_STATE_DIR or /run/memtop (gone at reboot, as the groups are). */
export function stateDir(): string {
  return join(process.env.MEMTOP_STATE_DIR ?? '/run/memtop', 'contained');
}

/**
 * Why the records' directory cannot be trusted (see trust.ts), or
 * undefined. Where it is not there yet, its nearest existing parent is judged.
 */
export function untrustedStateDir(): string | undefined {
  let dir = stateDir();
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return untrustedDir(dir);
}

/** Writes the record; throws (an Error with the reason) when the directory is not one only root or this user can write. */
export function writeRecord(r: ContainRecord): void {
  const why = untrustedStateDir();
  if (why) throw new Error(`not trusted: ${why}`);
  mkdirSync(stateDir(), { recursive: true, mode: 0o755 });
  const fd = openSync(join(stateDir(), `${r.pid}.json`), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    writeFileSync(fd, JSON.stringify(r) + '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * The record of `pid`: undefined when there is none (or it is not JSON),
 * a Refusal saying why when it is there but cannot be trusted: its directory
 * or file another user could have written, or it names a group memtop
 * would not make (checked against the memory hierarchy at `hierarchyDir`
 * when given).
 */
export function loadRecord(pid: number, hierarchyDir?: string): ContainRecord | Refusal | undefined {
  const file = join(stateDir(), `${pid}.json`);
  if (!existsSync(file)) return undefined;
  const dirWhy = untrustedStateDir();
  if (dirWhy) return new Refusal(`memtop's record ${file} is not trusted: ${dirWhy}`);
  const text = readOwnFile(file);
  if (text instanceof Refusal) return new Refusal(`memtop's record ${file} is not trusted: ${text.message}`);
  let r: ContainRecord;
  try {
    r = JSON.parse(text) as ContainRecord;
  } catch {
    return undefined;
  }
  const why = hierarchyDir === undefined ? (r?.pid === pid ? undefined : `it is not of pid ${pid}`) : recordProblem(r, pid, hierarchyDir);
  return why ? new Refusal(`memtop's record ${file} is not trusted: ${why}`) : r;
}

/** The record of `pid` when there is a trusted one (for marking the list and the detail). */
export function readRecord(pid: number): ContainRecord | undefined {
  const r = loadRecord(pid);
  return r instanceof Refusal ? undefined : r;
}

/** Removes the record, only from a directory memtop trusts. */
export function removeRecord(pid: number): void {
  if (untrustedStateDir()) return;
  rmSync(join(stateDir(), `${pid}.json`), { force: true });
}

/** Every containment recorded; a damaged or untrusted record is skipped. */
export function readRecords(): ContainRecord[] {
  // The live screen asks every refresh, and mostly nothing was ever contained: no directory, and
  // a readdir that throws ENOENT (an Error with its stack) costs more than asking first.
  if (!existsSync(stateDir()) || untrustedStateDir()) return [];
  let names: string[];
  try {
    names = readdirSync(stateDir());
  } catch {
    return [];
  }
  const out: ContainRecord[] = [];
  for (const name of names) {
    const pid = /^(\d+)\.json$/.exec(name)?.[1];
    const r = pid === undefined ? undefined : readRecord(Number(pid));
    if (r) out.push(r);
  }
  return out;
}

/** Whether a record's group holds its pid now: how a record without a start time is trusted. */
export function inGroup(proc: string, r: ContainRecord): boolean {
  if (r.groupDir) return parseCgroupProcs(readCgroupFile(r.groupDir, 'cgroup.procs') ?? '').includes(r.pid);
  // A systemd scope: memtop did not write its directory down; the process's own cgroup file says. Records of
  // that format named the scope by its slice alone (/user-1000.slice/memtop-PID.scope), hence the ending.
  const text = readOptional(`${proc}/${r.pid}/cgroup`);
  const path = text === undefined ? undefined : memoryCgroupPath(parseProcCgroup(text), r.version);
  return path !== undefined && (path === r.group || path.endsWith(r.group));
}

/** Who has a record's pid now: the process memtop contained, another one (the pid was reused), or none. */
export type Holder = { is: 'it' } | { is: 'none' } | { is: 'other'; cmd: string };

export function holderOf(proc: string, r: ContainRecord): Holder {
  const stat = readOptional(`${proc}/${r.pid}/stat`);
  const now = stat === undefined ? undefined : parsePidStat(stat);
  if (!now) return { is: 'none' };
  return sameProcess(r, now.starttime, () => inGroup(proc, r)) ? { is: 'it' } : { is: 'other', cmd: now.comm };
}
