/**
 * Carries out a containment plan, or undoes one (--release). Nothing half
 * done: every permission is checked before the first change, and a step
 * that fails undoes the ones before it (the process is moved last, so
 * undoing is removing the new group). Each function returns the lines that
 * say exactly what was done.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { memStr } from '../format/units.js';
import { isContainGroup, parseCgroupProcs, parseOomKills } from '../procfs/cgroup.js';
import { parsePidStat } from '../procfs/pid.js';
import { findMemoryHierarchy, readCgroupFile } from '../reader/cgroups.js';
import { readOptional } from '../reader/readfile.js';
import { holderOf, loadRecord, onPath, processGroup, removeRecord, writeRecord, type ContainRecord, type Holder } from './facts.js';
import { explainLimit, originOf, planCommands, Refusal, type CgroupPlan, type Plan } from './plan.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the cgroup filesystem is mounted read-only',
  ENOENT: 'no such file or directory',
  EEXIST: 'it exists already',
  ESRCH: 'the process is gone',
  EBUSY: 'the group is busy',
  EINVAL: 'the kernel refused the value',
  ENOSPC: 'the kernel refused (no space: too many groups, or the controller is not enabled there)',
};

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && REASONS[e.code]) || e.message;
}

/** A refusal that says what is wrong in one line and then the commands a root user would run. */
function refuseWithCommands(what: string, plan: Plan): Refusal {
  const commands = planCommands(plan).map((c) => `  ${c}`);
  return new Refusal([`${what}; nothing was changed. As root, this would do it:`, ...commands].join('\n'));
}

/** Checks every write the plan needs before doing any. */
function precheck(plan: CgroupPlan): Refusal | undefined {
  const f = plan.facts;
  const parent = plan.groupDir.slice(0, plan.groupDir.lastIndexOf('/'));
  const current = f.path === '/' ? f.hierarchyDir : f.hierarchyDir + f.path;
  for (const path of [parent, `${current}/cgroup.procs`]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      const uid = process.getuid?.();
      const who = uid === 0 ? '' : ` (memtop runs as uid ${uid})`;
      return refuseWithCommands(`cannot contain pid ${f.pid}: ${path}: ${reason(err)}${who}`, plan);
    }
  }
  if (isContainGroup(f.path)) return new Refusal(`pid ${f.pid} is already contained in ${f.path}: memtop --release ${f.pid} first`);
  return undefined;
}

function runSteps(plan: CgroupPlan): string[] | Refusal {
  let made = false;
  const done: string[] = [];
  for (const step of plan.steps) {
    try {
      if (step.op === 'mkdir') {
        mkdirSync(step.dir);
        made = true;
        done.push(`  mkdir ${step.dir}`);
      } else {
        writeFileSync(step.file, step.value);
        done.push(`  ${step.file.slice(plan.groupDir.length + 1)} = ${step.value}${/cgroup\.procs$/.test(step.file) ? '' : ` (${memStr(Number(step.value)).trim()})`}`);
      }
    } catch (err) {
      const what = step.op === 'mkdir' ? `mkdir ${step.dir}` : `writing ${step.value} to ${step.file}`;
      if (made) {
        try {
          rmdirSync(plan.groupDir);
        } catch {
          return new Refusal(`cannot contain pid ${plan.facts.pid}: ${what}: ${reason(err)}; the empty group ${plan.groupDir} could not be removed either`);
        }
      }
      return new Refusal(`cannot contain pid ${plan.facts.pid}: ${what}: ${reason(err)}; nothing was changed`);
    }
  }
  return done;
}

/** The unit a process is in now, from its v2 cgroup path. */
function unitOf(proc: string, pid: number): string | undefined {
  const text = readOptional(`${proc}/${pid}/cgroup`);
  const line = text?.split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(line.lastIndexOf('/') + 1);
}

