/**
 * Whether memtop may believe a containment record. As root, --release and
 * the reaping of ended containments remove directories and move processes
 * by what a record says: a record another user could have written (in a
 * directory they can write, as a MEMTOP_STATE_DIR of theirs) would have
 * root remove any empty directory or move processes anywhere. So a record
 * counts only when every directory on its path belongs to root or to the
 * running user and no one else can write it (a sticky directory such as
 * /tmp is passed when the next one is ours), the file likewise; and what it
 * names must be what memtop makes: a group called memtop-PID (or
 * NAME.memtop-PID) of the record's own pid, in the memory hierarchy memtop
 * reads, by a canonical path (no `..`, no symbolic link), coming from the
 * group its name says.
 */
import { realpathSync } from 'node:fs';
import { defaultOwners, readBounded, unsafeStat } from '../ownership.js';
import { Refusal, originOf } from './plan.js';

/** Most bytes of a record (a few hundred in practice). */
const RECORD_MAX = 64 * 1024;

/**
 * The text of a record only root or this user could have written (regular,
 * not a link, not writable by group or others, bounded), or why not.
 */
export function readOwnFile(path: string, max = RECORD_MAX): string | Refusal {
  const r = readBounded(path, max, true);
  if ('why' in r) return new Refusal(`${path}: ${r.why}`);
  const why = unsafeStat(path, r.stat, defaultOwners());
  return why ? new Refusal(why) : r.text;
}

/** A path as memtop writes a group's: absolute, no empty, `.` or `..` component, nothing odd. */
const canonicalGroup = (p: string) => p === '/' || (/^(\/[^/\0]+)+$/.test(p) && !p.split('/').some((c) => c === '.' || c === '..'));

/**
 * Whether `path` below `top` holds no symbolic link (the top itself may be
 * one, as /sys/fs/cgroup/memory is on some systems); a directory not there passes.
 */
function noLinks(top: string, path: string): boolean {
  try {
    return realpathSync(top + path) === (path === '/' ? realpathSync(top) : realpathSync(top) + path);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** The fields a record must have, as memtop writes them. */
export interface RecordShape {
  pid: number;
  how: string;
  version: number;
  group: string;
  groupDir: string;
  origin: string;
  unit?: string;
  limit: number;
}

/**
 * Why a record (of `pid`, in the memory hierarchy at `hierarchyDir`) names
 * something memtop did not make, or undefined when it is memtop's.
 */
export function recordProblem(r: RecordShape, pid: number, hierarchyDir: string): string | undefined {
  if (typeof r !== 'object' || r === null || r.pid !== pid) return `it is not of pid ${pid}`;
  if (r.version !== 1 && r.version !== 2) return 'its cgroup version is neither 1 nor 2';
  if (typeof r.group !== 'string' || typeof r.origin !== 'string' || typeof r.groupDir !== 'string') return 'it lacks its group or origin';
  if (r.how === 'systemd') {
    if (r.unit !== `memtop-${pid}.scope`) return `its unit ${JSON.stringify(r.unit)} is not memtop-${pid}.scope`;
    if (!/^[\w@:.\\-]+\.(service|scope)$/.test(r.origin)) return `its origin ${JSON.stringify(r.origin)} is not a unit name`;
    if (r.groupDir !== '') return 'a systemd record names a directory';
    return undefined;
  }
  if (r.how !== 'cgroupfs') return `it says it was made by ${JSON.stringify(r.how)}`;
  if (!canonicalGroup(r.group) || !canonicalGroup(r.origin)) return `its group ${JSON.stringify(r.group)} or origin ${JSON.stringify(r.origin)} is not a canonical cgroup path (no '..', no '.', no '//')`;
  const name = r.group.slice(r.group.lastIndexOf('/') + 1);
  if (name !== `memtop-${pid}` && !name.endsWith(`.memtop-${pid}`)) return `its group ${r.group} is not named as memtop names a group of pid ${pid}`;
  if (originOf(r.version, r.group) !== r.origin) return `its origin ${r.origin} is not where its group ${r.group} came from`;
  const top = hierarchyDir.replace(/\/+$/, '');
  if (r.groupDir !== top + r.group) return `its directory ${r.groupDir} is not ${r.group} in the memory hierarchy ${top}`;
  if (!noLinks(top, r.group) || !noLinks(top, r.origin)) return `a symbolic link is on the way to ${r.groupDir} or to its origin`;
  return undefined;
}
