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

export function readText(path: string): ReadResult {
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
      const n = readSync(fd, buffer, used, buffer.length - used, null);
      if (n === 0) break;
      used += n;
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
