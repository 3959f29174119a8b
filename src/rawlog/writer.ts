/**
 * Appends records to a raw log file, each in one write. A new file gets a
 * header; an existing memtop file is continued after checking its header
 * (the first record appended starts a new run, as atop does). When a write
 * fails or is cut short the file is cut back to its last whole record and
 * the writer throws a MemtopError with one clear line.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { EXIT_OK, MemtopError, reasonOf } from '../messages.js';
import type { Sample } from '../sample.js';
import { Encoder, type EncoderOptions } from './encoder.js';
import { encodeFileHeader, FORMAT_MAJOR, MAGIC, nearMagic, type FileHeader } from './format.js';
import { fdSource, RawLog } from './reader.js';

export interface WriterOptions extends EncoderOptions {
  /** e.g. "memtop 0.1.0", stored in the header. */
  writer?: string;
  /** Notes for stderr (e.g. an incomplete record removed before appending). */
  onNote?: (message: string) => void;
  /** The write call, replaceable in tests to simulate a full disk. */
  write?: (fd: number, data: Buffer) => number;
}

export class RawWriter {
  private fd: number | undefined;
  /** Bytes in the file so far: where the next record starts. */
  private size = 0;
  private runStart = true;
  private readonly encoder: Encoder;
  private readonly write: (fd: number, data: Buffer) => number;
  /** Records written by this writer. */
  records = 0;

  /** `path` "-" writes to stdout. The file is opened with the first sample (its header needs it). */
  constructor(readonly path: string, private readonly opts: WriterOptions = {}) {
    this.encoder = new Encoder(opts);
    this.write = opts.write ?? ((fd, data) => writeSync(fd, data));
  }

  private get name(): string {
    return this.path === '-' ? 'stdout' : this.path;
  }

  private open(first: Sample): void {
    if (this.path === '-') {
      this.fd = 1;
      this.writeWhole(this.header(first));
      return;
    }
    let fd: number;
    try {
      fd = openSync(this.path, 'a+');
    } catch (err) {
      throw new MemtopError(`cannot write ${this.path}: ${reasonOf(err)}`);
    }
    this.fd = fd;
    try {
      const st = fstatSync(fd);
      if (st.isFile() && st.size > 0) this.continueFile(fd, st.size, first);
    } catch (err) {
      this.close();
      throw err instanceof MemtopError ? err : new MemtopError(`cannot read ${this.path}: ${reasonOf(err)}`);
    }
    if (this.size === 0) this.writeWhole(this.header(first));
  }

  private header(first: Sample): Buffer {
    return encodeFileHeader({
      host: first.host,
      pageSize: first.pageSize,
      hz: first.hz,
      ncpu: first.ncpu,
      btime: first.cpu.btime,
      created: first.time,
      writer: this.opts.writer ?? 'memtop',
      keyframeEvery: this.encoder.keyframeEvery,
    });
  }

  /** Checks an existing file before appending; cuts off a torn last record. */
  private continueFile(fd: number, size: number, first: Sample): void {
    const src = fdSource(fd, size);
    const refuse = (why: string) => new MemtopError(`${why}: not appending to it`);
    if (!nearMagic(src.read(0, MAGIC.length))) throw refuse(`${this.path} exists and is not a memtop log`);
    let log: RawLog;
    try {
      log = new RawLog(src, this.path);
    } catch (err) {
      throw err instanceof MemtopError ? refuse(err.message) : err;
    }
    const h: FileHeader = log.header;
    if (h.damaged) {
      // The header is left as it is (rewriting it could lose more): replays recover it the same way.
      this.opts.onNote?.(`${h.damaged}: appending after its last whole record; replays take the header's facts from its first sample`);
    }
    // Left as it is too: appending is safe, the checksummed copy is the version readers go by.
    if (h.versionMismatch) this.opts.onNote?.(`${h.versionMismatch}; appending`);
    if (h.major !== FORMAT_MAJOR) throw refuse(`${this.path} has raw format ${h.major}.${h.minor}`);
    if (h.pageSize !== first.pageSize || h.hz !== first.hz) {
      throw refuse(
        `${this.path} was recorded with page size ${h.pageSize} and HZ ${h.hz}, this system has ${first.pageSize} and ${first.hz}`,
      );
    }
    const scan = log.truncatedAt;
    if (scan !== undefined) {
      ftruncateSync(fd, scan);
      this.opts.onNote?.(`${this.path}: cut off ${size - scan} unusable bytes at its end (byte offset ${scan}) before appending`);
      this.size = scan;
    } else {
      this.size = size;
    }
  }

  /** One write for the whole buffer; on failure the file is cut back to where it was. */
  private writeWhole(data: Buffer): void {
    const fd = this.fd!;
    let n: number;
    try {
      n = this.write(fd, data);
    } catch (err) {
      this.cutBack();
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw new MemtopError('', EXIT_OK);
      throw new MemtopError(this.failure(reasonOf(err)));
    }
    if (n !== data.length) {
      this.cutBack();
      throw new MemtopError(this.failure(`only ${n} of ${data.length} bytes written (disk full?)`));
    }
    this.size += data.length;
  }

  private failure(reason: string): string {
    const whole = this.records === 0 && this.size === 0 ? 'nothing was recorded' : `it is readable up to its last whole record (byte ${this.size})`;
    return `cannot write ${this.name}: ${reason}; ${whole}`;
  }

  private cutBack(): void {
    this.encoder.reset();
    try {
      if (this.fd !== undefined && this.fd !== 1) ftruncateSync(this.fd, this.size);
    } catch {
      // not a regular file, or the disk refuses even that: the reader skips a torn end
    }
  }

  /** Appends one sample as one record. Throws MemtopError when it could not be written. */
  append(sample: Sample): void {
    if (this.fd === undefined) this.open(sample);
    const record = this.encoder.encode(sample, this.size, this.runStart);
    this.writeWhole(record);
    this.runStart = false;
    this.records++;
  }

  close(): void {
    if (this.fd !== undefined && this.fd !== 1) {
      try {
        closeSync(this.fd);
      } catch {
        // already gone
      }
    }
    this.fd = undefined;
  }
}
