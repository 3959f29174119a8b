/** The reader's file access: whole files through one reused, growing buffer; gone and missing files. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { DENIED, GONE, readOptional, readText } from '../src/reader/readfile.js';
import { makeTree } from './helpers/trees.js';

test('a file larger than the buffer is read whole, in either mode', () => {
  const big = 'x'.repeat(200_000) + 'END\n';
  const dir = makeTree({ big, small: 'tiny\n' });
  assert.equal(readText(join(dir, 'big')), big);
  assert.equal(readText(join(dir, 'big'), true), big);
  assert.equal(readText(join(dir, 'small'), true), 'tiny\n', 'the buffer is reused, no leftovers');
});

test('a missing file is gone, not an error; unreadable is told apart', () => {
  assert.equal(readText('/nonexistent/stat'), GONE);
  assert.equal(readOptional('/nonexistent/stat'), undefined);
  assert.notEqual(GONE, DENIED);
  const dir = makeTree({ 'd/x': '' });
  assert.equal(readText(join(dir, 'd')), GONE, 'a directory reads as gone (EISDIR), never throws');
});

test('/proc/self/stat and a multi-page /proc file read whole', () => {
  const stat = readText('/proc/self/stat', true);
  assert.ok(typeof stat === 'string' && stat.endsWith('\n') && stat.includes(`${process.pid} (`));
  const maps = readText('/proc/self/maps');
  assert.ok(typeof maps === 'string' && maps.endsWith('\n'));
  assert.ok(maps.split('\n').length > 10);
});
