/**
 * n, F7 and F8 (htop's nice keys): the checks before anything is done, on a
 * fake system (pid 1, memtop itself, kernel threads, an exited process, a
 * reused pid, EACCES and EPERM), then end to end in a pty: memtop renices a
 * child process this test owns, and every thread's nice in /proc is checked.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { niceTarget, parseNice, processTarget, renice, stillThere, type NiceSystem } from '../src/view/renice.js';
import { CLI } from './helpers/cli.js';
import { KEY, PtyScreen } from './tui-harness.js';

/** No containment records (a state dir that is not there), whatever other tests record in /run/memtop meanwhile. */
const NO_STATE = join(tmpdir(), `memtop-no-state-${process.pid}`);

/** A stat line with the fields niceTarget reads: ppid (4), flags (9), nice (19), starttime (22). */
function statLine(pid: number, comm: string, o: { ppid?: number; flags?: number; nice?: number; starttime?: number } = {}): string {
  const f = Array.from({ length: 50 }, () => '0');
  f[0] = 'S';
  f[1] = String(o.ppid ?? 1);
  f[6] = String(o.flags ?? 0x400000);
  f[16] = String(o.nice ?? 0);
  f[19] = String(o.starttime ?? 5000);
  return `${pid} (${comm}) ${f.join(' ')}\n`;
}

function fakeSystem(stats: Record<number, string>, fail?: (tid: number) => string | undefined) {
  const set: [number, number][] = [];
  const sys: NiceSystem = {
    stat: (pid) => stats[pid],
    threads: (pid) => (pid === 300 ? [300, 301, 302] : [pid]),
    setPriority: (tid, nice) => {
      const code = fail?.(tid);
      if (code) throw Object.assign(new Error('A system error occurred'), { code: 'ERR_SYSTEM_ERROR', info: { code } });
      set.push([tid, nice]);
    },
    self: 999,
  };
  return { sys, set };
}

test('renice refuses pid 1, memtop itself, kernel threads and a gone process, before asking a value', () => {
  const { sys, set } = fakeSystem({
    1: statLine(1, 'systemd', { ppid: 0 }),
    999: statLine(999, 'node'),
    2: statLine(2, 'kthreadd', { ppid: 0, flags: 0x208040 }),
    55: statLine(55, 'kworker/0:1', { ppid: 2, flags: 0x4208060 }),
    // A kernel thread known by its flags alone (PF_KTHREAD), as in a pid namespace where kthreadd is not pid 2.
    56: statLine(56, 'odd', { ppid: 0, flags: 0x00200000 }),
  });
  assert.match(niceTarget(1, sys) as string, /pid 1 \(init\) is never reniced/);
  assert.match(niceTarget(999, sys) as string, /memtop itself/);
  assert.match(niceTarget(2, sys) as string, /kernel thread/);
  assert.match(niceTarget(55, sys) as string, /pid 55 \(kworker\/0:1\) is a kernel thread/);
  assert.match(niceTarget(56, sys) as string, /kernel thread/);
  assert.match(niceTarget(4242, sys) as string, /renice 4242: no such process/);
  assert.deepEqual(set, []);
});

test('renice reads the process again: a reused pid or an exited process gets nothing', () => {
  const stats: Record<number, string> = { 300: statLine(300, 'worker', { starttime: 7000, nice: 0 }) };
  const { sys, set } = fakeSystem(stats);
  const target = niceTarget(300, sys);
  assert.ok(typeof target === 'object');
  stats[300] = statLine(300, 'other', { starttime: 7100 });
  assert.match(renice(target, 5, sys), /pid 300 is another process now \(other\): nothing done/);
  delete stats[300];
  assert.match(renice(target, 5, sys), /no such process \(it has exited\)/);
  assert.deepEqual(set, []);
  stats[300] = statLine(300, 'worker', { starttime: 7000, nice: 0 });
  assert.equal(renice(target, 5, sys), 'reniced 300 (worker) from 0 to 5, 3 threads');
  assert.deepEqual(set, [[300, 5], [301, 5], [302, 5]]);
});

