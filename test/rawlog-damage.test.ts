/**
 * Damaged raw logs: cut at every byte offset, random bytes changed, a
 * damaged keyframe, not a memtop log, a newer format. Never a crash, never
 * an intact record lost, one line per problem.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MemtopError } from '../src/messages.js';
import { FORMAT_MAJOR, SYNC } from '../src/rawlog/format.js';
import { bufferSource, fdSource, RawLog } from '../src/rawlog/reader.js';
import { asNewerMajor, plain, readLog, record, sampleMoments, tempDir } from './helpers/rawlog.js';

const samples = sampleMoments(7, { nprocs: 4 });
const file = join(tempDir(), 'small');
record(file, samples, { keyframeEvery: 3 });
const whole = readFileSync(file);
const full = readLog(file);
const recs = Array.from({ length: full.length }, (_, i) => {
  const offset = full.offsetOf(i);
  const end = i + 1 < full.length ? full.offsetOf(i + 1) : whole.length;
  let key = i;
  while (!full.isKeyframe(key)) key--;
  return { offset, end, key, sample: plain(samples[i]) };
});
const headerEnd = recs[0]!.offset;


/**
 * Each test runs on the bytes in memory (one scan) and again through a source read in windows
 * far smaller than a record (97 bytes, 16 bytes): the windowed scan must find the same records,
 * damage and cut as the whole-data one.
 */
const READERS: [string, (buf: Buffer, name: string) => RawLog][] = [
  ['in memory', (buf, name) => new RawLog(buf, name)],
  ['97-byte windows', (buf, name) => new RawLog(bufferSource(buf), name, undefined, 97)],
  ['16-byte windows', (buf, name) => new RawLog(bufferSource(buf), name, undefined, 16)],
];

for (const [how, open] of READERS) {
  test(`the small recording has keyframes and deltas (${how})`, () => {
    assert.equal(full.length, 7);
    assert.deepEqual(recs.map((r) => r.key), [0, 0, 0, 3, 3, 3, 6]);
    assert.ok(whole.length < 20000, `${whole.length} bytes`);
  });

  test(`cut at every byte offset: every complete sample replays, the cut is reported once (${how})`, () => {
    for (let len = 0; len <= whole.length; len++) {
      const buf = whole.subarray(0, len);
      if (len < headerEnd) {
        assert.throws(() => open(buf, 'cut'), (err: unknown) => {
          assert.ok(err instanceof MemtopError, String(err));
          assert.match(err.message, len === 0 ? /^cut is empty: not a memtop log$/ : /^cut(: incomplete memtop log header| is not a memtop log)/);
          return true;
        });
        continue;
      }
      const log = open(buf, 'cut');
      const complete = recs.filter((r) => r.end <= len);
      assert.equal(log.length, complete.length, `cut at ${len}`);
      for (let i = 0; i < log.length; i++) assert.deepEqual(log.get(i), complete[i]!.sample, `cut at ${len}, sample ${i}`);
      const atBoundary = len === headerEnd || recs.some((r) => r.end === len);
      if (atBoundary) {
        assert.deepEqual(log.warnings, [], `cut at ${len}`);
      } else {
        const torn = recs.find((r) => r.offset < len && r.end > len)!;
        assert.deepEqual(log.warnings, [`cut is incomplete: the record at byte offset ${torn.offset} is cut short (file ends at ${len})`]);
        assert.equal(log.truncatedAt, torn.offset);
      }
    }
  });

  test(`random bytes changed: no crash, every intact record (and its keyframe) still replays (${how})`, () => {
    let seed = 7;
    const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
    for (let trial = 0; trial < 400; trial++) {
      const buf = Buffer.from(whole);
      const hits: number[] = [];
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = headerEnd + rnd(whole.length - headerEnd);
        const old = buf[at]!;
        buf[at] = trial % 2 ? old ^ (1 << rnd(8)) : (old + 1 + rnd(255)) % 256;
        hits.push(at);
      }
      const log = open(buf, 'bad');
      const byOffset = new Map(Array.from({ length: log.length }, (_, i) => [log.offsetOf(i), i]));
      const untouched = (r: { offset: number; end: number }) => !hits.some((h) => h >= r.offset && h < r.end);
      for (const r of recs) {
        if (!untouched(r) || !untouched(recs[r.key]!)) continue;
        const i = byOffset.get(r.offset);
        assert.ok(i !== undefined, `trial ${trial}: intact record at ${r.offset} lost (hits ${hits})`);
        assert.deepEqual(log.get(i), r.sample, `trial ${trial}: record at ${r.offset}`);
      }
      for (let i = 0; i < log.length; i++) assert.ok(log.get(i) !== undefined, `trial ${trial}: ${i} does not decode`);
      assert.ok(log.warnings.length >= 1, `trial ${trial}: damage at ${hits} reported`);
      for (const w of log.warnings) assert.doesNotMatch(w, /\n/);
    }
  });

  test(`a damaged keyframe costs the records up to the next keyframe, said in one line (${how})`, () => {
    const buf = Buffer.from(whole);
    const key = recs[3]!;
    buf[key.offset + 40] = buf[key.offset + 40]! ^ 0xff; // in its payload
    const log = open(buf, 'k');
    assert.deepEqual(
      Array.from({ length: log.length }, (_, i) => log.get(i)),
      [0, 1, 2, 6].map((i) => recs[i]!.sample),
    );
    assert.deepEqual(log.warnings, [
      `k: skipped ${key.end - key.offset} damaged bytes at byte offset ${key.offset}`,
      `k: 2 samples lost with their damaged keyframe at byte offset ${key.offset}`,
    ]);
  });

  test(`garbage between records and at the end is skipped with one line each (${how})`, () => {
    const mid = recs[2]!.end;
    const junk = Buffer.concat([Buffer.from('this is not a record, '), SYNC, Buffer.from(' nor this')]);
    const buf = Buffer.concat([whole.subarray(0, mid), junk, whole.subarray(mid), junk]);
    const log = open(buf, 'g');
    assert.equal(log.length, 7);
    for (let i = 0; i < 7; i++) assert.deepEqual(log.get(i), recs[i]!.sample);
    assert.deepEqual(log.warnings, [
      `g: skipped ${junk.length} damaged bytes at byte offset ${mid}`,
      `g: damaged data from byte offset ${whole.length + junk.length} to the end (${junk.length} bytes) skipped`,
    ]);
  });

  test(`two logs joined with cat replay as one, the second starting a run (${how})`, () => {
    const log = open(Buffer.concat([whole, whole]), 'cat');
    assert.deepEqual(log.warnings, []);
    assert.equal(log.length, 14);
    assert.equal(log.startsRun(7), true);
    assert.equal(log.startsRun(8), false);
    assert.deepEqual(log.get(9), recs[2]!.sample);
  });

  test(`not a memtop log, a newer major version, a damaged header without records: one clear line (${how})`, () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('hello world, this is a text file\n'), /^f is not a memtop log$/],
      [Buffer.alloc(0), /^f is empty: not a memtop log$/],
      [asNewerMajor(whole), new RegExp(`^f was written by a newer memtop \\(raw format ${FORMAT_MAJOR + 1}\\.0\\); this memtop reads format ${FORMAT_MAJOR}\\.x$`)],
      [(() => { const b = Buffer.from(whole.subarray(0, headerEnd)); b[25] = b[25]! ^ 1; return b; })(), /^f: damaged memtop log header \(checksum\)$/],
    ];
    for (const [buf, message] of cases) {
      assert.throws(() => open(buf, 'f'), (err: unknown) => err instanceof MemtopError && message.test(err.message));
    }
    // A newer minor version is read.
    const minor = Buffer.from(whole);
    minor.writeUInt16LE(9, 10);
    assert.equal(open(minor, 'f').length, 7);
  });
}

