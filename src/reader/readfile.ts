import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Synchronous reads into one reused buffer: for thousands of small /proc
 * files per sample this is several times cheaper than fs.promises (the cost
 * is per call) and allocates nothing but the resulting string.
 */

export const GONE = 0 as const;
export const DENIED = 1 as const;
export type ReadResult = string | typeof GONE | typeof DENIED;

let buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * `oneRead`: the file hands over all it has in one read, so a short read is
 * its end and the read that would return 0 is saved. True for /proc/PID/stat
 * and status (one record each), NOT for multi-record seq files (vmstat,
 * diskstats, net/dev), which return about a page per read, nor for cmdline.
 */
export function readText(path: string, oneRead = false): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? DENIED : GONE;
  }
  try {
    let used = 0;
    for (;;) {
      if (used === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, used);
        buffer = bigger;
      }
      const room = buffer.length - used;
      const n = readSync(fd, buffer, used, room, null);
      used += n;
      if (n === 0 || (oneRead && n < room)) break;
    }
    return buffer.toString('utf8', 0, used);
  } catch (err) {
    // ESRCH: the process exited between open and read.
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? DENIED : GONE;
  } finally {
    closeSync(fd);
  }
}

/** The text, or undefined when the file is missing or unreadable. */
export function readOptional(path: string): string | undefined {
  const r = readText(path);
  return typeof r === 'string' ? r : undefined;
}
