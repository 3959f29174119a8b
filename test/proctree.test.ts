/**
 * The process tree's order on made-up rows (src/output/proctree.ts), the
 * cases a live /proc rarely shows: a parent missing from the interval, a
 * cycle of ppids (a damaged --proc), a chain deeper than the prefix has
 * room for, folded subtrees summing what they hold (unknown sizes stay
 * unknown only when unknown for all), an exited process at the root; and
 * the tree of a replay, from the ppids the recording holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { column } from '../src/columns/process.js';
import type { ProcInterval } from '../src/model/interval.js';
import { MAX_PREFIX, processTree } from '../src/output/proctree.js';
import { rmSync } from 'node:fs';
import { VIEWS } from '../src/columns/views.js';
import { Sampler } from '../src/reader/sampler.js';
import { fakeReplay, FakeScreen } from './helpers/screen.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';

const row = (pid: number, ppid: number, rsize?: number, extra: Partial<ProcInterval> = {}): ProcInterval => ({
  pid, ppid, user: 'u', state: 'S', cmd: `p${pid}`, isNew: false, threads: 1, nice: 0, priority: 20, processor: 0,
  minflt: 0, majflt: 0, syscpu: 0, usrcpu: 0, cpu: 0, vsize: rsize ?? 0, rsize, vgrow: 0, rgrow: rsize === undefined ? undefined : rsize / 10, swapsz: 0,
  mem: 0, leak: false, ...extra,
} as ProcInterval);

const RSIZE = column('RSIZE')!;
const order = (t: ReturnType<typeof processTree>) => t.rows.map((p) => `${t.prefix.get(p)}${p.pid}`);

test('children under their parent, siblings by the sort, a parent outside the interval makes a root', () => {
  const procs = [row(1, 0, 10), row(2, 1, 5), row(3, 1, 50), row(4, 3, 1), row(9, 77, 99)];
  assert.deepEqual(order(processTree(procs, procs, RSIZE)), ['9', '1', '|-3', '| `-4', '`-2']);
});

test('listed rows bring their ancestors; a cycle of ppids ends', () => {
  const all = [row(1, 0, 10), row(2, 1, 5), row(3, 2, 1), row(10, 11, 1), row(11, 10, 2)];
  assert.deepEqual(order(processTree([all[2]!], all, RSIZE)), ['1', '`-2', '  `-3']);
  // 10 and 11 are each other's parent: neither is a root, yet both are listed and the walk ends.
  assert.deepEqual(order(processTree([all[3]!, all[4]!], all, RSIZE)), ['11', '`-10']);
});

test('a chain of 5000 processes: no stack overflow, prefixes cut to MAX_PREFIX', () => {
  const procs = Array.from({ length: 5000 }, (_, i) => row(i + 1, i, 1));
  const t = processTree(procs, procs, RSIZE);
  assert.equal(t.rows.length, 5000);
  assert.ok(t.depthWidth <= MAX_PREFIX);
  assert.ok(t.prefix.get(t.rows[4999]!)!.startsWith('..'));
});

test('a folded process holds its subtree summed and sorts among its siblings by the sum; exited rows are roots', () => {
  const procs = [row(1, 0, 10), row(2, 1, 30), row(3, 1, 5), row(4, 3, 20), row(5, 3, undefined), row(6, 1, 1, { exited: 'exit' })];
  const t = processTree(procs, procs, RSIZE, new Set([3]));
  assert.deepEqual(order(t), ['1', '|-2', '`+3', '6'], '3 folded (+), 4 and 5 in its row; the exited 6 a root');
  const folded = t.rows.find((p) => p.pid === 3)!;
  assert.equal(folded.rsize, 25, '5 + 20, the unknown left out');
  assert.equal(folded.nprocs, 3);
  assert.equal(procs[2]!.rsize, 5, 'the process row itself is not changed');
  // Folded, 3 sorts by its sum: 25 stays after 2 (30); with 4 at 40 (sum 45) it goes first.
  const bigger = procs.map((p) => (p.pid === 4 ? row(4, 3, 40) : p));
  assert.deepEqual(order(processTree(bigger, bigger, RSIZE, new Set([3]))).slice(0, 3), ['1', '|+3', '`-2']);
});

test('a replay shows the tree from the recorded ppids; y says threads are not recorded', () => {
  const moment = (uptime: number) => ({
    uptime,
    procs: [
      { pid: 1, ppid: 0, comm: 'init', rss: 100 }, { pid: 10, ppid: 1, comm: 'pool', rss: 300 },
      { pid: 11, ppid: 10, comm: 'worker', rss: 200 }, { pid: 12, ppid: 10, comm: 'worker', rss: 400 },
    ],
  });
  const dir = makeTree(fakeProcFiles(moment(100)));
  try {
    let now = 1_000_000;
    const sampler = new Sampler({ proc: dir, sys: `${dir}/nosys`, now: () => now });
    const first = sampler.sample();
    makeTree(fakeProcFiles(moment(110)), dir);
    now += 10_000;
    const s = new FakeScreen(fakeReplay([first, sampler.sample()]), { view: VIEWS.memory, tree: true }, [100, 30]);
    s.state.start();
    assert.deepEqual(s.cmds().map((c, i) => `${s.rows()[i]!.trim().split(/\s+/)[0]} ${c}`), ['1 init', '10 `-pool', '12 |-worker', '11 `-worker']);
    assert.match(s.rows()[2]!, /\s{2}\|-worker/, 'the worker indented under pool');
    s.press('y');
    assert.match(s.status(), /threads are read from a live process \(not recorded\): not in a replay/);
    s.press('e');
    assert.deepEqual(s.cmds(), ['worker', 'pool', 'worker', 'init'], 'e: the list again, on RSIZE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
