/**
 * What containment refuses, and the records it does not believe.
 *
 * Refused, one line, exit 1, nothing moved: pid 1 (tried on the pid 1 of a
 * pid namespace of this test's own, never the host's), kernel threads,
 * memtop itself and the shells it runs under (in that namespace, where the
 * pids are known), and the main process of a systemd service or of a
 * container on a fake v2 machine unless --force (a child of it may be
 * contained). The screen's K says the same refusal and asks nothing, in
 * a pty in a pid namespace of the test's own for pid 1 and memtop itself.
 *
 * Records: one in a directory another user can write, or naming a group
 * memtop would not make (outside the memory hierarchy, with `..`, through
 * a symbolic link), makes --release refuse and say why, and no directory
 * is removed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFacts } from '../src/contain/facts.js';
import { contain } from '../src/contain/apply.js';
import { planContainment, Refusal } from '../src/contain/plan.js';
import { isKernelThread, mainOfUnit, managedUnitOf } from '../src/contain/protect.js';
import { containDialog, type ProcessAccess } from '../src/view/detailpane.js';
import { fakeCgroupFiles } from './helpers/cgroups.js';
import { FIXTURES, makeTree } from './helpers/trees.js';

const CLI = join(FIXTURES, '..', 'dist', 'bin.cjs');
const MiB = 1024 * 1024;

function memtop(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const statLine = (pid: number, comm: string, ppid: number, flags = 4194560) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 ${flags} 100 0 0 0 10 5 0 0 20 0 1 0 100 314572800 76800 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;

test('kernel threads are told by PF_KTHREAD in the stat flags; units by their cgroup names', () => {
  assert.equal(isKernelThread(statLine(2, 'kthreadd', 0, 0x208040)), true);
  assert.equal(isKernelThread(statLine(77, 'kworker/0:1-events', 2, 0x4208060)), true);
  assert.equal(isKernelThread(statLine(900, 'bash', 1)), false);
  assert.equal(isKernelThread(statLine(900, 'a) b (c', 1)), false, 'a comm with parentheses is skipped over');
  assert.deepEqual(managedUnitOf('/system.slice/nginx.service'), { unit: 'system.slice/nginx.service', by: 'systemd' });
  assert.equal(managedUnitOf('/system.slice/docker-' + 'a'.repeat(64) + '.scope')?.by, 'a container runtime');
  assert.equal(managedUnitOf('/kubepods/burstable/pod1/' + 'b'.repeat(64))?.by, 'a container runtime');
  assert.equal(managedUnitOf('/docker/' + 'c'.repeat(64))?.by, 'a container runtime');
  assert.equal(managedUnitOf('/user.slice/user-1000.slice/session-3.scope'), undefined, 'a login session is no managed service');
  // v2: the main process (parent outside the unit) is refused; a worker whose parent is in the unit is not.
  assert.ok(mainOfUnit(2, '/system.slice/nginx.service', '/init.scope'));
  assert.equal(mainOfUnit(2, '/system.slice/nginx.service', '/system.slice/nginx.service'), undefined);
  // In a group below the unit's, a group beside it stays inside the unit.
  assert.equal(mainOfUnit(2, '/system.slice/nginx.service/workers', '/init.scope'), undefined);
  // v1: the group goes below the process's own, inside the unit.
  assert.equal(mainOfUnit(1, '/system.slice/nginx.service', '/'), undefined);
});

function v1Group(): { own: string; dir: string } | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (!line || !existsSync('/sys/fs/cgroup/memory/cgroup.procs')) return undefined;
  const own = line.slice(line.lastIndexOf(':') + 1);
  return { own, dir: `/sys/fs/cgroup/memory${own === '/' ? '' : own}` };
}

const memtopGroups = (dir: string) => readdirSync(dir).filter((n) => /memtop-\d+/.test(n));

test('in a pid namespace of the test\'s own: pid 1, memtop itself and the shell it runs under are refused in one line, exit 1, nothing moved', { timeout: 60000 }, (t) => {
  if (process.getuid?.() !== 0) return t.skip('a pid namespace needs root');
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
  if (probe.status !== 0) return t.skip('unshare --pid --fork --mount-proc is not allowed here');
  const g = v1Group();
  const before = g ? memtopGroups(g.dir) : [];
  const node = process.execPath;
  // pid 1 is this sh. `exec` makes memtop the very process whose pid $$ names; without it, $$ is memtop's shell.
  const script = [
    `${node} ${CLI} --contain 1 --limit 1G; echo "rc=$?"`,
    `sh -c 'exec ${node} ${CLI} --contain $$ --limit 1G'; echo "rc=$?"`,
    `sh -c '${node} ${CLI} --contain $$ --limit 1G; echo "rc=$?"'`,
    'cat /proc/1/cgroup',
  ].join('; ');
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', script], { encoding: 'utf8', timeout: 45000 });
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 3, r.stderr);
  assert.match(lines[0]!, /^memtop: cannot contain pid 1: pid 1 \(sh\) is init: every process descends from it, and memtop never limits it$/);
  assert.match(lines[1]!, /^memtop: cannot contain pid (\d+): pid \1 is memtop itself: memtop never limits its own process$/);
  assert.match(lines[2]!, /^memtop: cannot contain pid (\d+): pid \1 \(sh\) is one of the processes memtop runs under \(its shell or a parent of it\): memtop never limits those$/);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('rc=')), ['rc=1', 'rc=1', 'rc=1']);
  // The namespace's init stayed in this test's group.
  if (g) {
    assert.ok(r.stdout.includes(`memory:${g.own}\n`), r.stdout);
    assert.deepEqual(memtopGroups(g.dir), before, 'no group made');
  }
});

test('a kernel thread of the host is refused in one line, exit 1', (t) => {
  const kthread = readdirSync('/proc').filter((n) => /^\d+$/.test(n) && n !== '1').find((n) => {
    try {
      return isKernelThread(readFileSync(`/proc/${n}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
  if (!kthread) return t.skip('no kernel thread visible here');
  const r = memtop(['--contain', kthread, '--limit', '1G']);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`^memtop: cannot contain pid ${kthread}: pid ${kthread} \\(.*\\) is a kernel thread: it has no user memory to limit\\n$`));
});

/** A fake v2 machine: a service whose main process 500 has a worker 501, and a container's init 600 under its shim 590. */
function fakeUnits() {
  const docker = `docker-${'d'.repeat(64)}.scope`;
  const groups = [
    { path: '/' },
    { path: '/init.scope', pids: [1] },
    { path: '/system.slice' },
    { path: '/system.slice/web.service', pids: [500, 501], memory: 100 * MiB },
    { path: '/system.slice/containerd.service', pids: [590], memory: 10 * MiB },
    { path: `/system.slice/${docker}`, pids: [600], memory: 50 * MiB },
  ];
  const cg = fakeCgroupFiles('v2', groups);
  const status = readFileSync(join(FIXTURES, 'procfs', 'status-6.x-kinds'), 'utf8');
  const proc: Record<string, string> = { ...cg.proc, meminfo: 'MemTotal:        4194304 kB\nMemFree:         1000000 kB\n' };
  const put = (pid: number, comm: string, ppid: number, group: string) => {
    proc[`${pid}/stat`] = statLine(pid, comm, ppid);
    proc[`${pid}/status`] = status;
    proc[`${pid}/cgroup`] = `0::${group}\n`;
  };
  put(1, 'systemd', 0, '/init.scope');
  put(500, 'web', 1, '/system.slice/web.service');
  put(501, 'web-worker', 500, '/system.slice/web.service');
  put(590, 'containerd-shim', 1, '/system.slice/containerd.service');
  put(600, 'app', 590, `/system.slice/${docker}`);
  const sys = makeTree({
    ...cg.sys,
    'fs/cgroup/cgroup.subtree_control': 'cpu io memory pids\n',
    'fs/cgroup/system.slice/cgroup.subtree_control': 'cpu io memory pids\n',
  });
  return { proc: makeTree(proc), sys, docker };
}

