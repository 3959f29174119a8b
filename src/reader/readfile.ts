import { closeSync, openSync, readSync, statfsSync } from 'node:fs';

/**
 * Synchronous reads into one reused buffer: for thousands of small /proc
 * files per sample this is several times cheaper than fs.promises (the cost
 * is per call) and allocates nothing but the resulting string.
 */

export const GONE = 0 as const;
export const DENIED = 1 as const;
/** The file holds the same bytes as last time (see OpenFiles.read's memo). */
export const UNCHANGED = 2 as const;
export type ReadResult = string | typeof GONE | typeof DENIED;

let buffer = Buffer.allocUnsafe(64 * 1024);

function failure(err: unknown): typeof GONE | typeof DENIED {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? DENIED : GONE;
}

/**
 * Reads fd to its end into the shared buffer; returns the byte count.
 * `fromStart`: read at explicit offsets from 0 (pread), which makes a procfs
 * file generate its text anew on an fd kept open; otherwise read on from the
 * fd's position.
 * `oneRead`: the file hands over all it has in one read, so a short read is
 * its end and the read that would return 0 is saved. True for /proc/PID/stat
 * and status (one record each), NOT for multi-record seq files (vmstat,
 * diskstats, net/dev), which return about a page per read, nor for cmdline.
 */
function fill(fd: number, oneRead: boolean, fromStart: boolean): number {
  let used = 0;
  for (;;) {
    if (used === buffer.length) {
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, used);
      buffer = bigger;
    }
    const room = buffer.length - used;
    const n = readSync(fd, buffer, used, room, fromStart ? used : null);
    used += n;
    if (n === 0 || (oneRead && n < room)) return used;
  }
}

/**
 * Opens and reads `path`; the byte count in the shared buffer, or why not.
 * The fd is closed, or handed to `keep` when the read succeeded.
 */
function fillFromPath(path: string, oneRead: boolean, keep?: (fd: number) => void): number | typeof GONE | typeof DENIED {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return failure(err);
  }
  let kept = false;
  try {
    const n = fill(fd, oneRead, false) + BYTES;
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
const BYTES = 2;

/** Opens, reads and closes `path`. */
export function readText(path: string, oneRead = false): ReadResult {
  const r = fillFromPath(path, oneRead);
  return r < BYTES ? (r as typeof GONE | typeof DENIED) : buffer.toString('utf8', 0, r - BYTES);
}

/** The text, or undefined when the file is missing or unreadable. */
export function readOptional(path: string): string | undefined {
  const r = readText(path);
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
   */
  constructor(
    private readonly pathOf: (key: K) => string,
    private readonly limit: number,
  ) {}

  get size(): number {
    return this.fds.size;
  }

  /**
   * The file's text. With a `memo`, UNCHANGED when the bytes are those of the
   * memo (no string is made: most processes are idle between two samples),
   * and the memo takes the new bytes otherwise.
   */
  read(key: K, oneRead = false, memo?: Memo): ReadResult | typeof UNCHANGED {
    const r = this.fill(key, oneRead);
    if (r < BYTES) return r as typeof GONE | typeof DENIED;
    const length = r - BYTES;
    if (!memo) return buffer.toString('utf8', 0, length);
    if (memo.bytes && memo.length === length && buffer.compare(memo.bytes, 0, length, 0, length) === 0) return UNCHANGED;
    if (!memo.bytes || memo.bytes.length < length) memo.bytes = Buffer.allocUnsafe(Math.max(length, 384));
    buffer.copy(memo.bytes, 0, 0, length);
    memo.length = length;
    return buffer.toString('utf8', 0, length);
  }

  private fill(key: K, oneRead: boolean): number | typeof GONE | typeof DENIED {
    const kept = this.fds.get(key);
    if (kept !== undefined) {
      try {
        return fill(kept, oneRead, true) + BYTES;
      } catch {
        this.drop(key); // the process behind it exited: its number may be someone else's now
      }
    }
    const keep = this.fds.size < this.limit ? (fd: number) => this.fds.set(key, fd) : undefined;
    return fillFromPath(this.pathOf(key), oneRead, keep);
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
