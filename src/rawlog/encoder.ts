/**
 * Turns samples into framed records: a keyframe every `keyframeEvery`
 * records (and at the start of every run or file), deltas against that
 * keyframe in between. Knows nothing of files: the writer tells it where
 * each record will start and calls reset() when a record did not make it.
 */
import type { Sample } from '../sample.js';
import { encodeDelta, encodeKeyframe } from './encoding.js';
import { Codec, compress, encodeFrame, FLAG_RUN_START, Kind } from './format.js';

export const DEFAULT_KEYFRAME_EVERY = 30;
/** A delta larger than this share of its keyframe (compressed) is written as a new keyframe instead. */
const MAX_DELTA_SHARE = 0.6;

export interface EncoderOptions {
  keyframeEvery?: number;
  codec?: Codec;
}

interface KeyState {
  sample: Sample;
  text: Buffer;
  offset: number;
  records: number;
  /** Compressed size of the keyframe. */
  packed: number;
}

export class Encoder {
  readonly keyframeEvery: number;
  private readonly codec: Codec;
  private key: KeyState | undefined;

  constructor(opts: EncoderOptions = {}) {
    this.keyframeEvery = Math.max(1, opts.keyframeEvery ?? DEFAULT_KEYFRAME_EVERY);
    this.codec = opts.codec ?? Codec.Deflate;
  }

  /** The next record is a keyframe (a new file, or the last record was not written). */
  reset(): void {
    this.key = undefined;
  }

  /** The record for `sample`, to be written at byte `offset` of the file. */
  encode(sample: Sample, offset: number, runStart = false): Buffer {
    const flags = runStart ? FLAG_RUN_START : 0;
    const key = this.key;
    if (key && !runStart && key.records < this.keyframeEvery && offset - key.offset < 0xffffffff) {
      const delta = encodeDelta(key.sample, sample);
      if (delta !== undefined && delta.length < key.text.length) {
        const payload = compress(this.codec, Buffer.from(delta, 'utf8'), this.codec === Codec.Deflate ? key.text : undefined);
        // A delta near a keyframe's size (many processes new since it) is not worth its dependency.
        if (payload.length < key.packed * MAX_DELTA_SHARE) {
          key.records++;
          return encodeFrame({ kind: Kind.Delta, flags, codec: this.codec, time: sample.time, back: offset - key.offset }, payload);
        }
      }
    }
    const text = Buffer.from(encodeKeyframe(sample), 'utf8');
    const payload = compress(this.codec, text);
    this.key = { sample, text, offset, records: 1, packed: payload.length };
    return encodeFrame({ kind: Kind.Key, flags, codec: this.codec, time: sample.time, back: 0 }, payload);
  }
}
