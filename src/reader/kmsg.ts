/**
 * The kernel log as a source of OOM victims: /dev/kmsg, opened non-blocking
 * the first time it is asked (the sampler asks only when the oom_kill
 * counter moved, so an ordinary sample costs nothing here, and opening it
 * reads every record the log holds, ~80 ms for 1500 records). Each record
 * carries its time since boot, so kills from before memtop started are
 * left out. Without root (dmesg_restrict) or without the device, nothing
 * is named and the oom_kill counter alone says that a kill happened.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { parseOomKill, recordSeconds, type OomKill } from '../procfs/kmsg.js';

/** A record is at most 1 KiB of text plus its dictionary; the kernel refuses reads shorter than a record. */
const RECORD_MAX = 8192;
/** Records read in one call at most: a log flood costs a bounded sample. */
const READS_MAX = 4096;

export class KernelLog {
  private fd: number | undefined;
  private failed = false;
  private readonly buf = Buffer.alloc(RECORD_MAX);

  constructor(private readonly path = '/dev/kmsg') {}

  /**
   * The OOM kills logged at or after `since` (seconds since boot) that were
   * not read before; undefined when the log cannot be read.
   */
  oomKills(since: number): OomKill[] | undefined {
    if (this.fd === undefined && !this.failed) {
      try {
        this.fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
      } catch {
        this.failed = true;
      }
    }
    if (this.fd === undefined) return undefined;
    const kills: OomKill[] = [];
    this.records((text) => {
      const kill = parseOomKill(text);
      if (kill && (recordSeconds(text) ?? Infinity) >= since) kills.push(kill);
    });
    return kills;
  }

  private records(each: (text: string) => void): void {
    for (let n = 0; n < READS_MAX && this.fd !== undefined; n++) {
      let got: number;
      try {
        got = readSync(this.fd, this.buf, 0, RECORD_MAX, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records were overwritten before we read them: go on with the next
        if (code !== 'EAGAIN') this.close();
        return;
      }
      if (got <= 0) return;
      // One record per read from /dev/kmsg; a saved log (a plain file, in tests) gives many lines at once.
      for (const line of this.buf.toString('utf8', 0, got).split('\n')) if (line) each(line);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.failed = true;
  }
}
