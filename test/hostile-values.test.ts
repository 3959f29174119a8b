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
  assert.equal(parsePidStat(STAT(7, '-1e308')), undefined);
  assert.equal(parsePidStat(STAT(7, '-1')), undefined);
  assert.equal(parsePidStat(STAT(7, '10', '1e30')), undefined);
  assert.equal(parsePidStat(STAT(7, '10', 'Infinity')), undefined);
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
  assert.ok(!iv.procs.some((p: { pid: number }) => p.pid === 41), 'a stat line no kernel writes names no process');
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
