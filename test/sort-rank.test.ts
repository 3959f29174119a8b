/**
 * The RGROW and TRATE sorts rank what grew, not what was born: a process new
 * in the interval (its RGROW is its whole size, as atop's) and a process too
 * young for a windowed rate come after every established process that grew,
 * before those that did not; the figures stay atop's; --sort-atop sorts on
 * the figure alone; per user and per program the same rule on the rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateProcs } from '../src/columns/aggregate.js';
import { column, columnOf, sortProcs, YOUNG_MARK } from '../src/columns/process.js';
import { VIEWS } from '../src/columns/views.js';
import { intervalJson } from '../src/output/json.js';
import { layoutProcs } from '../src/output/proclist.js';
import type { Interval } from '../src/model/interval.js';
import { proc } from './helpers/procs.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const busy = () => [
  proc({ pid: 10, cmd: 'leaker', rgrow: 5 * MiB, rsize: 400 * MiB, trate: 5 * MiB }),
  proc({ pid: 11, cmd: 'sshd', rgrow: 4 * KiB, rsize: 8 * MiB, trate: 100 }),
  proc({ pid: 12, cmd: 'python3', isNew: true, rgrow: 300 * MiB, rsize: 300 * MiB, trate: 30 * MiB, young: true }),
  proc({ pid: 13, cmd: 'node', isNew: true, rgrow: 120 * MiB, rsize: 120 * MiB }),
  proc({ pid: 14, cmd: 'idle', rgrow: 0, rsize: 50 * MiB, trate: 0 }),
  proc({ pid: 15, cmd: 'gc', rgrow: -20 * MiB, rsize: 200 * MiB, trate: -1 * MiB }),
  proc({ pid: 16, cmd: 'python3', rgrow: 0, rsize: 210 * MiB, trate: 20 * MiB, young: true }),
];
const pids = (rows: { pid: number }[]) => rows.map((p) => p.pid);

test('RGROW: what grew first, then what was born (by size), then what did not grow; --sort-atop: the figure alone', () => {
  const rgrow = columnOf('RGROW');
  assert.deepEqual(pids(sortProcs(busy(), rgrow)), [10, 11, 12, 13, 14, 16, 15]);
  assert.deepEqual(pids(sortProcs(busy(), rgrow, true)), [12, 13, 10, 11, 14, 16, 15], 'atop\'s order');
  // The figure is atop's: a new process's RGROW is its whole size.
  const born = busy()[2]!;
  assert.equal(rgrow.get(born), 300 * MiB);
  assert.equal(rgrow.format(born).trim(), '300.0M');
});

test('TRATE: established growth first, then the young rates (marked ~), then the rest; unknown last', () => {
  const trate = columnOf('TRATE');
  assert.deepEqual(pids(sortProcs(busy(), trate)), [10, 11, 12, 16, 14, 15, 13]);
  assert.deepEqual(pids(sortProcs(busy(), trate, true)), [12, 16, 10, 11, 14, 15, 13]);
  const [, sshd, young] = busy();
  assert.equal(trate.format(young!), ' ~30M/s');
  assert.equal(trate.format(young!).length, 7);
  assert.equal(trate.format(sshd!).trim(), '100B/s', 'an established rate unmarked');
  assert.equal(trate.format(proc({ trate: -148 * MiB, young: true })), ` ${YOUNG_MARK}-148M`, 'the mark kept, /s dropped');
  assert.equal(trate.format(proc({ trate: -148 * MiB })), '-148M/s');
  assert.equal(trate.format(proc({ trate: undefined, young: false })).trim(), '?');
});

test('the leak view (LEAK sort): the suspects first, then the rest as TRATE ranks them', () => {
  const procs = busy();
  procs[0]!.leak = true;
  assert.deepEqual(pids(sortProcs(procs, columnOf('LEAK'))), [10, 11, 12, 16, 14, 15, 13]);
});

test('per program and per user: a row ranks by its established processes\' growth, else by its new ones\'', () => {
  const rows = aggregateProcs(busy(), 'program');
  const py = rows.find((r) => r.cmd === 'python3')!;
  assert.equal(py.nprocs, 2);
  assert.equal(py.rgrow, 300 * MiB, 'the figure: the sum, as atop');
  assert.deepEqual([py.born, py.bornGrow, py.youngRate], [1, 300 * MiB, 50 * MiB]);
  const byRgrow = sortProcs(rows.slice(), columnOf('RGROW')).map((r) => r.cmd);
  assert.deepEqual(byRgrow, ['leaker', 'sshd', 'python3', 'node', 'idle', 'gc']);
  const byTrate = sortProcs(rows.slice(), columnOf('TRATE')).map((r) => r.cmd);
  assert.deepEqual(byTrate.slice(0, 3), ['leaker', 'sshd', 'python3']);
  // One user holds everything: its established growth (5 MiB + 4 KiB - 20 MiB) is negative, but it holds new processes.
  const [root] = aggregateProcs(busy(), 'user');
  assert.equal(root!.born, 2);
  assert.equal(columnOf('RGROW').rank!(root!), 2 ** 50 + 420 * MiB);
});

test('the text output and --sort-atop: the same rule in every output that sorts', () => {
  const procs = busy();
  const { rows } = layoutProcs(procs, VIEWS.memory, 160, column('rgrow')!);
  assert.deepEqual(pids(rows), [10, 11, 12, 13, 14, 16, 15]);
  const atop = layoutProcs(busy(), VIEWS.memory, 160, column('rgrow')!, { sortAtop: true });
  assert.equal(atop.rows[0]!.pid, 12);
});

test('JSON: new and young say what the screen marks', () => {
  const iv = { procs: busy(), exited: [], dsk: [], lvm: [], mdd: [], cgroups: [], mem: {}, swp: {}, pag: {}, time: 0, elapsed: 1, host: 'h' };
  const j = intervalJson(iv as unknown as Interval) as { procs: Record<string, unknown>[] };
  const born = j.procs.find((p) => p.pid === 12)!;
  assert.deepEqual([born.new, born.young, born.rgrow, born.trate], [true, true, 300 * MiB, 30 * MiB]);
  const old = j.procs.find((p) => p.pid === 10)!;
  assert.deepEqual([old.new, old.young], [false, false]);
});

test('an OOM victim keeps its OOM mark and a contained process its [C] with a 15-character command', async () => {
  const { exitedRow } = await import('../src/output/proclist.js');
  const cmd = columnOf('CMD');
  const long = 'postgres-worker';
  assert.equal(cmd.format(exitedRow({ pid: 9, cmd: long, rsize: MiB, oom: true })), '<postgres> OOM');
  assert.equal(cmd.format(exitedRow({ pid: 9, cmd: 'ab', rsize: MiB, oom: true })), '<ab> OOM      ');
  assert.equal(cmd.format(exitedRow({ pid: 9, cmd: 'ab', rsize: MiB, oom: false })), '<ab>          ');
  assert.equal(cmd.format(proc({ cmd: long, contained: true })), 'postgres-w [C]');
  assert.equal(cmd.format(proc({ cmd: long })), 'postgres-worke');
});

test('a process gone in the interval keeps its last TRATE and whether it was young: its row ranks as it did', async () => {
  const { exitedRow } = await import('../src/output/proclist.js');
  const gone = exitedRow({ pid: 20, cmd: 'burst', rsize: 200 * MiB, oom: false, trate: 70 * MiB, young: true });
  const rows = sortProcs([gone, ...busy()], columnOf('TRATE'));
  assert.ok(pids(rows).indexOf(20) > pids(rows).indexOf(11), 'after every established grower');
  assert.equal(columnOf('TRATE').format(gone), ' ~70M/s');
});

test('the trend panel (B) picks by the same rule: the top grower and the fastest TRATE are established ones', async () => {
  const { topGrower, topTrend } = await import('../src/view/trendseries.js');
  assert.equal(topGrower(busy())?.pid, 10, 'not the 300 MiB process born in the interval');
  assert.equal(topTrend(busy(), false)?.pid, 10, 'not the young 30 MiB/s');
  assert.equal(topTrend(busy().filter((p) => p.pid !== 10 && p.pid !== 11), false)?.pid, 12, 'a young rate when no established one grows');
});