/** Asks systemd for the scope; the lines said, or why not (then the cgroup filesystem is used). */
function askSystemd(plan: Extract<Plan, { how: 'systemd' }>, proc: string): string[] | string {
  const busctl = plan.facts.systemd!.busctl;
  const r = spawnSync(busctl, plan.args, { encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0) return (r.stderr || r.error?.message || `busctl exit ${r.status}`).trim().split('\n')[0]!;
  // The job moves the pid when systemd runs it: wait for it (up to 3 s).
  const until = Date.now() + 3000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (unitOf(proc, plan.facts.pid) !== plan.unit && Date.now() < until) Atomics.wait(nap, 0, 0, 50);
  if (unitOf(proc, plan.facts.pid) !== plan.unit) return `systemd answered ${r.stdout.trim()} but pid ${plan.facts.pid} is not in ${plan.unit}`;
  return [
    `  busctl call ... StartTransientUnit ${plan.unit} in ${plan.slice}: ${r.stdout.trim()}`,
    `  MemoryHigh=${plan.high} (${memStr(plan.high).trim()}) MemoryMax=${plan.limit} (${memStr(plan.limit).trim()}) PIDs=${plan.facts.pid}`,
  ];
}

export interface ContainResult {
  lines: string[];
  record: ContainRecord;
}

/** Contains the process as planned; a Refusal when nothing could be done. */
export function contain(plan: Plan, proc: string): ContainResult | Refusal {
  const f = plan.facts;
  // The screen asks between reading the facts and acting: the process may have ended and its pid gone to
  // another one meanwhile, which is never moved in its place.
  const now = readOptional(`${proc}/${f.pid}/stat`);
  const start = now === undefined ? undefined : parsePidStat(now)?.starttime;
  if (start === undefined) return new Refusal(`pid ${f.pid} (${f.cmd}) has ended: nothing was changed`);
  if (f.starttime !== undefined && start !== f.starttime) return new Refusal(`pid ${f.pid} is now another process than the ${f.cmd} asked about: nothing was changed`);
  const cg = plan.how === 'systemd' ? plan.fallback : plan;
  let lines: string[] | undefined;
  let record: ContainRecord | undefined;
  let note: string | undefined;
  // A record an earlier process with this pid left: its empty group and record go first, the new one replaces it.
  const stale = reapIn(proc, f.hierarchyDir, f.pid);
  if (plan.how === 'systemd') {
    const asked = askSystemd(plan, proc);
    if (typeof asked === 'string') note = `systemd did not take it (${asked}): the cgroup filesystem instead`;
    else {
      // Beside the unit it was in, in the same slice: the path /proc/PID/cgroup shows from now on.
      const group = `${f.path.slice(0, f.path.lastIndexOf('/'))}/${plan.unit}`;
      lines = [`memtop: contained pid ${f.pid} (${f.cmd}) in the systemd scope ${plan.unit} beside ${plan.origin}:`, ...asked];
      record = { pid: f.pid, cmd: f.cmd, starttime: f.starttime, how: 'systemd', version: 2, group, groupDir: '', origin: plan.origin, unit: plan.unit, limit: plan.limit, time: Date.now() };
    }
  }
  if (!lines) {
    const refused = precheck(cg);
    if (refused) return refused;
    const done = runSteps(cg);
    if (done instanceof Refusal) return done;
    const where = f.version === 1 ? `below its group ${f.path}` : `beside its group ${f.path}`;
    lines = [`memtop: contained pid ${f.pid} (${f.cmd}) in ${cg.groupDir} (cgroup v${f.version}, ${where}):`, ...(note ? [`  ${note}`] : []), ...done];
    record = { pid: f.pid, cmd: f.cmd, starttime: f.starttime, how: 'cgroupfs', version: f.version, group: cg.group, groupDir: cg.groupDir, origin: f.path, limit: plan.limit, time: Date.now() };
  }
  if (stale) lines.unshift(...(stale instanceof Refusal ? [`memtop: ${stale.message}`] : stale));
  lines.push(...explainLimit(plan), `memtop --release ${f.pid} undoes it.`);
  try {
    writeRecord(record!);
  } catch (err) {
    lines.push(`(memtop could not keep a record of this in ${process.env.MEMTOP_STATE_DIR ?? '/run/memtop'}: ${reason(err)}; the list will not mark it)`);
  }
  return { lines, record: record! };
}

/** OOM kills counted in a group (v1 memory.oom_control, v2 memory.events); undefined when not told. */
export function oomKills(groupDir: string, version: 1 | 2): number | undefined {
  const text = readCgroupFile(groupDir, version === 1 ? 'memory.oom_control' : 'memory.events');
  return text === undefined ? undefined : parseOomKills(text);
}

/** What became of a contained process that is gone: an OOM kill inside its group, said plainly, or a plain end. */
export function goneLine(r: ContainRecord): string {
  const kills = r.groupDir ? oomKills(r.groupDir, r.version) : undefined;
  return kills
    ? `pid ${r.pid} (${r.cmd}) was OOM-killed inside its memtop group ${r.group} (limit ${memStr(r.limit).trim()}, ${kills} OOM kill${kills > 1 ? 's' : ''} there)`
    : `pid ${r.pid} (${r.cmd}) has ended; it was contained in ${r.group}`;
}

/**
 * A contained process that has ended: says what became of it (an OOM kill
 * inside its group, plainly), removes its empty group and the record.
 * Undefined, and nothing touched, while the process runs. When the kernel
 * has given its pid to another process, that process is left where it is:
 * one line says so and what memtop removed of its own.
 */
export function reapEnded(proc: string, sys: string, pid: number): string[] | Refusal | undefined {
  return reapIn(proc, findMemoryHierarchy(proc, sys)?.dir, pid);
}

/** reapEnded in the memory hierarchy at `hierarchyDir`: a record that names anything else is refused, nothing touched. */
function reapIn(proc: string, hierarchyDir: string | undefined, pid: number): string[] | Refusal | undefined {
  if (hierarchyDir === undefined) return undefined;
  const record = loadRecord(pid, hierarchyDir);
  if (record instanceof Refusal) return new Refusal(`${record.message}; left as it is`);
  return record && reapIfEnded(proc, record);
}

/** reapEnded for a record already read: undefined while its process runs. */
function reapIfEnded(proc: string, record: ContainRecord): string[] | Refusal | undefined {
  const holder = holderOf(proc, record);
  return holder.is === 'it' ? undefined : reap(record, holder);
}

function reap(record: ContainRecord, holder: Exclude<Holder, { is: 'it' }>): string[] | Refusal {
  const gone = goneLine(record);
  const other = holder.is === 'other' ? `; pid ${record.pid} is now another process (${holder.cmd}), left where it is` : '';
  let removed = false;
  if (record.groupDir) {
    try {
      rmdirSync(record.groupDir);
      removed = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return new Refusal(`${gone}${other}; its group ${record.groupDir} could not be removed: ${reason(err)}`);
    }
  }
  removeRecord(record.pid);
  if (other) return [`memtop: ${gone}${other}; removed ${removed ? `its empty group ${record.groupDir} and ` : ''}memtop's record of it`];
  return [`memtop: ${gone}`, ...(removed ? [`  rmdir ${record.groupDir}`] : [])];
}

/** Undoes --contain: moves the processes of memtop's group back where the pid came from and removes the group. */
export function release(proc: string, sys: string, pid: number): string[] | Refusal {
  const hierarchy = findMemoryHierarchy(proc, sys);
  const record = loadRecord(pid, hierarchy?.dir ?? '');
  if (record instanceof Refusal) return new Refusal(`cannot release pid ${pid}: ${record.message}; nothing was changed`);
  if (record) {
    // The record is of the process memtop contained: a later one with its pid is never moved.
    const ended = reapIfEnded(proc, record);
    if (ended) return ended;
  } else if (readOptional(`${proc}/${pid}/stat`) === undefined) {
    return new Refusal(`no process ${pid}, and memtop has no record of containing it`);
  }
  const g = processGroup(proc, sys, pid);
  if (g instanceof Refusal) return g;
  const version = g.hierarchy.mount.version as 1 | 2;
  if (!isContainGroup(g.path)) {
    removeRecord(pid);
    return new Refusal(`pid ${pid} is not in a group memtop made (it is in ${g.path}): nothing to release`);
  }
  if (record?.how === 'systemd') {
    const busctl = onPath('busctl');
    if (!busctl) return new Refusal(`pid ${pid} is in the systemd scope ${record.unit}, and busctl is not there to move it back to ${record.origin}`);
    const args = ['call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', 'AttachProcessesToUnit', 'ssau', record.origin, '', '1', String(pid)];
    const r = spawnSync(busctl, args, { encoding: 'utf8', timeout: 15000 });
    if (r.status !== 0) return new Refusal(`systemd did not move pid ${pid} back to ${record.origin}: ${(r.stderr || `busctl exit ${r.status}`).trim().split('\n')[0]}; as root: busctl ${args.join(' ')}`);
    removeRecord(pid);
    return [`memtop: released pid ${pid}: systemd moved it back to ${record.origin} (AttachProcessesToUnit); the empty scope ${record.unit} goes with it`];
  }
  const origin = record?.origin ?? originOf(version, g.path);
  if (!origin) return new Refusal(`cannot tell where pid ${pid} came from (${g.path} is not named as memtop names its groups)`);
  const originDir = origin === '/' ? g.hierarchy.dir : g.hierarchy.dir + origin;
  const commands = [`echo PID > ${originDir}/cgroup.procs  (for each pid in ${g.dir}/cgroup.procs)`, `rmdir ${g.dir}`];
  for (const path of [`${originDir}/cgroup.procs`, `${g.dir}/cgroup.procs`]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      const uid = process.getuid?.();
      const who = uid === 0 ? '' : ` (memtop runs as uid ${uid})`;
      return new Refusal([`cannot release pid ${pid}: ${path}: ${reason(err)}${who}; nothing was changed. As root:`, ...commands.map((c) => `  ${c}`)].join('\n'));
    }
  }
  const pids = parseCgroupProcs(readCgroupFile(g.dir, 'cgroup.procs') ?? '');
  const lines = [`memtop: released pid ${pid}: back to ${origin}`];
  for (const p of pids) {
    try {
      writeFileSync(`${originDir}/cgroup.procs`, String(p));
      lines.push(`  ${originDir}/cgroup.procs = ${p}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') return new Refusal(`moving pid ${p} back to ${origin} failed: ${reason(err)} (moved so far: ${lines.length - 1}); the group ${g.dir} stays`);
    }
  }
  try {
    rmdirSync(g.dir);
    lines.push(`  rmdir ${g.dir}`);
  } catch (err) {
    lines.push(`  the group ${g.dir} could not be removed: ${reason(err)}`);
  }
  removeRecord(pid);
  return lines;
}
