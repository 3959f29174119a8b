import { closeSync, constants, fstatSync, openSync, readSync, statfsSync } from 'node:fs';

/**
 * Synchronous reads into one reused buffer: for thousands of small /proc
 * files per sample this is several times cheaper than fs.promises (the cost
 * is per call) and allocates nothing but the resulting string.
 */

export const GONE = 0 as const;
export const DENIED = 1 as const;
/** The file holds the same bytes as last time (see OpenFiles.read's memo). */
export const UNCHANGED = 2 as const;
/**
 * Not what the kernel would hold there: not a regular file (a FIFO, a
 * device, a directory, a symlink loop) or longer than the kernel writes it
 * (`max`). Its figures are unknown; `why` says why, e.g. "is a FIFO, not a
 * regular file". Returned by the read that met it (no state kept here).
 */
export class Damaged {
  constructor(readonly why: string) {}
}
export type Failure = typeof GONE | typeof DENIED | Damaged;
export type ReadResult = string | Failure;

/** How a file is read. */
export interface ReadOptions {
  /**
   * The file hands over all it has in one read, so a short read is its end
   * and the read that would return 0 is saved. True for /proc/PID/stat and
   * status (one record each), NOT for multi-record seq files (vmstat,
   * diskstats, net/dev), which return about a page per read, nor for cmdline.
   */
  oneRead?: boolean;
  /**
   * Most bytes the kernel writes into this file, with margin: a longer file
   * (a link to /dev/zero, a planted giant) is Damaged, read no further.
   */
  max?: number;
  /**
   * The file is on a mounted procfs, where every file is what the kernel
   * makes: the check that it is a regular file (one fstat) is skipped.
   */
  trusted?: boolean;
}

/** Cap of a read whose caller gives none. */
export const DEFAULT_MAX = 1 << 20;

let buffer = Buffer.allocUnsafe(64 * 1024);

function damaged(why: string): Damaged {
  return new Damaged(why);
}

function failure(err: unknown): Failure {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return DENIED;
  if (code === 'ELOOP') return damaged('is a symbolic link loop');
  if (code === 'EISDIR') return damaged('is a directory, not a file');
  // A FIFO or socket opened without blocking that has nothing to give.
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return damaged('is not a regular file (a read would block)');
  return GONE;
}

/**
 * O_NONBLOCK: opening a FIFO waits for a writer, forever if none comes,
 * and no signal handler runs meanwhile (the call is synchronous); opened
 * without blocking it opens at once and the type check below refuses it.
 * O_NOCTTY: a terminal device planted in a tree never becomes ours.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function kindOf(fd: number): string | undefined {
  const st = fstatSync(fd);
  if (st.isFile()) return undefined;
  if (st.isFIFO()) return 'is a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device';
  if (st.isDirectory()) return 'is a directory';
  if (st.isSocket()) return 'is a socket';
  return 'is not a regular file';
}

/**
 * Reads fd to its end into the shared buffer; returns the byte count, or
 * -1 when the file holds more than `max` bytes (what is read past the cap
 * is one byte: the buffer never grows beyond max + 1).
 * `fromStart`: read at explicit offsets from 0 (pread), which makes a procfs
 * file generate its text anew on an fd kept open; otherwise read on from the
 * fd's position.
 */
function fill(fd: number, oneRead: boolean, fromStart: boolean, max: number): number {
  let used = 0;
  for (;;) {
    if (used === buffer.length) {
      if (used > max) return -1;
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, max + 1));
      buffer.copy(bigger, 0, 0, used);
      buffer = bigger;
    }
    const room = Math.min(buffer.length - used, max + 1 - used);
    const n = readSync(fd, buffer, used, room, fromStart ? used : null);
    used += n;
    if (used > max) return -1;
    if (n === 0 || (oneRead && n < room)) return used;
  }
}

function tooLong(max: number): Damaged {
  return damaged(`is longer than the ${max} bytes the kernel writes there`);
}

/**
 * Opens and reads `path`; the byte count in the shared buffer, or why not.
 * The fd is closed, or handed to `keep` when the read succeeded.
 */
function fillFromPath(path: string, opts: ReadOptions, keep?: (fd: number) => void): number | Failure {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    return failure(err);
  }
  let kept = false;
  try {
    if (!opts.trusted) {
      const kind = kindOf(fd);
      if (kind) return damaged(`${kind}, not a regular file`);
    }
    const max = opts.max ?? DEFAULT_MAX;
    const used = fill(fd, opts.oneRead ?? false, false, max);
    if (used < 0) return tooLong(max);
    const n = used + BYTES;
    if (keep) {
      keep(fd);
      kept = true;
    }
    return n;
  } catch (err) {
    // ESRCH: the process exited between open and read.
    return failure(err);
  } finally {
    if (!kept) closeSync(fd);
  }
}

