/**
 * Output on stdout whose failures are told. A closed pipe (memtop --json |
 * head -1) ends memtop quietly with exit 0, as a filter's reader expects;
 * any other failure (a full disk, /dev/full) ends it with one line and exit
 * 1, never in silence with exit 0.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { EndedBySignal, EXIT_OK, MemtopError, reasonOf, type EndSignal } from '../messages.js';

/**
 * Node opens /dev/null read-write in place of a standard descriptor that is
 * closed at start (memtop --json >&-), so writes would vanish and memtop
 * exit 0. Nothing tells that apart for certain from a /dev/null a launcher
 * opened read-write on purpose (Python's DEVNULL, Node's 'ignore'), so the
 * signs taken are: stdout is /dev/null read-write (a shell's >/dev/null and
 * systemd's null output open it write-only) while stdin is not /dev/null (a
 * launcher that discards stdout mostly nulls stdin too). Throws the one
 * line, exit 1.
 */
export function checkStdoutOpen(): void {
  let closed = false;
  try {
    const devNull = (fd: number) => readlinkSync(`/proc/self/fd/${fd}`) === '/dev/null';
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))?.[1];
    closed = devNull(1) && flags !== undefined && (parseInt(flags, 8) & 3) === 2 && !devNull(0);
  } catch {
    // no /proc to tell, or no stdin: write as usual
  }
  if (closed) throw new MemtopError('stdout is closed: nothing to write the output to (give it a file, a pipe or /dev/null)');
}

export class StdoutSink {
  /** Set at the first failed write; the caller stops and throws it (flush() does). */
  failure: MemtopError | undefined;
  private last: Promise<void> = Promise.resolve();
  private readonly onError = (err: NodeJS.ErrnoException) => this.fail(err);

  /** `onFailure`: told once, at the first failed write (e.g. to stop the clock). */
  constructor(private readonly onFailure?: () => void) {
    process.stdout.on('error', this.onError);
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.failure) return;
    this.failure = err.code === 'EPIPE' ? new MemtopError('', EXIT_OK) : new MemtopError(`cannot write to stdout: ${reasonOf(err)}`);
    this.onFailure?.();
  }

  /** Queues `text`; false when the caller should wait for drain() first. */
  write(text: string): boolean {
    let ok = true;
    this.last = new Promise<void>((resolve) => {
      ok = process.stdout.write(text, (err) => {
        if (err) this.fail(err);
        resolve();
      });
    });
    return ok;
  }

  /** Resolves when stdout can take more, or when a write failed. */
  drain(): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => process.stdout.once('drain', resolve)), this.last]);
  }

  /**
   * After a signal: waits for what was written at most `ms` (a reader that
   * stopped reading must not keep memtop), then ends memtop by that signal.
   */
  async endOnSignal(signal: EndSignal, ms = 1000): Promise<never> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.last, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    process.stdout.off('error', this.onError);
    throw new EndedBySignal(signal);
  }

  /** Waits for every write to be done; throws the failure, if any. Stops listening. */
  async flush(): Promise<void> {
    await this.last;
    process.stdout.off('error', this.onError);
    if (this.failure) throw this.failure;
  }
}

/** Writes `text` and waits for it: --info and other one-shot outputs. */
export async function writeStdout(text: string): Promise<void> {
  checkStdoutOpen();
  const sink = new StdoutSink();
  sink.write(text);
  await sink.flush();
}
