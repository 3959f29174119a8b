/**
 * One recorder per raw log: a second `memtop -w FILE` (or --log-dir DIR)
 * is refused instead of both appending and cutting each other's records.
 *
 * Node has no flock(2). The lock is a Unix socket in Linux's abstract
 * namespace named after the file's device and inode, which the kernel
 * removes when its holder exits, however it ends: a crashed recorder never
 * blocks the next one, and there is no stale lock file to judge by pid.
 *
 * But any local user can bind any abstract name, and a name bound first
 * would stop root's recorder. So each recorder binds a name of its own
 * (the file's name, its pid and a random part), then looks for the other
 * sockets of that file in /proc/net/unix and for who holds them (the
 * socket inodes among /proc/PID/fd): only a holder that could write the
 * file itself (root, or a user the file's mode lets write) counts as
 * another recorder. A socket of a user who could not write the file is
 * passed over, as is one no process holds visibly (one sent away in a
 * message) when memtop runs as root, who sees every process's files. A
 * memtop that is not root cannot see other users' files: it counts every
 * holder it cannot see, as before.
 *
 * The name earlier memtops bind (the file's name alone) is bound too while
 * it is free, so that they see this one. Two recorders starting in the same
 * instant each see the other and both refuse. Its limits: recorders in
 * different network namespaces (containers sharing a volume) do not see
 * each other's locks, nor root one in a pid namespace it cannot see (its
 * socket looks held by no process). The look costs one read of /proc/net/unix at start,
 * and a walk of /proc/PID/fd only when another socket of the file is there.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { MemtopError, reasonOf } from '../messages.js';

export interface WriteLock {
  release(): void;
}

const PREFIX = 'memtop-write-lock';

/** The lock's name (without the NUL) and the file's stat, for who may write it. */
function lockTarget(path: string): { base: string; st: Stats } {
  // A file is created if missing: a new file's lock must be the one the next recorder finds.
  let fd: number;
  try {
    fd = openSync(path, statSync(path, { throwIfNoEntry: false })?.isDirectory() ? 'r' : 'a');
  } catch (err) {
    throw new MemtopError(`cannot write ${path}: ${reasonOf(err)}`);
  }
  try {
    const st = fstatSync(fd);
    return { base: `${PREFIX}:${st.dev}:${st.ino}`, st };
  } finally {
    closeSync(fd);
  }
}

function listen(name: string): Promise<Server> {
  const server: Server = createServer((socket) => socket.end(`${process.pid}\n`));
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(`\0${name}`, () => {
      server.off('error', reject);
      server.unref(); // the lock keeps nothing running
      resolve(server);
    });
  });
}

/** The socket inodes /proc/net/unix lists under the lock name `base` or a name of its own below it. */
export function socketsOf(netUnix: string, base: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of netUnix.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const name = f.slice(7).join(' ');
    if (!name.startsWith('@')) continue;
    const n = name.slice(1);
    if (n !== base && !n.startsWith(`${base}:`)) continue;
    const inode = Number(f[6]);
    if (Number.isSafeInteger(inode)) out.set(inode, n);
  }
  return out;
}

/** Which processes hold which of `inodes` (by /proc/PID/fd), and whether some processes' fds could not be seen. */
function holdersOf(inodes: Set<number>): { byInode: Map<number, number[]>; unseen: boolean } {
  const byInode = new Map<number, number[]>();
  let unseen = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unseen = true;
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m || !inodes.has(Number(m[1]))) continue;
      const list = byInode.get(Number(m[1])) ?? [];
      if (!list.includes(Number(entry))) list.push(Number(entry));
      byInode.set(Number(m[1]), list);
    }
  }
  return { byInode, unseen };
}

/** Whether the process `pid` could write a file of these stats (its effective uid and groups against the mode). */
export function couldWrite(status: string, st: Pick<Stats, 'uid' | 'gid' | 'mode'>): boolean {
  const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1]);
  const gid = Number(/^Gid:\s+\d+\s+(\d+)/m.exec(status)?.[1]);
  const groups = (/^Groups:(.*)$/m.exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  if (!Number.isInteger(uid)) return true; // cannot tell: counted, as before
  if (uid === 0) return true;
  if (uid === st.uid) return (st.mode & 0o200) !== 0;
  if (gid === st.gid || groups.includes(st.gid)) return (st.mode & 0o020) !== 0;
  return (st.mode & 0o002) !== 0;
}

/**
 * The pid of another recorder of the file (undefined: another one not to
 * be seen), or false when there is none: the holders of the other sockets
 * of `base` that could write the file.
 */
function otherRecorder(base: string, st: Stats): number | undefined | false {
  let netUnix: string;
  try {
    netUnix = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return false; // no /proc: the own name is all there is to go by
  }
  const sockets = socketsOf(netUnix, base);
  if (sockets.size === 0) return false;
  const { byInode, unseen } = holdersOf(new Set(sockets.keys()));
  const root = process.geteuid?.() === 0;
  let hidden = false;
  for (const inode of sockets.keys()) {
    const pids = (byInode.get(inode) ?? []).filter((p) => p !== process.pid);
    if (pids.length === 0) {
      // Ours, or held by no process memtop can see.
      if (!byInode.has(inode) && (!root || unseen)) hidden = true;
      continue;
    }
    for (const pid of pids) {
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue; // gone since
      }
      if (couldWrite(status, st)) return pid;
    }
  }
  return hidden ? undefined : false;
}

/**
 * Takes the write lock of `path` (a file, created if missing, or the
 * directory of daily logs); throws a MemtopError naming it and the holder's
 * pid when another memtop that could write it holds it.
 */
export async function lockForWriting(path: string, what = path): Promise<WriteLock> {
  const { base, st } = lockTarget(path);
  let own: Server;
  try {
    own = await listen(`${base}:${process.pid}:${randomBytes(8).toString('hex')}`);
  } catch (err) {
    throw new MemtopError(`cannot lock ${what} for writing: ${reasonOf(err)}`);
  }
  const legacy = await listen(base).catch(() => undefined);
  const release = () => {
    own.close();
    legacy?.close();
  };
  const other = otherRecorder(base, st);
  if (other !== false) {
    release();
    throw new MemtopError(`${what} is being written by another memtop${other ? ` (pid ${other})` : ''}: not writing it too`);
  }
  return { release };
}
