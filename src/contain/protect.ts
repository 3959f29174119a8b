/**
 * The processes containment never moves, checked before any plan is made
 * (for --contain and the screen's K alike):
 * - pid 1, init: every process descends from it, and limiting it limits
 *   the system (or, in a container, the container's init);
 * - kernel threads: they have no user memory, and the kernel refuses to
 *   move most of them anyway;
 * - memtop itself and the chain of processes it runs under (its shell, the
 *   terminal's, sudo, ...): a limit there would cap memtop, or the shell a
 *   user is typing the release into;
 * - unless --force, the main process of a unit that systemd or a container
 *   runtime manages: the one the manager started, whose cgroup is how the
 *   manager tracks the unit. On cgroup v2 memtop's group goes beside the
 *   unit's (or is a scope in the slice), out of it: systemd may take the
 *   service for ended and the runtime loses the container's accounting.
 *   Its children (the workers a leak is usually in) can be contained. On
 *   v1 the new group is below the process's own, inside the unit: allowed.
 */
import { memoryCgroupPath, parseProcCgroup } from '../procfs/cgroup.js';
import { parsePidStat } from '../procfs/pid.js';
import { readOptional } from '../reader/readfile.js';
import { Refusal } from './plan.js';

/** PF_KTHREAD of the flags in field 9 of /proc/PID/stat (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;

/** The flags field (9) of a /proc/PID/stat line; undefined when the line has none. */
export function statFlags(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  const f = close < 0 ? undefined : stat.slice(close + 2).split(' ')[6];
  const v = f === undefined ? NaN : Number(f);
  return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** Whether a /proc/PID/stat line is of a kernel thread (its flags, else its parent kthreadd). */
export function isKernelThread(stat: string): boolean {
  const flags = statFlags(stat);
  if (flags !== undefined) return (flags & PF_KTHREAD) !== 0;
  return parsePidStat(stat)?.ppid === 2;
}

/** Container runtimes' cgroup names: Docker, Podman, CRI-O, containerd, Kubernetes, LXC, systemd-nspawn machines. */
const CONTAINER = /^(docker|libpod|crio|cri-containerd|containerd|lxc|conmon)[-.:]|^kubepods|^lxc\.payload|^machine-.*\.scope$|^[0-9a-f]{64}$/;

/** The unit a cgroup path names: its last systemd service or container component, or undefined. */
export function managedUnitOf(path: string): { unit: string; by: 'systemd' | 'a container runtime' } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (CONTAINER.test(p) || (parts[i - 1] === 'docker' && /^[0-9a-f]{12,}$/.test(p))) return { unit: parts.slice(0, i + 1).join('/'), by: 'a container runtime' };
    if (p.endsWith('.service')) return { unit: parts.slice(0, i + 1).join('/'), by: 'systemd' };
  }
  return undefined;
}

/**
 * The unit whose main process this is, when containing it would take it out
 * of the unit's group: on cgroup v2 memtop's group goes beside the
 * process's own (or is a systemd scope in the slice), so that is when its
 * own group is the unit's; and it is the main process when its parent is
 * not in that unit (the manager, or the runtime's shim, started it from
 * outside). On v1 the new group is below the process's own, inside the
 * unit, and the manager's own hierarchy is not touched: nothing breaks.
 * Pure: the group's path and the parent's path in the same hierarchy.
 */
export function mainOfUnit(version: 1 | 2, path: string, parentPath: string | undefined): { unit: string; by: string } | undefined {
  if (version !== 2) return undefined;
  const u = managedUnitOf(path);
  if (!u || `/${u.unit}` !== path) return undefined;
  if (parentPath !== undefined && (parentPath === path || parentPath.startsWith(`${path}/`))) return undefined;
  return { unit: path, by: u.by };
}

/** memtop's own pid and the pids it runs under, up to pid 1, in `proc`. */
export function ownChain(proc: string, self = process.pid): Set<number> {
  const chain = new Set<number>([self]);
  let pid: number | undefined = self;
  while (pid !== undefined && pid > 1 && chain.size < 4096) {
    const stat = readOptional(`${proc}/${pid}/stat`);
    pid = stat === undefined ? undefined : parsePidStat(stat)?.ppid;
    if (pid !== undefined && pid > 0) chain.add(pid);
  }
  return chain;
}

/** Why `pid` is never contained (pid 1, a kernel thread, memtop's own chain), or undefined. */
export function neverMoved(proc: string, pid: number, stat: string): Refusal | undefined {
  const comm = parsePidStat(stat)?.comm ?? '?';
  if (pid === 1) return new Refusal(`pid 1 (${comm}) is init: every process descends from it, and memtop never limits it`);
  if (isKernelThread(stat)) return new Refusal(`pid ${pid} (${comm}) is a kernel thread: it has no user memory to limit`);
  if (pid === process.pid) return new Refusal(`pid ${pid} is memtop itself: memtop never limits its own process`);
  if (ownChain(proc).has(pid)) return new Refusal(`pid ${pid} (${comm}) is one of the processes memtop runs under (its shell or a parent of it): memtop never limits those`);
  return undefined;
}

/** Why `pid`, in `group`, is not contained without --force (a unit's main process), or undefined. */
export function unitMain(proc: string, pid: number, stat: string, group: { version: 1 | 2; path: string }): Refusal | undefined {
  const p = parsePidStat(stat);
  const parentText = p?.ppid === undefined || p.ppid === 0 ? undefined : readOptional(`${proc}/${p.ppid}/cgroup`);
  const parentPath = parentText === undefined ? undefined : memoryCgroupPath(parseProcCgroup(parentText), group.version);
  const main = mainOfUnit(group.version, group.path, parentPath);
  if (!main) return undefined;
  return new Refusal(`pid ${pid} (${p?.comm ?? '?'}) is the main process of ${main.unit}, which ${main.by} manages: moving it out of that group can break the unit (contain a child of it, or give --force)`);
}
