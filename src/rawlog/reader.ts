/**
 * Reads a raw log: checks the header, indexes every intact record (finding
 * the next one again after damaged bytes), and decodes samples on demand.
 * Implements SampleStore, what a replay reads samples from. A file is scanned a window at a time
 * and its records are read again when decoded, so a day recorded every
 * second is not held in memory; stdin comes in whole.
 */
import { fstatSync, readSync } from 'node:fs';
import type { Sample } from '../sample.js';
import { decodeDelta, decodeKeyframe } from './encoding.js';
import {
  checkFrame, DamagedHeaderError, decodeFileHeader, decompress, FILE_HEADER_FIXED, FLAG_RUN_START, findSync, FORMAT_MAJOR,
  FORMAT_MINOR, FRAME_HEADER, hasMagic, Kind, MAGIC, MAX_HEADER_JSON, nearMagic, type FileHeader, type RecordHeader,
} from './format.js';
import { RecordIndex } from './recordindex.js';

/** Random access to recorded samples, as the raw log reader provides it. */
export interface SampleStore {
  readonly length: number;
  /** Undefined for a record that could not be decoded. */
  get(i: number): Sample | undefined;
  /** True when sample i starts a new recording run (its interval covers the time since boot). */
  startsRun(i: number): boolean;
  /** Wall-clock time of sample i, ms since the epoch (cheap: no full decode). */
  timeOf(i: number): number;
}

/** Where a raw log's bytes come from: memory, or a file read where needed. */
export interface ByteSource {
  readonly size: number;
  /** Bytes [start, end), fewer when the data ends sooner; valid until the next read. */
  read(start: number, end: number): Buffer;
}

export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: (start, end) => buf.subarray(start, end) };
}

/**
 * An open file; `size` is fixed when the source is made (a log being written
 * grows on behind it). Reads go into one buffer, reused: every caller here
 * is done with a window or a payload before it reads the next.
 */
export function fdSource(fd: number, size = fstatSync(fd).size): ByteSource {
  let scratch = Buffer.alloc(0);
  return {
    size,
    read(start, end) {
      const want = Math.max(0, Math.min(end, size) - start);
      if (scratch.length < want) scratch = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, scratch, got, want - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return scratch.subarray(0, got);
    },
  };
}

/** Bytes scanned at a time in a file: a window grows only to hold one record (or file header) longer than it. */
export const SCAN_WINDOW = 4 * 1024 * 1024;

export interface RecordRef {
  offset: number;
  end: number;
  payloadStart: number;
  header: RecordHeader;
}

export interface Scan {
  records: RecordRef[];
  /** Damaged stretches between intact records: [offset, length]. */
  damaged: [number, number][];
  /**
   * Where the data stops being usable, when it does before its end. `torn`:
   * a record (or file header) starts there whose end lies beyond the data,
   * at `end`. Otherwise damage starts there, and no intact record starts
   * before `resume`, the first place whose bytes go on past the data: more
   * data would have to be read from there to tell.
   */
  tail?: { offset: number; torn: true; end: number } | { offset: number; torn: false; resume: number };
}

/** A file header at `pos`: its length, or how many bytes it needs when the data ends first; undefined when there is none. */
function headerAt(buf: Buffer, pos: number): { length: number } | { needs: number } | undefined {
  const rest = buf.subarray(pos);
  if (!hasMagic(rest)) return undefined;
  if (rest.length < FILE_HEADER_FIXED) return { needs: FILE_HEADER_FIXED };
  const len = rest.readUInt32LE(12);
  if (len <= MAX_HEADER_JSON && rest.length < FILE_HEADER_FIXED + len) return { needs: FILE_HEADER_FIXED + len };
  try {
    return { length: decodeFileHeader(rest, '').length };
  } catch {
    return undefined;
  }
}

/**
 * The next place at or after `from` where an intact record (or a file
 * header) starts: `at`; or, when none does, `undecided`, the first place
 * from which the bytes run past the end of `buf` (a record whose header is
 * intact and whose payload goes on, a file header cut short, the last bytes).
 */
