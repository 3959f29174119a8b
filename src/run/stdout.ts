/**
 * Output on stdout whose failures are told. A closed pipe (memtop --json |
 * head -1) ends memtop quietly with exit 0, as a filter's reader expects;
 * any other failure (a full disk, /dev/full) ends it with one line and exit
 * 1, never in silence with exit 0.
 */
import { EXIT_OK, MemtopError, reasonOf } from '../messages.js';

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
   * stopped reading must not keep memtop), then ends memtop quietly.
   */
  async endOnSignal(ms = 1000): Promise<never> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.last, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    throw new MemtopError('', EXIT_OK);
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
  const sink = new StdoutSink();
  sink.write(text);
  await sink.flush();
}