test('the main process of a systemd service or of a container is refused unless --force; its worker is contained', () => {
  const t = fakeUnits();
  const env = { PATH: mkdtempSync(join(tmpdir(), 'memtop-nobus-')), MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) };
  const args = ['--proc', t.proc, '--sys', t.sys];
  const web = memtop([...args, '--contain', '500', '--limit', '512M'], env);
  assert.equal(web.code, 1);
  assert.equal(web.err, 'memtop: cannot contain pid 500: pid 500 (web) is the main process of /system.slice/web.service, which systemd manages: moving it out of that group can break the unit (contain a child of it, or give --force)\n');
  const app = memtop([...args, '--contain', '600', '--limit', '512M'], env);
  assert.equal(app.code, 1);
  assert.match(app.err, new RegExp(`^memtop: cannot contain pid 600: pid 600 \\(app\\) is the main process of /system\\.slice/${t.docker}, which a container runtime manages: .*--force\\)\\n$`));
  assert.deepEqual(readdirSync(join(t.sys, 'fs/cgroup/system.slice')).filter((n) => n.includes('memtop')), [], 'nothing made');
  const worker = memtop([...args, '--contain', '501', '--limit', '512M'], env);
  assert.equal(worker.code, 0, worker.err);
  assert.ok(existsSync(join(t.sys, 'fs/cgroup/system.slice/web.service.memtop-501')));
  const forced = memtop([...args, '--contain', '500', '--limit', '512M', '--force'], env);
  assert.equal(forced.code, 0, forced.err);
  assert.equal(readFileSync(join(t.sys, 'fs/cgroup/system.slice/web.service.memtop-500/cgroup.procs'), 'utf8'), '500');
  // --force never lifts pid 1.
  const init = memtop([...args, '--contain', '1', '--limit', '512M', '--force'], env);
  assert.equal(init.code, 1);
  assert.match(init.err, /^memtop: cannot contain pid 1: pid 1 \(systemd\) is init/);
  assert.equal(memtop([...args, '--release', '500', '--force'], env).code, 2, '--force goes with --contain only');
});

