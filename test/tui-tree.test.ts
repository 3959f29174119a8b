/**
 * The process tree and the thread list, end to end in a pty read through a
 * headless xterm: a fake /proc with a leaking worker pool under a shell
 * under sshd (e, F5 and --tree: parents, children, tree lines, siblings in
 * the sort; - folds the pool into one row holding its summed memory, +
 * unfolds it; the generic view lists an active worker's idle ancestors
 * too), the same tree in --text; the thread list (y) of a fake process's
 * task/ files and of a real process spinning on its main thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { memtop, requireBuild } from './helpers/cli.js';
import { pidStatLine } from './helpers/procfiles.js';
import { makeTree } from './helpers/trees.js';
import { makeFakeProc, writeFakeProc, type ScreenMoment } from './tui-fakeproc.js';
import { KEY, PtyScreen, sleep } from './tui-harness.js';

requireBuild();

const MiB = 256; // pages

const POOL: ScreenMoment = {
  uptime: 1000,
  procs: [
    { pid: 1, ppid: 0, comm: 'systemd', rss: 9 * MiB },
    { pid: 500, ppid: 1, comm: 'sshd', rss: 8 * MiB },
    { pid: 600, ppid: 500, comm: 'bash', rss: 4 * MiB },
    { pid: 700, ppid: 600, comm: 'pool', rss: 50 * MiB, threads: 3 },
    { pid: 701, ppid: 700, comm: 'worker', rss: 100 * MiB },
    { pid: 702, ppid: 700, comm: 'worker', rss: 300 * MiB },
    { pid: 703, ppid: 700, comm: 'worker', rss: 200 * MiB },
    { pid: 800, ppid: 1, comm: 'cron', rss: 5 * MiB },
    { pid: 900, ppid: 1, comm: 'nginx', rss: 30 * MiB },
  ],
};

/** The tree sorted on RSIZE: each level's siblings largest first. */
const TREE_RSIZE: [number, string][] = [
  [1, 'systemd'],
  [900, '|-nginx'],
  [500, '|-sshd'],
  [600, '| `-bash'],
  [700, '|   `-pool'],
  [702, '|     |-worker'],
  [703, '|     |-worker'],
  [701, '|     `-worker'],
  [800, '`-cron'],
];

/** pid and the tree lines with the command of each process row (the command is the last column). */
function treeRows(lines: string[]): [number, string][] {
  const head = lines.findIndex((l) => /^\s*\*?PID /.test(l));
  assert.ok(head >= 0, 'process header');
  const cmdAt = lines[head]!.indexOf('CMD');
  return lines.slice(head + 1).filter((l) => /^\s*\d+/.test(l)).map((l) => [Number(l.trim().split(/\s+/)[0]), l.slice(cmdAt).trimEnd()]);
}

async function withPool(args: string[], body: (s: PtyScreen, dir: string) => Promise<void>, size: [number, number] = [100, 30]): Promise<void> {
  const fake = makeFakeProc(POOL);
  const s = new PtyScreen(['--proc', fake.dir, ...args, '600'], size[0], size[1]);
  try {
    // The first screen (its header: the 1000 s since boot), not its status line: a message can take that
    // (other tests on this machine contain processes, and the screen reports their end).
    await s.waitFor((t) => /16m40s elapsed/.test(t.lines()[0]!) && !!t.find(/^\s*\*?PID /), 'the first screen');
    await s.settled();
    await body(s, fake.dir);
  } finally {
    await s.close();
    fake.remove();
  }
}

test('e: the tree, children under their parent with tree lines, siblings sorted; - folds the pool into its summed row, + unfolds', { timeout: 60000 }, async () => {
  await withPool(['-m'], async (s) => {
    assert.deepEqual(treeRows(s.lines()).map(([pid]) => pid), [702, 703, 701, 700, 900, 1, 500, 800, 600], 'a list sorted on RSIZE first');
    s.send('e');
    await s.waitFor((t) => treeRows(t.lines())[1]?.[1] === '|-nginx', 'the tree');
    assert.deepEqual(treeRows(s.lines()), TREE_RSIZE);
    // Another sort orders the siblings by it: on PID, descending, as every sort.
    await s.answer('O', 'PID');
    await s.waitFor((t) => treeRows(t.lines())[1]?.[1] === '|-nginx' && treeRows(t.lines())[2]?.[0] === 800, 'siblings on PID');
    assert.deepEqual(treeRows(s.lines()).map(([pid]) => pid), [1, 900, 800, 500, 600, 700, 703, 702, 701]);
    assert.deepEqual(treeRows(s.lines()).map(([, c]) => c).slice(2), ['|-cron', '`-sshd', '  `-bash', '    `-pool', '      |-worker', '      |-worker', '      `-worker'],
      'the last sibling closes its branch: no line below sshd');
    await s.answer('O', 'RSIZE');
    await s.waitFor((t) => treeRows(t.lines())[5]?.[0] === 702, 'back on RSIZE');

    // Fold the pool (the fifth row): one row with the pool's and its workers' memory summed.
    for (let i = 0; i < 4; i++) s.send(KEY.down);
    s.send('-');
    await s.waitFor((t) => treeRows(t.lines()).some(([, c]) => c === '|   `+pool'), 'the pool folded');
    const rows = treeRows(s.lines());
    assert.ok(!rows.some(([pid]) => pid === 701 || pid === 702 || pid === 703), 'its workers are in its row');
    const pool = s.lines().find((l) => /^\s*700 /.test(l))!;
    assert.match(pool, /650\.0M/, `RSIZE of the pool and its workers summed (50+100+300+200 MiB): ${pool}`);
    s.send('+');
    await s.waitFor((t) => treeRows(t.lines()).length === 9, 'unfolded');
    assert.deepEqual(treeRows(s.lines()), TREE_RSIZE);

    // F5 is the same key, as in htop.
    s.send('\x1b[15~');
    await s.waitFor((t) => treeRows(t.lines())[0]?.[0] === 702, 'F5: the list again');
  });
});

