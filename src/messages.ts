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

/** The signals that end memtop from outside, and their numbers (the shell shows 128 + the number). */
export const END_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type EndSignal = keyof typeof END_SIGNALS;

/**
 * memtop was ended by a signal and has finished up (output flushed, the
 * recording closed): cli.ts then ends it by that same signal, so a shell
 * sees 128 + its number and a supervisor (systemd) a stop by that signal,
 * which it counts as clean.
 */
export class EndedBySignal extends MemtopError {
  constructor(readonly signal: EndSignal) {
    super('', 128 + END_SIGNALS[signal]);
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
  ELOOP: 'a loop of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** Why a file operation failed, in words (the path is the caller's to give): "permission denied". */
export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code && REASONS[e.code]) return REASONS[e.code]!;
  // Node's own text ("ELOOP: too many symbolic links encountered, stat '/x'") without its code, call and path.
  const plain = e.code ? /^[A-Z0-9_]+: (.+?)(?:, \w+ '.*')?$/s.exec(e.message ?? '')?.[1] : undefined;
  return plain || e.message || String(err);
}