function nextIntact(buf: Buffer, from: number): { at: number } | { undecided: number } {
  // The last FRAME_HEADER - 1 bytes cannot hold a record header, whole or with its sync found by indexOf.
  let undecided = Math.max(from, buf.length - FRAME_HEADER + 1);
  let best = -1;
  for (let s = findSync(buf, from); s >= 0 && s < undecided; s = findSync(buf, s + 1)) {
    const c = checkFrame(buf, s);
    if (c.ok) {
      best = s;
      break;
    }
    if (c.reason === 'short') undecided = s;
  }
  // A file header (logs concatenated with cat) is also a place to go on from.
  const limit = best >= 0 ? best : undecided;
  for (let m = buf.indexOf(MAGIC, from); m >= 0 && m < limit; m = buf.indexOf(MAGIC, m + 1)) {
    const h = headerAt(buf, m);
    if (!h) continue;
    if ('length' in h) return { at: m };
    return { undecided: m };
  }
  return best >= 0 && best < undecided ? { at: best } : { undecided };
}

/** Indexes the intact records of `buf` from `start` (the end of the file header). */
export function scanRecords(buf: Buffer, start: number): Scan {
  const records: RecordRef[] = [];
  const damaged: [number, number][] = [];
  let pos = start;
  while (pos < buf.length) {
    const c = checkFrame(buf, pos);
    if (c.ok) {
      records.push({ offset: pos, end: c.end, payloadStart: c.payloadStart, header: c.header });
      pos = c.end;
      continue;
    }
    if (c.reason === 'short') return { records, damaged, tail: { offset: pos, torn: true, end: c.end } };
    // Another file's header: logs concatenated with cat replay as one.
    const h = headerAt(buf, pos);
    if (h && 'length' in h) {
      pos += h.length;
      continue;
    }
    if (h) return { records, damaged, tail: { offset: pos, torn: true, end: pos + h.needs } };
    const next = nextIntact(buf, pos + 1);
    if ('undecided' in next) return { records, damaged, tail: { offset: pos, torn: false, resume: next.undecided } };
    damaged.push([pos, next.at - pos]);
    pos = next.at;
  }
  return { records, damaged };
}

/** What scanSource finds besides the records it hands to its sink. */
export interface SourceScan {
  damaged: [number, number][];
  tail?: { offset: number; torn: boolean };
}

/**
 * scanRecords over a source, `window` bytes at a time, with the same result
 * as over the whole data at once; each intact record goes to `sink` (offsets
 * in the whole data) as it is found, so none is kept here. A window that ends
 * inside damage is followed by one from where the damage could end (its last
 * bytes, or a record that runs past the window), the damage carried over: a
 * damaged stretch of any length costs one window of memory and is read once.
 * A window that ends inside a record is followed by one starting at that
 * record, as long as the record (at most MAX_PAYLOAD).
 */
export function scanSource(src: ByteSource, start: number, sink: (r: RecordRef) => void, window = SCAN_WINDOW): SourceScan {
  const damaged: [number, number][] = [];
  /** Where damage began that the previous window did not see the end of. */
  let damageFrom: number | undefined;
  let from = start;
  let size = window;
  while (from < src.size) {
    const buf = src.read(from, from + size);
    const atEnd = from + buf.length >= src.size;
    const s = scanRecords(buf, 0);
    const first = s.damaged[0];
    if (buf.length === 0) break; // the file was cut short behind the reader's back
    if (damageFrom !== undefined && s.tail?.offset !== 0 && first?.[0] !== 0) {
      // The carried damage ends where this window's first record (or file header) starts; it goes on
      // when the window starts with more of it, or with a record to be read again whole.
      damaged.push([damageFrom, from - damageFrom]);
      damageFrom = undefined;
    }
    for (const r of s.records) sink({ ...r, offset: r.offset + from, end: r.end + from, payloadStart: r.payloadStart + from });
    for (const [offset, length] of s.damaged) {
      if (damageFrom !== undefined && offset === 0) {
        damaged.push([damageFrom, from + length - damageFrom]);
        damageFrom = undefined;
      } else {
        damaged.push([offset + from, length]);
      }
    }
    if (!s.tail) {
      from += buf.length;
      size = window;
      continue;
    }
    const tail = s.tail;
    if (atEnd) {
      if (damageFrom !== undefined) return { damaged, tail: { offset: damageFrom, torn: false } };
      return { damaged, tail: { offset: from + tail.offset, torn: tail.torn } };
    }
    if (tail.torn) {
      // A record (or header) longer than what is left of the window: read it whole.
      size = Math.max(window, tail.end - tail.offset);
      from += tail.offset;
    } else {
      damageFrom ??= from + tail.offset;
      size = window;
      from += tail.resume;
    }
  }
  if (damageFrom !== undefined) return { damaged, tail: { offset: damageFrom, torn: false } };
  return { damaged };
}

