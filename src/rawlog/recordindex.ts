/**
 * The records of a raw log as columns of typed arrays: about 30 bytes a
 * record instead of two objects (some 150 bytes), so the index of a day
 * recorded every second stays near 3 MiB.
 */
import { FRAME_HEADER, type RecordHeader } from './format.js';

export interface IndexedRecord {
  offset: number;
  end: number;
  header: RecordHeader;
}

export class RecordIndex {
  length = 0;
  private offsets = new Float64Array(256);
  private ends = new Float64Array(256);
  private times = new Float64Array(256);
  private backs = new Float64Array(256);
  /** kind, flags, codec: three bytes a record. */
  private meta = new Uint8Array(256 * 3);

  push(r: IndexedRecord): void {
    if (this.length === this.offsets.length) this.grow();
    const i = this.length++;
    this.offsets[i] = r.offset;
    this.ends[i] = r.end;
    this.times[i] = r.header.time;
    this.backs[i] = r.header.back;
    this.meta[i * 3] = r.header.kind;
    this.meta[i * 3 + 1] = r.header.flags;
    this.meta[i * 3 + 2] = r.header.codec;
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const bigger = <T extends Float64Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.offsets = bigger(this.offsets, n);
    this.ends = bigger(this.ends, n);
    this.times = bigger(this.times, n);
    this.backs = bigger(this.backs, n);
    this.meta = bigger(this.meta, n * 3);
  }

  offset(i: number): number {
    return this.offsets[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  payloadStart(i: number): number {
    return this.offsets[i]! + FRAME_HEADER;
  }

  time(i: number): number {
    return this.times[i]!;
  }

  /** Offset of the keyframe record i depends on (its own offset for a keyframe). */
  keyOffset(i: number): number {
    return this.offsets[i]! - this.backs[i]!;
  }

  kind(i: number): number {
    return this.meta[i * 3]!;
  }

  flags(i: number): number {
    return this.meta[i * 3 + 1]!;
  }

  codec(i: number): number {
    return this.meta[i * 3 + 2]!;
  }
}
