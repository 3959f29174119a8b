/** The raw log's record index: typed-array columns that grow, read back field by field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Codec, FLAG_RUN_START, FRAME_HEADER, Kind } from '../src/rawlog/format.js';
import { RecordIndex } from '../src/rawlog/recordindex.js';

test('records pushed past the initial capacity read back exactly', () => {
  const index = new RecordIndex();
  const n = 5000;
  const at = (i: number) => 20 + i * 1000.5 * 2; // offsets beyond 32 bits are fine too: see below
  for (let i = 0; i < n; i++) {
    const key = i - (i % 30);
    index.push({
      offset: at(i), end: at(i) + 700,
      header: { kind: i % 30 ? Kind.Delta : Kind.Key, flags: i === 0 ? FLAG_RUN_START : 0, codec: i % 7 ? Codec.Deflate : Codec.None, time: 1.7e12 + i * 1000.25, back: at(i) - at(key) },
    });
  }
  index.push({ offset: 2 ** 40, end: 2 ** 40 + 64, header: { kind: Kind.Key, flags: 0, codec: Codec.Brotli, time: 0, back: 0 } });
  assert.equal(index.length, n + 1);
  for (const i of [0, 1, 29, 30, 255, 256, 257, 4999]) {
    assert.equal(index.offset(i), at(i));
    assert.equal(index.end(i), at(i) + 700);
    assert.equal(index.payloadStart(i), at(i) + FRAME_HEADER);
    assert.equal(index.time(i), 1.7e12 + i * 1000.25);
    assert.equal(index.kind(i), i % 30 ? Kind.Delta : Kind.Key);
    assert.equal(index.flags(i), i === 0 ? FLAG_RUN_START : 0);
    assert.equal(index.codec(i), i % 7 ? Codec.Deflate : Codec.None);
    assert.equal(index.keyOffset(i), at(i - (i % 30)));
  }
  assert.deepEqual([index.offset(n), index.codec(n), index.keyOffset(n)], [2 ** 40, Codec.Brotli, 2 ** 40]);
});