test('--tree in the generic view: an active worker is listed under its idle parents; the help names the keys', { timeout: 60000 }, async () => {
  await withPool(['--tree'], async (s, dir) => {
    await s.waitFor((t) => treeRows(t.lines())[1]?.[1] === '|-nginx' || treeRows(t.lines()).length > 0, 'rows');
    // 20 s later only worker 702 used CPU.
    writeFakeProc(dir, { ...POOL, uptime: 1020, procs: POOL.procs.map((p) => (p.pid === 702 ? { ...p, utime: 500 } : p)) });
    s.send('t');
    await s.waitText(/20s elapsed/);
    await s.waitFor((t) => treeRows(t.lines()).length === 5, 'the active worker and its ancestors');
    assert.deepEqual(treeRows(s.lines()), [
      [1, 'systemd'], [500, '`-sshd'], [600, '  `-bash'], [700, '    `-pool'], [702, '      `-worker'],
    ]);
    s.send('?');
    await s.waitText(/e F5\s+process tree \/ list/);
    assert.ok(s.find(/- \+\s+tree: fold \/ unfold subtree/), 'the fold keys in the help');
    assert.ok(s.find(/y H\s+threads of the process/), 'the thread key in the help');
  });
});

test('--text --tree prints the same tree; the per-user view stays a list', () => {
  const fake = makeFakeProc(POOL);
  try {
    const r = memtop(['--proc', fake.dir, '--text', '--tree', '-m', '--width', '100', '1', '1']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(treeRows(r.out.split('\n')), TREE_RSIZE);
    const users = memtop(['--proc', fake.dir, '--text', '--tree', '-V', 'user', '--width', '100', '1', '1']);
    assert.equal(users.code, 0, users.err);
    assert.match(users.out, /NPROCS.*USER\n\s+9 /, 'one row for the one user, no tree lines');
  } finally {
    fake.remove();
  }
});

/** task/TID/stat files of a process: [tid, name, state, ticks of CPU since it started]. */
function taskFiles(pid: number, threads: [number, string, string, number][]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [tid, comm, state, ticks] of threads) {
    files[`${pid}/task/${tid}/stat`] = pidStatLine({ pid: tid, ppid: 600, comm, state, utime: ticks, stime: 0, starttime: 0, processor: tid % 2 });
  }
  return files;
}

test('y: the threads of the highlighted process, busiest first, with their state; Esc back', { timeout: 60000 }, async () => {
  await withPool(['-m'], async (s, dir) => {
    // Over the 1000 s since they started: gc 500 s of CPU (50%), the main thread 10 s (1%), io none.
    makeTree(taskFiles(700, [[700, 'pool', 'S', 1000], [7001, 'gc', 'R', 50000], [7002, 'io', 'D', 0]]), dir);
    const at = treeRows(s.lines()).findIndex(([pid]) => pid === 700);
    for (let i = 0; i < at; i++) s.send(KEY.down);
    s.send('y');
    await s.waitText(/THREADS of pid 700 \(pool\)/);
    assert.ok(s.find(/^3 threads; CPU since each thread started/), s.dump());
    const rows = s.lines().filter((l) => /^\s+\d+ [A-Z] /.test(l)).map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r.at(-1)]), [['7001', 'R', '50%', 'gc'], ['700', 'S', '1%', 'pool'], ['7002', 'D', '0%', 'io']]);
    s.send(KEY.escape);
    await s.waitFor((t) => !t.find(/THREADS of/) && treeRows(t.lines()).length === 9, 'the list again');
  });
});

test('y on a real process: its threads from /proc, the spinning main thread busiest over the interval', { timeout: 60000 }, async () => {
  // Node has several threads of its own (V8 platform workers, libuv); the main thread spins.
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 60000; while (Date.now() < end) {}'], { stdio: 'ignore' });
  const s = new PtyScreen(['1'], 120, 30);
  try {
    await s.waitText(/PID/);
    await s.answer('I', String(child.pid));
    await s.waitFor((t) => treeRows(t.lines())[0]?.[0] === child.pid, 'the child listed alone');
    s.send('y');
    await s.waitText(new RegExp(`THREADS of pid ${child.pid} \\(node\\)`));
    // After an interval the share is over the interval; the spinning thread (tid = pid) is on top.
    await s.waitFor((t) => !!t.find(/threads; CPU over the last/), 'a second reading', 15000);
    await s.waitFor((t) => {
      const rows = t.lines().filter((l) => /^\s+\d+ [A-Z] /.test(l)).map((l) => l.trim().split(/\s+/));
      return rows.length >= 2 && rows[0]![0] === String(child.pid) && Number(rows[0]![2]!.replace('%', '')) > 0;
    }, 'the main thread busiest', 15000);
    const n = Number(/^(\d+) threads/m.exec(s.lines().join('\n'))![1]);
    assert.ok(n >= 2, `node runs more than one thread: ${n}`);
    s.send(KEY.escape);
    await s.waitFor((t) => !t.find(/THREADS of/), 'back');
  } finally {
    await s.close();
    child.kill('SIGKILL');
  }
  await sleep(10);
});