test('K on the screen shows the same refusal and asks nothing', () => {
  const t = fakeUnits();
  const notices: string[][] = [];
  const asked: string[] = [];
  const host = { ask: (q: string) => asked.push(q), say: (s: string) => notices.push([s]), notice: (l: string[]) => notices.push(l), containedChanged: () => {} };
  const access = { facts: (pid: number) => readFacts(t.proc, t.sys, pid) } as unknown as ProcessAccess;
  containDialog(1, 'systemd', access, host, undefined);
  containDialog(500, 'web', access, host, undefined);
  assert.deepEqual(asked, []);
  assert.match(notices[0]![0]!, /^cannot contain pid 1: pid 1 \(systemd\) is init/);
  assert.match(notices[1]![0]!, /^cannot contain pid 500: pid 500 \(web\) is the main process of \/system\.slice\/web\.service/);
  // The worker: asked (the limit first), nothing done before the answers.
  containDialog(501, 'web-worker', access, host, undefined);
  assert.equal(asked.length, 1);
  assert.match(asked[0]!, /^Limit 501 \(web-worker\): its .* now \+ at most \[/);
  assert.ok(!(readFacts(t.proc, t.sys, 500, true) instanceof Refusal), 'with --force the main process may be contained (K then asks)');
  assert.ok(readFacts(t.proc, t.sys, 1, true) instanceof Refusal, '--force never lifts pid 1');
});

test('a record another user could have written, or one naming what memtop did not make, makes --release refuse; no directory is removed', () => {
  const t = fakeUnits();
  const args = ['--proc', t.proc, '--sys', t.sys];
  const victim = mkdtempSync(join(tmpdir(), 'memtop-victim-'));
  const pid = 4321; // no such process in the fake tree: --release would remove the group of the ended process
  const top = join(t.sys, 'fs/cgroup');
  const own = { pid, cmd: 'x', how: 'cgroupfs', version: 2, group: `/system.slice/web.service.memtop-${pid}`, groupDir: `${top}/system.slice/web.service.memtop-${pid}`, origin: '/system.slice/web.service', limit: 1, time: 1 };
  const tryRecord = (record: object, prepare: (state: string) => void = () => {}) => {
    const state = mkdtempSync(join(tmpdir(), 'memtop-state-'));
    mkdirSync(join(state, 'contained'));
    writeFileSync(join(state, 'contained', `${pid}.json`), JSON.stringify(record));
    prepare(state);
    const r = memtop([...args, '--release', String(pid)], { MEMTOP_STATE_DIR: state });
    assert.ok(existsSync(victim), 'the directory the record names is still there');
    rmSync(state, { recursive: true, force: true });
    return r;
  };
  const expect = (r: { code: number | null; err: string }, why: RegExp) => {
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err.split('\n').length, 2, r.err);
    assert.match(r.err, new RegExp(`^memtop: cannot release pid ${pid}: memtop's record .*${pid}\\.json is not trusted: ${why.source}; nothing was changed\\n$`));
  };
  const attack = { ...own, group: `/memtop-${pid}`, groupDir: victim, origin: '/' };
  // A directory anyone can write (as a user's MEMTOP_STATE_DIR would be to root).
  expect(tryRecord(attack, (s) => chmodSync(join(s, 'contained'), 0o777)), /.*contained is writable by anyone/);
  if (process.getuid?.() === 0) {
    // A directory, or a record, of another user.
    expect(tryRecord(attack, (s) => chownSync(join(s, 'contained'), 54321, 54321)), /.*contained belongs to uid 54321, not root/);
    expect(tryRecord(attack, (s) => chownSync(join(s, 'contained', `${pid}.json`), 54321, 54321)), /.*\.json belongs to uid 54321.*/);
  }
  // A trusted directory, but a group memtop did not make.
  expect(tryRecord(attack), /its directory .* is not \/memtop-4321 in the memory hierarchy .*/);
  expect(tryRecord({ ...own, group: `/system.slice/../../x.memtop-${pid}`, origin: '/system.slice/../../x' }), /its group .* is not a canonical cgroup path.*/);
  expect(tryRecord({ ...own, group: '/system.slice/web.service' }), /its group \/system\.slice\/web\.service is not named as memtop names a group of pid 4321/);
  expect(tryRecord({ ...own, origin: '/init.scope' }), /its origin \/init\.scope is not where its group .* came from/);
  // A symbolic link in the hierarchy to the victim.
  symlinkSync(victim, own.groupDir);
  expect(tryRecord(own), /a symbolic link is on the way to .*/);
  rmSync(own.groupDir);
  // And the record memtop writes itself is believed: the ended process's empty group is removed.
  mkdirSync(own.groupDir);
  const ok = tryRecord(own);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^memtop: pid 4321 \(x\) has ended/);
  assert.ok(!existsSync(own.groupDir));
  rmSync(victim, { recursive: true });
});

