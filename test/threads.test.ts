/**
 * The thread list's figures (src/view/threadpane.ts, src/reader/threads.ts)
 * on fake task/ trees: the share over an interval between two readings, a
 * thread's share since it started on the first, a tid the kernel gave to a
 * new thread in between (another start time: no interval figure), unknown
 * times, and a process that ended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { readThreads } from '../src/reader/threads.js';
import { threadRows, ThreadPane } from '../src/view/threadpane.js';
import { pidStatLine } from './helpers/procfiles.js';
import { makeTree } from './helpers/trees.js';

const task = (pid: number, tid: number, comm: string, ticks: number, starttime = 0) => ({
  [`${pid}/task/${tid}/stat`]: pidStatLine({ pid: tid, comm, state: 'S', utime: ticks, stime: 0, starttime }),
});

test('per-thread CPU: since it started at first, then over the interval; a reused tid starts again', () => {
  const dir = makeTree({ uptime: '200.00 0.00\n', ...task(5, 5, 'main', 1000), ...task(5, 6, 'gc', 100), ...task(5, 7, 'old', 50, 100) });
  try {
    const first = readThreads(dir, 5, 1_000_000);
    assert.equal(first.count, 3);
    // 10 s of CPU in 200 s, 1 s in 200 s, 0.5 s in the 199 s since tick 100.
    assert.deepEqual(threadRows(first, undefined).map((t) => [t.tid, Math.round(t.cpu! * 100) / 100]), [[5, 5], [6, 0.5], [7, 0.25]]);
    // 2 s later: main used 1 s (100 ticks), gc none, and tid 7 is a new thread (started at tick 20000, 2 s ago: 0.1 s of CPU is 5%).
    makeTree({ uptime: '202.00 0.00\n', ...task(5, 5, 'main', 1100), ...task(5, 6, 'gc', 100), ...task(5, 7, 'new', 10, 20000) }, dir);
    const second = readThreads(dir, 5, 1_002_000);
    const rows = threadRows(second, first);
    assert.deepEqual(rows.map((t) => [t.tid, t.name, Math.round(t.cpu! * 100) / 100]), [[5, 'main', 50], [7, 'new', 5], [6, 'gc', 0]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the pane says why when the process has ended, and cuts a long list with a count', () => {
  const files: Record<string, string> = { uptime: '100.00 0.00\n' };
  for (let t = 100; t < 160; t++) Object.assign(files, task(100, t, `w${t}`, t));
  const dir = makeTree(files);
  try {
    const pane = new ThreadPane(100, 'pool', { readThreads: (p) => readThreads(dir, p) });
    const lines = pane.lines(80, 20);
    assert.equal(lines.length, 20);
    assert.match(lines[0]!, /^60 threads; CPU since each thread started/);
    assert.match(lines[19]!, /^\.\.\. 43 more threads$/);
    assert.match(lines[2]!, /^\s+159 S\s+2%/, 'the busiest first');
    rmSync(`${dir}/100`, { recursive: true, force: true });
    pane.refresh();
    assert.deepEqual(pane.lines(80, 20), ['threads of 100: the process has ended']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
