/**
 * Figures no kernel can produce (issue 11): a non-numeric Uid, negative,
 * non-finite and beyond-2^64 sizes and counters in status, stat, meminfo
 * and diskstats are unknown (? on the text output, null in JSON) in every
 * output and in the raw log, never NaN or the absurd number itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDiskstats } from '../src/procfs/diskstats.js';
import { parseMeminfo } from '../src/procfs/meminfo.js';
import { parsePidStat, parsePidStatus } from '../src/procfs/pid.js';
import { memtop as run } from './helpers/cli.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';

const memtop = (...args: string[]) => run(args);

const STAT = (pid: number, rss: string, vsize = '4096000') =>
  `${pid} (p${pid}) S 1 ${pid} ${pid} 0 -1 4194560 10 0 0 0 5 5 0 0 20 0 1 0 100 ${vsize} ${rss} ` +
  '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n';

test('parsers: absurd sizes and counters are unknown, a 2^64 - 1 counter is not absurd', () => {
  const st = parsePidStatus('Uid:\tabc\tabc\tabc\tabc\nVmSize:\t100 kB\nVmExe:\t-7 kB\nVmSwap:\t100000000000000000000 kB\nVmData:\t1e400 kB\nVmLib:\t12 kB\n');
  assert.equal(st.uid, undefined);
  assert.equal(st.euid, undefined);
  assert.equal(st.vmExe, undefined);
  assert.equal(st.vmSwap, undefined);
  assert.equal(st.vmData, undefined);
  assert.equal(st.vmLib, 12 * 1024);
  assert.equal(parsePidStat(STAT(7, '-1e308'))?.rss, undefined);
  assert.equal(parsePidStat(STAT(7, '-1'))?.rss, undefined);
  assert.equal(parsePidStat(STAT(7, '10', '1e30'))?.vsize, undefined);
  assert.equal(parsePidStat(STAT(7, '10', 'Infinity'))?.vsize, undefined);
  assert.equal(parsePidStat(STAT(7, '10', 'Infinity'))?.rss, 10, 'the other fields of the line still read');
  assert.equal(parsePidStat(STAT(7, '10'))?.rss, 10);
  const mem = parseMeminfo('MemTotal: -5 kB\nMemFree: 100000000000000000000 kB\nCached: 36028797018963968 kB\nBuffers: 7 kB\n');
  assert.deepEqual(mem, { Buffers: 7 * 1024 }, 'only Buffers is a size the kernel can print');
  const disks = parseDiskstats([
    '8 0 sda -1 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0',
    '8 16 sdb 1e308 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0',
    '8 32 sdc 18446744073709551615 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0',
  ].join('\n'));
  assert.deepEqual(disks.map((d) => d.name), ['sdc']);
});

test('a bad Uid and absurd figures reach no output as figures: text, JSON and the raw log', () => {
  const files = fakeProcFiles({ uptime: 50, procs: [{ pid: 40, swapKb: 8 }, { pid: 41 }, { pid: 42 }] });
  files['40/status'] = files['40/status']!.replace(/^Uid:.*$/m, 'Uid:\tNaN\tx\ty\tz').replace(/^VmExe:.*$/m, 'VmExe:\t-7 kB')
    .replace(/^VmSwap:.*$/m, 'VmSwap:\t100000000000000000000 kB');
  files['41/stat'] = STAT(41, '-1e308');
  files.diskstats = '   8       0 sda -1 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0\n   8      16 sdb 1e308 0 800 50 200 0 1600 80 0 120 130 0 0 0 0 0 0\n';
  files.meminfo = files.meminfo!.replace(/^Shmem:.*$/m, 'Shmem: -1 kB');
  const proc = makeTree(files);
  const root = ['--proc', proc, '--sys', join(proc, 'nosys')];

  const json = memtop(...root, '--json', '1', '1');
  assert.equal(json.code, 0, json.err);
  assert.doesNotMatch(json.out, /NaN|e\+|-7168|1e308|Infinity/);
  const iv = JSON.parse(json.out);
  const p40 = iv.procs.find((p: { pid: number }) => p.pid === 40);
  assert.equal(p40.user, '?');
  assert.equal(p40.vstext, null);
  assert.equal(p40.swapsz, null);
  const p41 = iv.procs.find((p: { pid: number }) => p.pid === 41);
  assert.ok(p41, 'a stat line with one absurd field still lists its process');
  assert.equal(p41.rsize, null);
  assert.equal(p41.mem, null);
  assert.ok(iv.procs.some((p: { pid: number }) => p.pid === 42));

  for (const view of ['generic', 'memory', 'user']) {
    const text = memtop(...root, '--text', '-a', '-V', view, '--width', '160', '1', '1');
    assert.equal(text.code, 0, text.err);
    assert.doesNotMatch(text.out, /NaN|Infinity|-7\.0K|-7K|\be\+/, view);
  }
  const mem = memtop(...root, '--text', '-m', '-a', '--width', '160', '1', '1');
  const row40 = mem.out.split('\n').find((l) => /^\s*40\s/.test(l));
  assert.ok(row40, mem.out);
  assert.match(row40, /\?/, 'VSTEXT or SWAPSZ shows ? for the absurd figure');

  const dir = mkdtempSync(join(tmpdir(), 'memtop-values-'));
  const log = join(dir, 'log');
  const rec = memtop(...root, '-w', log, '1', '1');
  assert.equal(rec.code, 0, rec.err);
  const replay = memtop('-r', log, '--json');
  assert.equal(replay.code, 0, replay.err);
  assert.doesNotMatch(replay.out, /NaN|-7168|Infinity|1e\+20/);
  const back = JSON.parse(replay.out.trim().split('\n')[0]!);
  const r40 = back.procs.find((p: { pid: number }) => p.pid === 40);
  assert.equal(r40.user, '?');
  assert.equal(r40.vstext, null);
  assert.equal(r40.swapsz, null);
  writeFileSync(join(dir, 'done'), '');
});

/** `line` with field `n` of proc(5) (1 = pid) replaced: the command names here hold no spaces. */
function withField(line: string, n: number, value: string): string {
  const f = line.trimEnd().split(' ');
  f[n - 1] = value;
  return f.join(' ') + '\n';
}