test('between the question and the answer the pid went to another process: nothing is moved', () => {
  const t = fakeUnits();
  process.env.MEMTOP_STATE_DIR = mkdtempSync(join(tmpdir(), 'memtop-state-'));
  try {
    const facts = readFacts(t.proc, t.sys, 501);
    assert.ok(!(facts instanceof Refusal));
    const plan = planContainment(facts, 512 * MiB);
    assert.ok(!(plan instanceof Refusal));
    // The kernel gives 501 to a new process (another start time) while the screen waits for y.
    writeFileSync(join(t.proc, '501/stat'), statLine(501, 'bash', 1).replace(' 100 314572800 ', ' 777 314572800 '));
    const r = contain(plan, t.proc);
    assert.ok(r instanceof Refusal);
    assert.equal(r.message, 'pid 501 is now another process than the web-worker asked about: nothing was changed');
    rmSync(join(t.proc, '501'), { recursive: true });
    const gone = contain(plan, t.proc);
    assert.ok(gone instanceof Refusal);
    assert.equal(gone.message, 'pid 501 (web-worker) has ended: nothing was changed');
    assert.deepEqual(readdirSync(join(t.sys, 'fs/cgroup/system.slice')).filter((n) => n.includes('memtop')), [], 'no group made');
  } finally {
    delete process.env.MEMTOP_STATE_DIR;
  }
});

test('on the screen in a pid namespace of the test\'s own: K on pid 1 and on memtop itself says why not in one line and asks nothing', { timeout: 90000 }, async (t) => {
  if (process.getuid?.() !== 0) return t.skip('a pid namespace needs root');
  if (spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0) return t.skip('unshare --pid --fork --mount-proc is not allowed here');
  const { KEY, PtyScreen } = await import('./tui-harness.js');
  // pid 1 is the sh (`; :` keeps it from exec'ing memtop), memtop its child.
  const s = new PtyScreen(['--pid', '--fork', '--mount-proc', 'sh', '-c', `${process.execPath} ${CLI} -a 1; :`], 140, 40, { cmd: 'unshare' });
  try {
    await s.waitText(/MEMTOP|since Boot/, 20000);
    await s.answer('I', '1');
    await s.waitFor(() => s.lines().some((l) => /^\s*1\b.*\bsh\b/.test(l)), 'pid 1 listed alone');
    s.send('K');
    await s.waitText(/cannot contain pid 1: pid 1 \(sh\) is init: every process descends from it, and memtop never limits it/);
    assert.ok(!s.find(/now \+ at most \[/), 'no limit asked');
    s.send(KEY.escape);
    await s.waitFor(() => !s.find(/cannot contain pid 1/), 'the notice closed');
    // memtop itself: the host's view names its pid in the namespace (NSpid), below the sh below unshare.
    const childOf = (ppid: number) => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).find((p) => {
      try {
        return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === ppid;
      } catch {
        return false;
      }
    });
    const memtopHost = childOf(childOf(s.pid)!)!;
    const self = Number(/^NSpid:.*\s(\d+)$/m.exec(readFileSync(`/proc/${memtopHost}/status`, 'utf8'))![1]);
    assert.ok(self > 1, `memtop's pid in the namespace: ${self}`);
    await s.answer('I', String(self));
    await s.waitFor(() => s.lines().some((l) => new RegExp(`^\\s*${self}\\b`).test(l)), 'memtop listed alone');
    s.send('K');
    await s.waitText(new RegExp(`cannot contain pid ${self}: pid ${self} is memtop itself: memtop never limits its own process`));
    assert.ok(!s.find(/now \+ at most \[/), 'no limit asked');
  } finally {
    await s.close();
  }
});