/** The file header: its fixed part says how long the rest is. */
function readHeader(src: ByteSource, name: string): FileHeader {
  const fixed = src.read(0, FILE_HEADER_FIXED);
  const rest = fixed.length === FILE_HEADER_FIXED && nearMagic(fixed) ? Math.min(fixed.readUInt32LE(12), MAX_HEADER_JSON + 1) : 0;
  try {
    return decodeFileHeader(rest > 0 ? src.read(0, FILE_HEADER_FIXED + rest) : fixed, name);
  } catch (err) {
    if (!(err instanceof DamagedHeaderError)) throw err;
    const recovered = recoverHeader(src, rest);
    if (!recovered) throw err;
    // Records after it: the header was not cut short, its length field was hit.
    return { ...recovered, damaged: err.message.replace(/incomplete memtop log header .*$/, 'damaged memtop log header (length)') };
  }
}

/** How far past a damaged header the first intact record is looked for. */
const RECOVERY_WINDOW = 8 * 1024 * 1024;

/**
 * A damaged header costs only itself: every sample holds the facts the
 * header gives (host, page size, HZ, CPUs, boot time), so they are taken
 * from the first intact keyframe, and the records start at the first
 * intact record after the fixed part (where the length field says, when an
 * intact record is there). Undefined when no keyframe is found.
 */
function recoverHeader(src: ByteSource, jsonLength: number): Omit<FileHeader, 'damaged'> | undefined {
  const buf = Buffer.from(src.read(0, Math.min(src.size, RECOVERY_WINDOW)));
  const said = FILE_HEADER_FIXED + jsonLength;
  let first = said < buf.length && checkFrame(buf, said).ok ? said : -1;
  for (let s = findSync(buf, FILE_HEADER_FIXED); first < 0 && s >= 0; s = findSync(buf, s + 1)) {
    if (checkFrame(buf, s).ok) first = s;
  }
  if (first < 0) return undefined;
  for (let pos = first; pos < buf.length; ) {
    const c = checkFrame(buf, pos);
    if (!c.ok) break;
    if (c.header.kind === Kind.Key) {
      try {
        const s = decodeKeyframe(decompress(c.header.codec, buf.subarray(c.payloadStart, c.end)).toString('utf8'));
        return {
          host: s.host, pageSize: s.pageSize, hz: s.hz, ncpu: s.ncpu, btime: s.cpu.btime, created: s.time,
          writer: 'unknown (damaged header)', keyframeEvery: 0, major: FORMAT_MAJOR, minor: FORMAT_MINOR, length: first,
        };
      } catch {
        // an undecodable keyframe: try the next
      }
    }
    pos = c.end;
  }
  return undefined;
}

/** Decoded samples kept for stepping back and forth (each interval needs two)... */
const CACHE = 6;
/**
 * ...and processes in them at most: of samples of 50,000 processes (some
 * 15 MB each decoded) two are kept, as a recorder holds two.
 */
const CACHE_PROCS = 60_000;

export class RawLog implements SampleStore {
  readonly header: FileHeader;
  /** Records that can be decoded: intact, and their keyframe intact. */
  private readonly records = new RecordIndex();
  /** Keyframes by byte offset: their index in `records`. */
  private readonly keyAt = new Map<number, number>();
  /** One line each: damage found, samples lost, an incomplete end. */
  readonly warnings: string[] = [];
  readonly truncatedAt: number | undefined;
  private readonly cache = new Map<number, Sample | undefined>();
  /** Processes in the cached samples. */
  private cachedProcs = 0;
  private keyText: { offset: number; text: Buffer } | undefined;
  private keySample: { offset: number; sample: Sample } | undefined;

  private readonly src: ByteSource;