/** Byte counts travel offset by BYTES so that they never equal GONE or DENIED. */
const BYTES = 4;

const PLAIN: ReadOptions = {};

/** Opens, reads and closes `path`. */
export function readText(path: string, opts: ReadOptions = PLAIN): ReadResult {
  const r = fillFromPath(path, opts);
  return typeof r !== 'number' || r < BYTES ? (r as Failure) : buffer.toString('utf8', 0, r - BYTES);
}

/** The text, or undefined when the file is missing, unreadable or damaged. */
export function readOptional(path: string, opts: ReadOptions = PLAIN): string | undefined {
  const r = readText(path, opts);
  return typeof r === 'string' ? r : undefined;
}

/** statfs(2) magic of the proc filesystem. */
const PROC_SUPER_MAGIC = 0x9fa0;

/** True when `dir` is on a mounted proc filesystem (not a fake tree of plain files). */
export function isProcfs(dir: string): boolean {
  try {
    return statfsSync(dir).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** The bytes a file held at its last read, for OpenFiles.read to answer UNCHANGED. */
export interface Memo {
  bytes?: Buffer;
  length: number;
}

/** A memo's text (the bytes of the last read). */
export function memoText(memo: Memo): string {
  return memo.bytes ? memo.bytes.toString('utf8', 0, memo.length) : '';
}

/**
 * Files read again and again, by key (a pid, a file name), optionally kept
 * open from one sample to the next and read again from offset 0.
 *
 * procfs makes a file's text at read time, so a pread at 0 on an old fd gives
 * today's figures, and a sample costs one system call per file instead of
 * three (open, read, close): at 2000 processes that is most of the sampler's
 * kernel time. An fd on /proc/PID/stat belongs to that process, not to its
 * number: once it exits the read fails with ESRCH, even when the number is
 * given to a new process, so a failed read on a kept fd is retried once on a
 * fresh open. Keep fds only on procfs: a plain file replaced in a fake tree
 * would keep its old text on an old fd.
 */
export class OpenFiles<K> {
  private readonly fds = new Map<K, number>();

  /**
   * `pathOf`: where key's file is (called only when it must be opened).
   * `limit`: most fds kept open; 0 opens and closes every time.
   * `optsOf`: how key's file is read (its cap; on procfs, trusted).
   */
  constructor(
    private readonly pathOf: (key: K) => string,
    private readonly limit: number,
    private readonly optsOf: (key: K) => ReadOptions = () => PLAIN,
  ) {}

  get size(): number {
    return this.fds.size;
  }

  /**
   * The file's text. With a `memo`, UNCHANGED when the bytes are those of the
   * memo (no string is made: most processes are idle between two samples),
   * and the memo takes the new bytes otherwise.
   */
  read(key: K, memo?: Memo): ReadResult | typeof UNCHANGED {
    const r = this.fill(key);
    if (typeof r !== 'number' || r < BYTES) return r as Failure;
    const length = r - BYTES;
    if (!memo) return buffer.toString('utf8', 0, length);
    if (memo.bytes && memo.length === length && buffer.compare(memo.bytes, 0, length, 0, length) === 0) return UNCHANGED;
    if (!memo.bytes || memo.bytes.length < length) memo.bytes = Buffer.allocUnsafe(Math.max(length, 384));
    buffer.copy(memo.bytes, 0, 0, length);
    memo.length = length;
    return buffer.toString('utf8', 0, length);
  }

  private fill(key: K): number | Failure {
    const opts = this.optsOf(key);
    const kept = this.fds.get(key);
    if (kept !== undefined) {
      try {
        const max = opts.max ?? DEFAULT_MAX;
        const used = fill(kept, opts.oneRead ?? false, true, max);
        if (used >= 0) return used + BYTES;
        this.drop(key);
        return tooLong(max);
      } catch {
        this.drop(key); // the process behind it exited: its number may be someone else's now
      }
    }
    const keep = this.fds.size < this.limit ? (fd: number) => this.fds.set(key, fd) : undefined;
    return fillFromPath(this.pathOf(key), opts, keep);
  }

  /** Closes the fd kept for `key`, if any. */
  drop(key: K): void {
    const fd = this.fds.get(key);
    if (fd === undefined) return;
    this.fds.delete(key);
    try {
      closeSync(fd);
    } catch {
      // already closed: nothing to give back
    }
  }

  /** Closes every fd whose key `keep` rejects. */
  retain(keep: (key: K) => boolean): void {
    for (const key of this.fds.keys()) if (!keep(key)) this.drop(key);
  }

  closeAll(): void {
    this.retain(() => false);
  }
}
