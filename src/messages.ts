/**
 * How memtop speaks to the user outside the screen: one line on stderr,
 * never a stack trace. A failure is a MemtopError carrying that line and the
 * exit code; modules throw it, and only cli.ts says it and exits.
 */

/** Exit codes, as the README gives them. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** A mistake in the command line: the user can fix it by giving other options. */
export const EXIT_USAGE = 2;

/** One line for the user and the code memtop exits with; an empty message exits without a word. */
export class MemtopError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_FAILURE) {
    super(message);
  }
}

/** A mistake in the command line (exit 2). */
export function usageError(message: string): MemtopError {
  return new MemtopError(message, EXIT_USAGE);
}

/** One line on stderr, prefixed as every memtop message is. */
export function say(message: string): void {
  process.stderr.write(`memtop: ${message}\n`);
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENXIO: 'no reader on the other end',
};

/** Why a file operation failed, in words (the path is the caller's to give): "permission denied". */
export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && REASONS[e.code]) || e.message || String(err);
}
