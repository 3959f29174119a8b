/** atop's number formats (various.c), with the examples atop itself prints. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avioStr, cFixed, cpuStr, elapsedStr, memStr, valStr } from '../src/format/units.js';

const K = 1024;
const M = K * K;
const G = M * K;

test('val2memstr: six characters, first unit not above 999, one decimal', () => {
  assert.equal(memStr(0), '    0B');
  assert.equal(memStr(999), '  999B');
  assert.equal(memStr(1000), '  1.0K');
  assert.equal(memStr(132 * K), '132.0K');
  assert.equal(memStr(999 * K), '999.0K');
  assert.equal(memStr(999 * K + 1), '  1.0M');
  assert.equal(memStr(560.2 * M), '560.2M');
  assert.equal(memStr(23.5 * G), ' 23.5G');
  assert.equal(memStr(2 * 1024 * G), '  2.0T');
});

test('val2memstr: a minimum unit (system lines never below M, LOCKSZ never below K)', () => {
  assert.equal(memStr(0, 'M'), '  0.0M');
  assert.equal(memStr(0, 'K'), '  0.0K');
  assert.equal(memStr(56.5 * M, 'M'), ' 56.5M');
  assert.equal(memStr(3 * G, 'M'), '  3.0G');
});

test('val2memstr: negatives are measured at ten times their size to leave room for the sign', () => {
  assert.equal(memStr(-84 * K), '-84.0K');
  assert.equal(memStr(-150 * K), ' -0.1M');
  assert.equal(memStr(-500 * K), ' -0.5M');
  assert.equal(memStr(-24 * K), '-24.0K');
  assert.equal(memStr(-18.9 * M), '-18.9M');
});

test('val2memstr: exact ties round to even as C printf does', () => {
  assert.equal(memStr(1280 * K), '  1.2M'); // 1.25 MiB
  assert.equal(memStr(1792 * K), '  1.8M'); // 1.75 MiB
  assert.equal(memStr(256 * K, 'M'), '  0.2M'); // 0.25 MiB
  assert.equal(cFixed(2.5, 0), '2');
  assert.equal(cFixed(3.5, 0), '4');
  assert.equal(cFixed(0.15, 1), '0.1'); // 0.1499999... in binary: not a tie
  assert.equal(cFixed(98.5, 0), '98');
  // Ties of memory in pages (k/4 MiB), negative ties, and a magnitude past 2^53 halves (the exact path).
  assert.equal(cFixed(2.25, 1), '2.2');
  assert.equal(cFixed(2.75, 1), '2.8');
  assert.equal(cFixed(-0.25, 1), '-0.2');
  assert.equal(cFixed(-0.5, 0), '0');
  assert.equal(cFixed(-1.5, 0), '-2');
  assert.equal(cFixed(0.125, 2), '0.12');
  assert.equal(cFixed(2 ** 60 + 2 ** 9, 0), (2 ** 60 + 2 ** 9).toFixed(0));
});

test('val2memstr per second: four characters and /s', () => {
  assert.equal(memStr(12 * K * 10, 'B', 10), ' 12K/s');
  assert.equal(memStr(1.2 * K * 10, 'B', 10), '1.2K/s');
  assert.equal(memStr(45 * M * 2, 'B', 2), ' 45M/s');
});

test('val2valstr: right-aligned, exponent form when it does not fit, ? when negative', () => {
  assert.equal(valStr(38019, 6), ' 38019');
  assert.equal(valStr(0, 6), '     0');
  assert.equal(valStr(123456789, 5), '123e6');
  assert.equal(valStr(1234567, 6), '1235e3');
  assert.equal(valStr(999999, 6), '9999e2', 'atop does not round into an extra digit');
  assert.equal(valStr(99999, 5), '999e2');
  assert.equal(valStr(-1, 6), '     ?');
});

test('val2cpustr: seconds with hundredths, then m s, h m, d h', () => {
  assert.equal(cpuStr(2660), ' 2.66s');
  assert.equal(cpuStr(450), ' 0.45s');
  assert.equal(cpuStr(99999), '99.99s');
  assert.equal(cpuStr(100000), ' 1m40s');
  assert.equal(cpuStr(7200 * 1000), ' 2h00m');
  assert.equal(cpuStr(3 * 86400 * 1000 + 4 * 3600 * 1000), '76h00m', 'hours up to 6000 minutes');
  assert.equal(cpuStr(5 * 86400 * 1000 + 3 * 3600 * 1000), ' 5d03h');
});

test('avio: the seven ranges, checked against atop output', () => {
  assert.equal(avioStr(2944 / 29948), '98.3 µs');
  assert.equal(avioStr(0.59), '0.59 ms');
  assert.equal(avioStr(12.8), '12.8 ms');
  assert.equal(avioStr(188), ' 188 ms');
  assert.equal(avioStr(0.005), '5.00 µs');
  assert.equal(avioStr(0.00005), '50.0 ns');
});

test('val2elapstr: lower units follow a higher one', () => {
  assert.equal(elapsedStr(20), '20s');
  assert.equal(elapsedStr(0.2), '0.2s', 'tenths below 10 s: a 0.2-s interval is not "0s"');
  assert.equal(elapsedStr(2.04), '2s');
  assert.equal(elapsedStr(9.94), '9.9s');
  assert.equal(elapsedStr(9.96), '10s');
  assert.equal(elapsedStr(281), '4m41s');
  assert.equal(elapsedStr(3605), '1h0m5s');
  assert.equal(elapsedStr(90061), '1d1h1m1s');
});

test('zero sizes in the process columns print as atop prints them: 0B, except LOCKSZ, which atop keeps in K', async () => {
  // atop 2.8.1 (and its source since: showprocs.c procprt_LOCKSZ_a formats VmLck with KBFORMAT, every
  // other size with BFORMAT) shows `0.0K` under LOCKSZ beside `0B` under SWAPSZ and PSIZE; memtop matches it.
  const { column } = await import('../src/columns/process.js');
  const zero = { locksz: 0, swapsz: 0, vstext: 0, vslibs: 0, vdata: 0, vstack: 0 } as never;
  assert.equal(column('LOCKSZ')!.format(zero), '  0.0K');
  for (const name of ['SWAPSZ', 'VSTEXT', 'VSLIBS', 'VDATA', 'VSTACK']) assert.equal(column(name)!.format(zero), '    0B', name);
});