test('one absurd stat field is unknown alone (? and null, left out of sums), a broken stat line leaves its process out with one note', () => {
  const files = fakeProcFiles({
    uptime: 50,
    procs: [{ pid: 50, rss: 300, utime: 40 }, { pid: 51, rss: 200 }, { pid: 52 }, { pid: 53 }, { pid: 54, rss: 100, utime: 10 }],
  });
  // 50: utime not a number, nice 99, starttime 1e400, processor -3; 51: rss -1e308.
  let s50 = files['50/stat']!;
  for (const [n, v] of [[14, 'abc'], [19, '99'], [22, '1e400'], [39, '-3']] as const) s50 = withField(s50, n, v);
  files['50/stat'] = s50;
  files['51/stat'] = withField(files['51/stat']!, 24, '-1e308');
  files['52/stat'] = files['52/stat']!.replace('(proc52)', 'proc52'); // no (comm)
  files['53/stat'] = files['53/stat']!.split(' ').slice(0, 12).join(' '); // cut short
  const proc = makeTree(files);
  const root = ['--proc', proc, '--sys', join(proc, 'nosys')];

  const json = memtop(...root, '--json', '1', '2');
  assert.equal(json.code, 0, json.err);
  assert.doesNotMatch(json.out, /NaN|Infinity|1e\+|-1e308/);
  const notes = json.err.trim().split('\n').filter(Boolean);
  assert.equal(notes.filter((l) => l.includes('/52/stat')).length, 1, `one note for the line without (comm): ${json.err}`);
  assert.equal(notes.filter((l) => l.includes('/53/stat')).length, 1, `one note for the line cut short: ${json.err}`);
  assert.ok(!notes.some((l) => /\/5[014]\/stat/.test(l)), `no note for a field unknown alone: ${json.err}`);
  const [first, second] = json.out.trim().split('\n').map((l) => JSON.parse(l));
  type P = Record<string, number | string | null>;
  const byPid = (iv: { procs: P[] }, pid: number) => iv.procs.find((p) => p.pid === pid);
  for (const iv of [first, second]) {
    assert.equal(byPid(iv, 52), undefined);
    assert.equal(byPid(iv, 53), undefined);
    const p50 = byPid(iv, 50)!;
    assert.ok(p50, 'a process with unknown fields is listed');
    assert.equal(p50.usrcpu, null);
    assert.equal(p50.cpu, null);
    assert.equal(p50.rsize, 300 * 4096, 'its known fields are figures');
    const p51 = byPid(iv, 51)!;
    assert.deepEqual([p51.rsize, p51.mem, p51.rgrow], [null, null, null]);
    assert.equal(p51.vsize, 1000 * 4096);
    assert.ok(byPid(iv, 54));
  }
  // Matched by pid alone while its start time is unknown: no growth in the second interval, not a new process.
  assert.equal(byPid(second, 50)!.rgrow, 0);
  assert.equal(byPid(second, 54)!.rgrow, 0);

  const text = memtop(...root, '--text', '-m', '-a', '--width', '160', '1', '1');
  assert.equal(text.code, 0, text.err);
  assert.doesNotMatch(text.out, /NaN|Infinity|\be\+/);
  const row = (pid: number) => text.out.split('\n').find((l) => new RegExp(`^\\s*${pid}\\s`).test(l));
  assert.ok(row(50) && row(51) && row(54), text.out);
  assert.equal(row(52), undefined);
  assert.match(row(51)!, /\?/, 'RSIZE shows ? for the absurd rss');

  // The per-user row sums the known sizes only: RSIZE of 50 (300 pages) and 54 (100 pages), 51's unknown: 1.6M.
  const users = memtop(...root, '--text', '-V', 'user', '-a', '--width', '160', '1', '1');
  assert.equal(users.code, 0, users.err);
  const lines = users.out.split('\n');
  const header = lines.find((l) => /\bRSIZE\b/.test(l) && /\bUSER\b/.test(l))!;
  const rootRow = lines.find((l) => /\sroot\s*$/.test(l))!;
  assert.ok(header && rootRow, users.out);
  const at = header.indexOf('RSIZE');
  assert.equal(rootRow.slice(at - 1, at + 5).trim(), '1.6M', users.out);
});
