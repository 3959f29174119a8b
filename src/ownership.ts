/**
 * Who could have prepared a file or directory memtop is about to believe.
 * memtop runs as root on production boxes: a file it acts on (a
 * containment record, the configuration under `sudo -E`) counts only when
 * no other user could have written it or swapped it in: it and every
 * directory above it belong to root (or to an owner given), and are
 * writable by no one else, a sticky directory such as /tmp passing when
 * what is inside it is owned as it should be (others may write there, not
 * replace what is not theirs).
 *
 * And the bounded read of a file that may be anything (a FIFO, /dev/zero,
 * a giant), as /proc files are read (reader/readfile.ts): opened without
 * blocking, a regular file only, at most `max` bytes.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Owners trusted by default: root and the user memtop runs as. */
export const defaultOwners = (): number[] => [0, process.getuid?.() ?? 0];

/** Why a file or directory with these stats is not safe to believe (owner, write bits), or undefined. */
export function unsafeStat(path: string, st: Stats, owners: number[], sticky = false): string | undefined {
  if (!owners.includes(st.uid)) return `${path} belongs to uid ${st.uid}, ${owners.every((o) => o === 0) ? 'not root' : 'neither root nor the user memtop runs as'}`;
  if ((st.mode & 0o022) !== 0 && !(sticky && (st.mode & 0o1000) !== 0)) return `${path} is writable by ${st.mode & 0o002 ? 'anyone' : 'its group'}`;
  return undefined;
}

/** Why `dir`, or a directory above it, could have been prepared by another user, or undefined. */
export function untrustedDir(dir: string, owners: number[] = defaultOwners()): string | undefined {
  let path = resolve(dir);
  let first = true;
  for (;;) {
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      return `${path} cannot be examined`;
    }
    if (st.isSymbolicLink()) return `${path} is a symbolic link`;
    if (!st.isDirectory()) return `${path} is not a directory`;
    // Root owns the directories above whatever a user owns: /, /home, /tmp.
    const why = unsafeStat(path, st, first ? owners : [0, ...owners], !first);
    if (why) return why;
    if (path === dirname(path)) return undefined;
    first = false;
    path = dirname(path);
  }
}

/** The text and what fstat said, or why not (words that follow "cannot read FILE: "). */
export type Bounded = { text: string; stat: Stats } | { why: string; code?: string };

/**
 * Reads a file that may be anything: not blocking on a FIFO, a regular file
 * only, at most `max` bytes (what is read past it is one byte). `noFollow`:
 * a symbolic link is refused too. `code` is the errno of a failed open.
 */
export function readBounded(path: string, max: number, noFollow = false): Bounded {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (noFollow ? constants.O_NOFOLLOW : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? (noFollow ? 'a symbolic link' : 'a symbolic link loop') : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return { why, code };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isDirectory() ? 'a directory' : stat.isSocket() ? 'a socket' : 'not a regular file';
      return { why: kind === 'not a regular file' ? kind : `${kind}, not a regular file` };
    }
    if (stat.size > max) return { why: `longer than ${max} bytes` };
    // The size may lie (a file growing as it is read, a procfs-like file): the cap holds whatever it says.
    const buf = Buffer.alloc(max + 1);
    let used = 0;
    for (;;) {
      const n = readSync(fd, buf, used, buf.length - used, null);
      if (n === 0) break;
      used += n;
      if (used > max) return { why: `longer than ${max} bytes` };
    }
    return { text: buf.toString('utf8', 0, used), stat };
  } catch (err) {
    return { why: (err as Error).message };
  } finally {
    closeSync(fd);
  }
}