test('a recording in a file, read where needed: the same samples and offsets as in memory', () => {
  const copy = join(tempDir(), 'copy');
  writeFileSync(copy, Buffer.concat([whole, whole.subarray(0, whole.length - 5)]));
  const fd = openSync(copy, 'r');
  try {
    const fromFile = new RawLog(fdSource(fd), copy, undefined, 64);
    const inMemory = new RawLog(readFileSync(copy), copy);
    assert.equal(fromFile.length, inMemory.length);
    assert.deepEqual(fromFile.warnings, inMemory.warnings);
    assert.equal(fromFile.truncatedAt, inMemory.truncatedAt);
    for (let i = fromFile.length - 1; i >= 0; i--) {
      assert.equal(fromFile.offsetOf(i), inMemory.offsetOf(i));
      assert.deepEqual(fromFile.get(i), inMemory.get(i), `sample ${i}`);
    }
  } finally {
    closeSync(fd);
  }
});

test('one flipped bit anywhere in the file header costs only the header: every record replays, one line says so', () => {
  for (let bit = 0; bit < headerEnd * 8; bit++) {
    const buf = Buffer.from(whole);
    buf[bit >> 3] = buf[bit >> 3]! ^ (1 << (bit & 7));
    const log = new RawLog(buf, 'f');
    assert.equal(log.length, recs.length, `bit ${bit}`);
    for (const i of [0, recs.length - 1]) assert.deepEqual(log.get(i), recs[i]!.sample, `bit ${bit}, sample ${i}`);
    const what = `bit ${bit} (byte ${bit >> 3})`;
    // A flip in the version bytes is told as such (they are checked against the JSON's copy); a
    // damaged header is told in one line.
    if (bit >= 64 && bit < 96) {
      assert.equal(log.warnings.length, 1, `${what}: ${log.warnings.join(' | ')}`);
      assert.match(log.warnings[0]!, /^f: the header's version bytes say raw format \d+\.\d+, its checksummed copy 1\.0: read as 1\.0/, what);
    } else if (log.header.damaged) {
      assert.equal(log.warnings.length, 1, `${what}: ${log.warnings.join(' | ')}`);
      assert.match(log.warnings[0]!, /^f: damaged memtop log header.*: its facts are taken from the first sample/, what);
    } else assert.deepEqual(log.warnings, [], what);
    assert.equal(log.header.pageSize, samples[0]!.pageSize, what);
    assert.equal(log.header.hz, samples[0]!.hz, what);
    assert.equal(log.header.host, samples[0]!.host, what);
  }
});
