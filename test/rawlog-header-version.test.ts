/**
 * The header's version bytes (issue 21): they are outside the header's
 * CRC, so the reader checks them against the JSON's copy, which is under it.
 * A flipped version byte is one line (read by the checksummed copy, the
 * samples all there), also when appending; a header without the copy (as
 * the first memtop wrote) still reads without a word.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { MemtopError } from '../src/messages.js';
import { FILE_HEADER_FIXED, FORMAT_MAJOR, FORMAT_MINOR } from '../src/rawlog/format.js';
import { RawLog } from '../src/rawlog/reader.js';
import { memtop, requireBuild } from './helpers/cli.js';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';

const dir = tempDir();
const file = join(dir, 'log');
record(file, sampleMoments(4, { nprocs: 5 }));
const log = readFileSync(file);
const jsonEnd = FILE_HEADER_FIXED + log.readUInt32LE(12);
const CURRENT = `${FORMAT_MAJOR}.${FORMAT_MINOR}`;

/** The log with its fixed part's version bytes set (outside the checksum, which stays right). */
function withVersionBytes(major: number, minor: number): Buffer {
  const out = Buffer.from(log);
  out.writeUInt16LE(major, 8);
  out.writeUInt16LE(minor, 10);
  return out;
}

/** The log with its header's JSON edited and its checksum made right again. */
function withJson(edit: (json: Record<string, unknown>) => void): Buffer {
  const json = JSON.parse(log.subarray(FILE_HEADER_FIXED, jsonEnd).toString('utf8')) as Record<string, unknown>;
  edit(json);
  const text = Buffer.from(JSON.stringify(json));
  const fixed = Buffer.from(log.subarray(0, FILE_HEADER_FIXED));
  fixed.writeUInt32LE(text.length, 12);
  fixed.writeUInt32LE(crc32(text), 16);
  return Buffer.concat([fixed, text, log.subarray(jsonEnd)]);
}

test('the JSON copy of the version is written and agrees with the version bytes', () => {
  const json = JSON.parse(log.subarray(FILE_HEADER_FIXED, jsonEnd).toString('utf8')) as { format: number[] };
  assert.deepEqual(json.format, [FORMAT_MAJOR, FORMAT_MINOR]);
  const raw = new RawLog(log, 'log');
  assert.deepEqual(raw.warnings, []);
  assert.equal(raw.header.versionMismatch, undefined);
});

test('a flipped minor or major version byte is said in one line; the log is read by the checksummed copy', () => {
  for (const [major, minor] of [[FORMAT_MAJOR, FORMAT_MINOR ^ 1], [FORMAT_MAJOR, FORMAT_MINOR ^ 0x80], [FORMAT_MAJOR + 1, FORMAT_MINOR], [FORMAT_MAJOR ^ 4, 7]]) {
    const raw = new RawLog(withVersionBytes(major!, minor!), 'flipped');
    assert.equal(raw.length, 4);
    assert.equal(raw.header.major, FORMAT_MAJOR);
    assert.equal(raw.header.minor, FORMAT_MINOR);
    assert.deepEqual(raw.warnings, [
      `flipped: the header's version bytes say raw format ${major}.${minor}, its checksummed copy ${CURRENT}: read as ${CURRENT} (the version bytes are damaged)`,
    ]);
  }
});

test('a checksummed copy of a newer major version is refused, whatever the version bytes say', () => {
  const newer = withJson((j) => (j.format = [FORMAT_MAJOR + 1, 0]));
  assert.throws(() => new RawLog(newer, 'newer'), (err: unknown) => {
    assert.ok(err instanceof MemtopError);
    assert.equal(err.message, `newer was written by a newer memtop (raw format ${FORMAT_MAJOR + 1}.0); this memtop reads format ${FORMAT_MAJOR}.x`);
    return true;
  });
});

test('a header without the copy (the first format 1.0 writers) reads without a word; a copy that is no version is damage', () => {
  const old = withJson((j) => delete j.format);
  const raw = new RawLog(old, 'old');
  assert.deepEqual(raw.warnings, []);
  assert.equal(raw.length, 4);
  assert.equal(raw.header.major, FORMAT_MAJOR);
  const odd = new RawLog(withJson((j) => (j.format = 'one')), 'odd');
  assert.equal(odd.length, 4);
  assert.match(odd.warnings[0]!, /^odd: damaged memtop log header \(version\): its facts are taken from the first sample/);
});

test('memtop -r says the disagreement on stderr, exit 0; -w appends to such a file saying it once', () => {
  requireBuild();
  const flipped = join(dir, 'flipped');
  writeFileSync(flipped, withVersionBytes(FORMAT_MAJOR, FORMAT_MINOR + 3));
  const line = `${flipped}: the header's version bytes say raw format ${FORMAT_MAJOR}.${FORMAT_MINOR + 3}, its checksummed copy ${CURRENT}: read as ${CURRENT} (the version bytes are damaged)`;
  const r = memtop(['-r', flipped, '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 4);
  assert.equal(r.err, `memtop: ${line}\n`);
  const proc = makeTree(fakeProcFiles({ uptime: 50, procs: [{ pid: 40 }] }));
  // The recorded host's page size and HZ are the fake tree's: a sample of it is appended.
  const w = memtop(['-w', flipped, '--proc', proc, '--sys', join(proc, 'nosys'), '0.1', '1']);
  assert.equal(w.code, 0, w.err);
  assert.equal(w.err, `memtop: ${line}; appending\n`);
  const after = new RawLog(readFileSync(flipped), flipped);
  assert.equal(after.length, 5);
});