  /**
   * `data`: the bytes, or a source to read them from (`window` bytes at a
   * time while indexing). `name` names the file in messages. Throws
   * MemtopError when the data is not a memtop log or was written by a newer
   * major format version.
   */
  constructor(
    data: Buffer | ByteSource,
    readonly name: string,
    private readonly onDecodeError: (message: string) => void = () => {},
    window = SCAN_WINDOW,
  ) {
    const src = Buffer.isBuffer(data) ? bufferSource(data) : data;
    this.src = src;
    this.header = readHeader(src, name);
    if (this.header.versionMismatch) this.warnings.push(this.header.versionMismatch);
    if (this.header.damaged) {
      this.warnings.push(`${this.header.damaged}: its facts are taken from the first sample, the records from byte offset ${this.header.length} on replay`);
    }
    // A delta is kept when its keyframe was found intact; deltas follow their keyframe, so by the time
    // a delta is met its keyframe has been (or will never be) indexed.
    const orphans = new Map<number, number>();
    const scan = scanSource(src, this.header.length, (r) => {
      if (r.header.kind === Kind.Key) {
        this.keyAt.set(r.offset, this.records.length);
      } else {
        const key = r.offset - r.header.back;
        if (!this.keyAt.has(key)) {
          orphans.set(key, (orphans.get(key) ?? 0) + 1);
          return;
        }
      }
      this.records.push(r);
    }, window);
    const MAX_LINES = 10;
    scan.damaged.slice(0, MAX_LINES).forEach(([off, len]) => {
      this.warnings.push(`${name}: skipped ${len} damaged byte${len === 1 ? '' : 's'} at byte offset ${off}`);
    });
    if (scan.damaged.length > MAX_LINES) this.warnings.push(`${name}: ... and ${scan.damaged.length - MAX_LINES} more damaged stretches`);
    for (const [key, n] of orphans) {
      this.warnings.push(`${name}: ${n} sample${n === 1 ? '' : 's'} lost with their damaged keyframe at byte offset ${key}`);
    }
    if (scan.tail) {
      this.truncatedAt = scan.tail.offset;
      this.warnings.push(
        scan.tail.torn
          ? `${name} is incomplete: the record at byte offset ${scan.tail.offset} is cut short (file ends at ${src.size})`
          : `${name}: damaged data from byte offset ${scan.tail.offset} to the end (${src.size - scan.tail.offset} bytes) skipped`,
      );
    }
  }

  get length(): number {
    return this.records.length;
  }

  timeOf(i: number): number {
    return this.records.time(i);
  }

  startsRun(i: number): boolean {
    return i === 0 || (this.records.flags(i) & FLAG_RUN_START) !== 0;
  }

  /** True when record i is a keyframe (decodes on its own). */
  isKeyframe(i: number): boolean {
    return this.records.kind(i) === Kind.Key;
  }

  /** Byte offset of record i (for messages and tests). */
  offsetOf(i: number): number {
    return this.records.offset(i);
  }

  get(i: number): Sample | undefined {
    if (i < 0 || i >= this.records.length) return undefined;
    if (this.cache.has(i)) return this.cache.get(i);
    let sample: Sample | undefined;
    try {
      sample = this.decode(i);
    } catch (err) {
      this.onDecodeError(`${this.name}: the sample at byte offset ${this.records.offset(i)} cannot be decoded (${(err as Error).message})`);
    }
    this.cache.set(i, sample);
    this.cachedProcs += sample?.procs.length ?? 0;
    while (this.cache.size > 2 && (this.cache.size > CACHE || this.cachedProcs > CACHE_PROCS)) {
      const [oldest, s] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      this.cachedProcs -= s?.procs.length ?? 0;
    }
    return sample;
  }

  private payload(i: number): Buffer {
    // A copy: a file source reuses its buffer, and an uncompressed keyframe's text is kept.
    return Buffer.from(this.src.read(this.records.payloadStart(i), this.records.end(i)));
  }

  private keyframeText(k: number): Buffer {
    const offset = this.records.offset(k);
    if (this.keyText?.offset !== offset) this.keyText = { offset, text: decompress(this.records.codec(k), this.payload(k)) };
    return this.keyText.text;
  }

  private decode(i: number): Sample {
    if (this.records.kind(i) === Kind.Key) return decodeKeyframe(this.keyframeText(i).toString('utf8'));
    const k = this.keyAt.get(this.records.keyOffset(i))!;
    const keyText = this.keyframeText(k);
    const delta = decompress(this.records.codec(i), this.payload(i), keyText);
    return decodeDelta(this.keyframeSample(k, keyText), delta.toString('utf8'));
  }

  /**
   * The keyframe a delta is applied to, decoded once for all its deltas (not
   * again for each: a keyframe of 50,000 processes is some 15 MB decoded, and
   * as much again in garbage). Deltas share its unchanged processes: samples
   * are read, never changed, by everything that gets them.
   */
  private keyframeSample(k: number, text: Buffer): Sample {
    const offset = this.records.offset(k);
    if (this.keySample?.offset !== offset) this.keySample = { offset, sample: decodeKeyframe(text.toString('utf8')) };
    return this.keySample.sample;
  }
}