test('EACCES and EPERM are said plainly; a thread that ended meanwhile is passed over', () => {
  const stats = { 300: statLine(300, 'worker', { nice: 5 }), 400: statLine(400, 'db', { nice: 0 }) };
  const eacces = fakeSystem(stats, () => 'EACCES');
  assert.equal(renice(niceTarget(300, eacces.sys) as never, -5, eacces.sys),
    'renice 300 (worker): EACCES, only root (CAP_SYS_NICE) may lower a nice value, to -5 from 5');
  const eperm = fakeSystem(stats, () => 'EPERM');
  assert.match(renice(niceTarget(400, eperm.sys) as never, 3, eperm.sys), /renice 400 \(db\): EPERM, not allowed to renice another user's process/);
  const racing = fakeSystem(stats, (tid) => (tid === 301 ? 'ESRCH' : undefined));
  assert.equal(renice(niceTarget(300, racing.sys) as never, 7, racing.sys), 'reniced 300 (worker) from 5 to 7, 2 threads');
});

test('a nice value is -20 to 19', () => {
  assert.equal(parseNice('5'), 5);
  assert.equal(parseNice(' -20 '), -20);
  assert.equal(parseNice('19'), 19);
  for (const bad of ['20', '-21', 'x', '1.5', '', '+3', '99999999999']) assert.equal(typeof parseNice(bad), 'string', bad);
});

/** The nice value (field 19) of every thread of `pid`. */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('in a pty: n renices a child process on all its threads, F7 and F8 step it, pid 1 and memtop are refused', { timeout: 60_000 }, async () => {
  // A node child: several threads, all of which must change.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const pid = child.pid!;
  // A state dir of its own: a containment another test records meanwhile would take the status line.
  const s = new PtyScreen(['600'], 120, 30, { env: { MEMTOP_STATE_DIR: NO_STATE } });
  try {
    await s.waitText(/since Boot/);
    assert.ok(threadNices(pid).length > 1, 'the child has threads');
    assert.deepEqual([...new Set(threadNices(pid))], [0]);
    await s.answer('n', String(pid));
    await s.waitText(new RegExp(`Nice for ${pid} \\(node\\), now 0 \\(-20 to 19\\):`));
    await s.type('7');
    s.send(KEY.enter);
    await s.waitText(new RegExp(`reniced ${pid} \\(node\\) from 0 to 7, \\d+ threads`));
    assert.deepEqual([...new Set(threadNices(pid))], [7]);
    // The list filtered to the child, so the highlight is on it: F7 one lower, F8 twice one higher.
    await s.answer('I', String(pid));
    await s.waitFor(() => s.lines().some((l) => new RegExp(`^\\s*${pid}\\s`).test(l)), 'the child listed');
    s.send('\x1b[18~');
    await s.waitText(new RegExp(`reniced ${pid} \\(node\\) from 7 to 6`));
    assert.deepEqual([...new Set(threadNices(pid))], [6]);
    s.send('\x1b[19~');
    await s.waitText(new RegExp(`from 6 to 7`));
    assert.deepEqual([...new Set(threadNices(pid))], [7]);
    await s.answer('n', '1');
    await s.waitText(/pid 1 \(init\) is never reniced by memtop/);
    await s.answer('n', String(s.pid));
    await s.waitText(new RegExp(`pid ${s.pid} is memtop itself: not reniced`));
    // The answer is checked too: out of range, nothing done.
    await s.answer('n', String(pid));
    await s.waitText(/Nice for/);
    await s.type('25');
    s.send(KEY.enter);
    await s.waitText(/not a nice value: '25'/);
    assert.deepEqual([...new Set(threadNices(pid))], [7]);
  } finally {
    child.kill('SIGKILL');
    await s.close();
  }
});

test('k shares the checks: pid 1, memtop, kernel threads refused, a reused pid gets no signal', () => {
  const stats: Record<number, string> = { 1: statLine(1, 'init', { ppid: 0 }), 55: statLine(55, 'kworker/1:0', { ppid: 2 }), 700: statLine(700, 'leaker', { starttime: 9000 }) };
  const { sys } = fakeSystem(stats);
  assert.equal(processTarget(1, sys, 'signalled'), 'pid 1 (init) is never signalled by memtop');
  assert.equal(processTarget(999, sys, 'signalled'), 'pid 999 is memtop itself: not signalled');
  assert.equal(processTarget(55, sys, 'signalled'), 'pid 55 (kworker/1:0) is a kernel thread: not signalled');
  const target = processTarget(700, sys, 'signalled');
  assert.ok(typeof target === 'object');
  assert.equal(stillThere(target, sys, 'signalled'), undefined);
  stats[700] = statLine(700, 'sshd', { starttime: 9500 });
  assert.equal(stillThere(target, sys, 'signalled'), 'kill 700: pid 700 is another process now (sshd): nothing done');
});

test('in a pty, memtop run as an unprivileged user: EPERM for another user\'s process, EACCES to lower its own', { timeout: 60_000 }, async (t) => {
  if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) {
    t.skip('needs root and setpriv to run memtop as nobody');
    return;
  }
  const NOBODY = 65534;
  const rootOwned = spawn('sleep', ['60'], { stdio: 'ignore' });
  const own = spawn('sleep', ['60'], { stdio: 'ignore', uid: NOBODY, gid: NOBODY });
  const s = new PtyScreen(['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, CLI, '600'], 120, 30, {
    cmd: 'setpriv', env: { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent', XDG_CACHE_HOME: '/nonexistent', MEMTOP_STATE_DIR: NO_STATE },
  });
  try {
    await s.waitText(/since Boot/);
    await s.answer('n', String(rootOwned.pid));
    await s.waitText(/Nice for/);
    await s.type('5');
    s.send(KEY.enter);
    await s.waitText(new RegExp(`renice ${rootOwned.pid} \\(sleep\\): EPERM, not allowed to renice another user's process`));
    assert.deepEqual(threadNices(rootOwned.pid!), [0]);
    await s.answer('n', String(own.pid));
    await s.waitText(/Nice for/);
    await s.type('5');
    s.send(KEY.enter);
    await s.waitText(new RegExp(`reniced ${own.pid} \\(sleep\\) from 0 to 5`));
    await s.answer('n', String(own.pid));
    await s.waitText(/now 5/);
    await s.type('0');
    s.send(KEY.enter);
    await s.waitText(new RegExp(`renice ${own.pid} \\(sleep\\): EACCES, only root \\(CAP_SYS_NICE\\) may lower a nice value, to 0 from 5`));
    assert.deepEqual(threadNices(own.pid!), [5]);
  } finally {
    rootOwned.kill('SIGKILL');
    own.kill('SIGKILL');
    await s.close();
  }
});
