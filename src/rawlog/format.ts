/**
 * The raw log's bytes (docs/raw-format.md): a file header, then records.
 * Every record is framed on its own (sync marker, lengths, two CRC-32s) and
 * compressed on its own, so a reader can check each one and find the next
 * after damage. Little-endian throughout.
 */
import { brotliCompressSync, brotliDecompressSync, constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { MemtopError } from '../messages.js';

/** Eight bytes: 0x89 catches 7-bit transfers, "\n" catches line-ending conversion. */
export const MAGIC = Buffer.from([0x89, 0x4d, 0x45, 0x4d, 0x54, 0x4f, 0x50, 0x0a]); // \x89 MEMTOP \n
export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 0;
/** magic, major, minor, JSON length, JSON CRC-32. */
export const FILE_HEADER_FIXED = 20;

/** A header's JSON is never longer: a larger length means a damaged header. */
export const MAX_HEADER_JSON = 1024 * 1024;

/** Starts every record: "mtr" and 0xA7, a pattern the reader scans for after damage. */
export const SYNC = Buffer.from([0x6d, 0x74, 0x72, 0xa7]);
export const FRAME_HEADER = 32;
/** No sample comes near this; a larger length means a damaged frame. */
export const MAX_PAYLOAD = 256 * 1024 * 1024;

/** Record kinds: a keyframe holds a whole sample, a delta the changes against its keyframe. */
export const Kind = { Key: 1, Delta: 2 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Payload compression of a record. */
export const Codec = { None: 0, Deflate: 1, Brotli: 2 } as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

/** Frame flag bit 0: the first sample of a recording run (its interval covers the time since boot). */
export const FLAG_RUN_START = 1;

/** What the file header records about the machine and the writer. */
export interface FileInfo {
  host: string;
  pageSize: number;
  hz: number;
  ncpu: number;
  /** Boot time of the first run, seconds since the epoch. */
  btime: number;
  /** When the file was created, ms since the epoch. */
  created: number;
  /** e.g. "memtop 0.1.0". */
  writer: string;
  /** A keyframe every this many records (a hint; each record says what it is). */
  keyframeEvery: number;
}

export interface FileHeader extends FileInfo {
  major: number;
  minor: number;
  /** Bytes taken by the header: where the first record starts. */
  length: number;
  /**
   * Why the header could not be read, when its facts were recovered from the
   * first sample instead (a damaged header costs only itself).
   */
  damaged?: string;
  /**
   * The fixed part's version disagrees with the JSON's copy, which is under
   * the checksum and is the one used: one line saying both.
   */
  versionMismatch?: string;
}

/**
 * A header's JSON: the facts, and the format version again. The fixed
 * part's version bytes are not under the checksum; this copy is, and the
 * two must agree (files written before the copy existed have none: their
 * version bytes cannot be checked).
 */
interface HeaderJson extends FileInfo {
  format?: [number, number];
}

export function encodeFileHeader(info: FileInfo): Buffer {
  const json = Buffer.from(JSON.stringify({ ...info, format: [FORMAT_MAJOR, FORMAT_MINOR] } satisfies HeaderJson), 'utf8');
  const fixed = Buffer.alloc(FILE_HEADER_FIXED);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt16LE(FORMAT_MAJOR, 8);
  fixed.writeUInt16LE(FORMAT_MINOR, 10);
  fixed.writeUInt32LE(json.length, 12);
  fixed.writeUInt32LE(crc32(json), 16);
  return Buffer.concat([fixed, json]);
}

/** True when the bytes begin like a memtop log (the magic only, possibly with a torn header after it). */
export function hasMagic(buf: Buffer): boolean {
  return buf.length >= MAGIC.length && buf.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The magic with at most two bits flipped: a memtop log whose first bytes were hit, not another file. */
export function nearMagic(buf: Buffer): boolean {
  if (buf.length < MAGIC.length) return false;
  let bits = 0;
  for (let i = 0; i < MAGIC.length; i++) {
    for (let x = buf[i]! ^ MAGIC[i]!; x; x &= x - 1) bits++;
  }
  return bits <= 2;
}

/** A header that is a memtop log's, but damaged: its records may still be read (see RawLog). */
export class DamagedHeaderError extends MemtopError {}

/**
 * Reads the file header. `name` is used in the messages: not a memtop log,
 * written by a newer major version, or a damaged header.
 */
export function decodeFileHeader(buf: Buffer, name: string): FileHeader {
  if (!hasMagic(buf)) {
    if (nearMagic(buf)) throw new DamagedHeaderError(`${name}: damaged memtop log header (magic)`);
    throw new MemtopError(buf.length === 0 ? `${name} is empty: not a memtop log` : `${name} is not a memtop log`);
  }
  if (buf.length < FILE_HEADER_FIXED) throw new DamagedHeaderError(`${name}: incomplete memtop log header (${buf.length} bytes)`);
  let major = buf.readUInt16LE(8);
  let minor = buf.readUInt16LE(10);
  const len = buf.readUInt32LE(12);
  const end = FILE_HEADER_FIXED + len;
  const newer = () =>
    new MemtopError(`${name} was written by a newer memtop (raw format ${major}.${minor}); this memtop reads format ${FORMAT_MAJOR}.x`);
  if (len > MAX_HEADER_JSON) {
    if (major > FORMAT_MAJOR) throw newer();
    throw new DamagedHeaderError(`${name}: damaged memtop log header (length)`);
  }
  if (buf.length < end) throw new DamagedHeaderError(`${name}: incomplete memtop log header (${buf.length} of ${end} bytes)`);
  const json = buf.subarray(FILE_HEADER_FIXED, end);
  if (crc32(json) !== buf.readUInt32LE(16)) {
    if (major > FORMAT_MAJOR) throw newer();
    throw new DamagedHeaderError(`${name}: damaged memtop log header (checksum)`);
  }
  let info: HeaderJson;
  try {
    info = JSON.parse(json.toString('utf8')) as HeaderJson;
  } catch {
    throw new DamagedHeaderError(`${name}: damaged memtop log header`);
  }
  // The version is kept twice: the JSON's copy is under the checksum, the fixed part's is not, so the
  // JSON's is used and a fixed part that says otherwise (a flipped bit) is told.
  let versionMismatch: string | undefined;
  const copy = info.format;
  if (Array.isArray(copy) && copy.length === 2 && copy.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff)) {
    if (copy[0] !== major || copy[1] !== minor) {
      versionMismatch =
        `${name}: the header's version bytes say raw format ${major}.${minor}, its checksummed copy ${copy[0]}.${copy[1]}: ` +
        `read as ${copy[0]}.${copy[1]} (the version bytes are damaged)`;
    }
    [major, minor] = copy;
  } else if (copy !== undefined) {
    throw new DamagedHeaderError(`${name}: damaged memtop log header (version)`);
  }
  if (major > FORMAT_MAJOR) throw newer();
  const { format: _format, ...facts } = info;
  return { ...facts, major, minor, length: end, ...(versionMismatch ? { versionMismatch } : {}) };
}

/** What a record's header says of it (the bytes are laid out by encodeFrame). */
export interface RecordHeader {
  kind: Kind;
  flags: number;
  codec: Codec;
  /** Sample time, ms since the epoch. */
  time: number;
  /** Bytes from this record's start back to its keyframe's start; 0 for a keyframe. */
  back: number;
}

/**
 * Frame header (32 bytes): sync[4] kind[1] flags[1] codec[1] reserved[1]
 * time f64[8] back u32[4] payload length u32[4] payload CRC-32[4]
 * header CRC-32[4] (over bytes 0-27), then the payload.
 */
export function encodeFrame(frame: RecordHeader, payload: Buffer): Buffer {
  const out = Buffer.alloc(FRAME_HEADER + payload.length);
  SYNC.copy(out, 0);
  out.writeUInt8(frame.kind, 4);
  out.writeUInt8(frame.flags, 5);
  out.writeUInt8(frame.codec, 6);
  out.writeDoubleLE(frame.time, 8);
  out.writeUInt32LE(frame.back, 16);
  out.writeUInt32LE(payload.length, 20);
  out.writeUInt32LE(crc32(payload), 24);
  out.writeUInt32LE(crc32(out.subarray(0, 28)), 28);
  payload.copy(out, FRAME_HEADER);
  return out;
}

export type FrameCheck =
  | { ok: true; header: RecordHeader; payloadStart: number; end: number }
  /** The header is intact but the payload runs past the end of the data: a torn last record. */
  | { ok: false; reason: 'short'; end: number }
  | { ok: false; reason: 'bad' };

/** Checks the record starting at `pos`: sync, header checksum, payload length and checksum. */
export function checkFrame(buf: Buffer, pos: number): FrameCheck {
  if (pos + FRAME_HEADER > buf.length) {
    // Too short for a header: torn if what is there is the start of one.
    const have = buf.subarray(pos, Math.min(buf.length, pos + SYNC.length));
    return have.equals(SYNC.subarray(0, have.length)) ? { ok: false, reason: 'short', end: pos + FRAME_HEADER } : { ok: false, reason: 'bad' };
  }
  if (buf.readUInt32LE(pos) !== SYNC.readUInt32LE(0)) return { ok: false, reason: 'bad' };
  if (crc32(buf.subarray(pos, pos + 28)) !== buf.readUInt32LE(pos + 28)) return { ok: false, reason: 'bad' };
  const kind = buf.readUInt8(pos + 4) as Kind;
  const len = buf.readUInt32LE(pos + 20);
  if ((kind !== Kind.Key && kind !== Kind.Delta) || len > MAX_PAYLOAD) return { ok: false, reason: 'bad' };
  const end = pos + FRAME_HEADER + len;
  if (end > buf.length) return { ok: false, reason: 'short', end };
  if (crc32(buf.subarray(pos + FRAME_HEADER, end)) !== buf.readUInt32LE(pos + 24)) return { ok: false, reason: 'bad' };
  return {
    ok: true,
    header: {
      kind,
      flags: buf.readUInt8(pos + 5),
      codec: buf.readUInt8(pos + 6) as Codec,
      time: buf.readDoubleLE(pos + 8),
      back: buf.readUInt32LE(pos + 16),
    },
    payloadStart: pos + FRAME_HEADER,
    end,
  };
}

/** Offset of the next sync marker at or after `from`, or -1. */
export function findSync(buf: Buffer, from: number): number {
  return buf.indexOf(SYNC, from);
}

/**
 * Delta records are compressed with their keyframe's text as the deflate
 * dictionary: what they repeat of it (names, command lines) costs a
 * back-reference. Only the keyframe is needed, as for the delta itself.
 */
export function compress(codec: Codec, data: Buffer, dictionary?: Buffer): Buffer {
  switch (codec) {
    case Codec.None:
      return data;
    case Codec.Deflate:
      return deflateRawSync(data, { level: 9, memLevel: 9, ...(dictionary ? { dictionary: dictTail(dictionary) } : {}) });
    case Codec.Brotli:
      return brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      });
  }
}

/** Throws on damaged data; callers treat that as an undecodable record. */
export function decompress(codec: number, data: Buffer, dictionary?: Buffer): Buffer {
  switch (codec) {
    case Codec.None:
      return data;
    case Codec.Deflate:
      return inflateRawSync(data, dictionary ? { dictionary: dictTail(dictionary) } : {});
    case Codec.Brotli:
      return brotliDecompressSync(data);
    default:
      throw new Error(`unknown codec ${codec}`);
  }
}

/** deflate looks back at most 32 KiB: only the end of a dictionary is used. */
function dictTail(dict: Buffer): Buffer {
  return dict.length > 32768 ? dict.subarray(dict.length - 32768) : dict;
}
