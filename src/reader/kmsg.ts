/**
 * The kernel log as a source of OOM victims: /dev/kmsg opened non-blocking,
 * what it held before memtop started skipped, new records read at each
 * sample (one read per record, none when nothing was logged: EAGAIN).
 * Without root (dmesg_restrict) or without the device, `readable` is false
 * and the oom_kill counter alone says that a kill happened.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { parseOomKill, type OomKill } from '../procfs/kmsg.js';

/** A record is at most 1 KiB of text plus its dictionary; the kernel refuses reads shorter than a record. */
const RECORD_MAX = 8192;
/** Records read in one call at most: a log flood costs a bounded sample. */
const READS_MAX = 4096;

export class KernelLog {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(RECORD_MAX);

  constructor(path = '/dev/kmsg') {
    try {
      this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      this.fd = undefined;
      return;
    }
    this.records(() => {}, Infinity);
  }

  get readable(): boolean {
    return this.fd !== undefined;
  }

  /** The OOM kills logged since the last call; undefined when the log cannot be read. */
  oomKills(): OomKill[] | undefined {
    if (this.fd === undefined) return undefined;
    const kills: OomKill[] = [];
    this.records((text) => {
      const kill = parseOomKill(text);
      if (kill) kills.push(kill);
    }, READS_MAX);
    return kills;
  }

  private records(each: (text: string) => void, max: number): void {
    for (let n = 0; n < max && this.fd !== undefined; n++) {
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
      each(this.buf.toString('utf8', 0, got));
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
