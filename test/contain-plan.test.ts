/**
 * Containment planned and carried out on fake cgroup trees: v1 below the
 * process's group, v2 beside it (and refused where that would leave a
 * limit), a systemd scope through a fake busctl answering as systemd, the
 * cgroup filesystem when systemd does not answer, --release back; the
 * words said before acting.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  explainLimit, highFor, limitQuestion, originOf, parseSize, planCommands, planContainment, proposeLimit, Refusal, type ContainFacts,
} from '../src/contain/plan.js';
import { isContainGroup } from '../src/procfs/cgroup.js';
import { fakeCgroupFiles } from './helpers/cgroups.js';
import { FIXTURES, makeTree } from './helpers/trees.js';

const CLI = join(FIXTURES, '..', 'dist', 'bin.cjs');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const facts = (over: Partial<ContainFacts>): ContainFacts => ({
  pid: 4242, cmd: 'lekker', version: 1, hierarchyDir: '/sys/fs/cgroup/memory', path: '/a/b', used: 300 * MiB, memTotal: 4 * GiB, ...over,
});

test('v1: the group goes below the process\'s own group, limit then pid; the commands say exactly that', () => {
  const p = planContainment(facts({}), 420 * MiB);
  assert.ok(!(p instanceof Refusal));
  assert.equal(p.how, 'cgroupfs');
  assert.deepEqual(planCommands(p), [
    'mkdir /sys/fs/cgroup/memory/a/b/memtop-4242',
    `echo ${420 * MiB} > /sys/fs/cgroup/memory/a/b/memtop-4242/memory.limit_in_bytes`,
    'echo 4242 > /sys/fs/cgroup/memory/a/b/memtop-4242/cgroup.procs',
  ]);
  assert.equal(originOf(1, '/a/b/memtop-4242'), '/a/b');
  const top = planContainment(facts({ path: '/' }), 420 * MiB);
  assert.ok(!(top instanceof Refusal) && top.how === 'cgroupfs');
  assert.equal(top.groupDir, '/sys/fs/cgroup/memory/memtop-4242');
});

test('v2: beside the group under the same parent, memory.high under memory.max; refused where the old group has a limit of its own', () => {
  const f = facts({ version: 2, hierarchyDir: '/sys/fs/cgroup', path: '/work.slice/job.service', parentSubtree: ['cpu', 'memory'] });
  const p = planContainment(f, 1 * GiB);
  assert.ok(!(p instanceof Refusal) && p.how === 'cgroupfs');
  assert.equal(p.group, '/work.slice/job.service.memtop-4242');
  assert.deepEqual(planCommands(p).slice(1, 3), [
    `echo ${highFor(GiB)} > /sys/fs/cgroup/work.slice/job.service.memtop-4242/memory.high`,
    `echo ${GiB} > /sys/fs/cgroup/work.slice/job.service.memtop-4242/memory.max`,
  ]);
  assert.ok(highFor(GiB) < GiB && highFor(GiB) >= 0.89 * GiB);
  assert.equal(originOf(2, p.group), '/work.slice/job.service', '--release finds the way back from the name');
  assert.equal(originOf(2, '/memtop-7'), '/');
  assert.ok(isContainGroup(p.group) && isContainGroup('/user.slice/memtop-7.scope') && !isContainGroup('/a/memtop-x'));
  const limited = planContainment({ ...f, groupMax: 2 * GiB }, GiB);
  assert.ok(limited instanceof Refusal);
  assert.match(limited.message, /has memory\.max 2\.0G of its own; a group beside it would take pid 4242 out of that limit/);
  const noController = planContainment({ ...f, parentSubtree: ['cpu'] }, GiB);
  assert.ok(noController instanceof Refusal);
  assert.match(noController.message, /cgroup\.subtree_control lacks memory/);
});

test('systemd: a transient scope in the same slice, asked over D-Bus, with the cgroup filesystem as the fallback', () => {
  const f = facts({ version: 2, hierarchyDir: '/sys/fs/cgroup', path: '/user.slice/user-1000.slice/session-3.scope', systemd: { busctl: '/usr/bin/busctl' } });
  const p = planContainment(f, GiB);
  assert.ok(!(p instanceof Refusal) && p.how === 'systemd');
  assert.equal(p.unit, 'memtop-4242.scope');
  assert.equal(p.slice, 'user-1000.slice');
  assert.deepEqual(p.args.slice(4, 13), ['StartTransientUnit', 'ssa(sv)a(sa(sv))', 'memtop-4242.scope', 'fail', '5', 'PIDs', 'au', '1', '4242']);
  assert.ok(p.args.includes('MemoryMax') && p.args.includes(String(GiB)));
  assert.equal(p.fallback.group, '/user.slice/user-1000.slice/session-3.scope.memtop-4242');
  // Not in a unit of a slice: no systemd.
  const plain = planContainment({ ...f, path: '/mygroup' }, GiB);
  assert.ok(!(plain instanceof Refusal) && plain.how === 'cgroupfs');
});

test('the words: charges stay where they were, the limit caps further growth; a tiny limit or one below its size is said to OOM-kill', () => {
  const p = planContainment(facts({}), 420 * MiB) as Exclude<ReturnType<typeof planContainment>, Refusal>;
  const words = explainLimit(p).join(' ');
  assert.match(words, /uses 300\.0M now; that memory stays charged to \/a\/b/);
  assert.match(words, /caps what it allocates from now on/);
  assert.doesNotMatch(words, /WARNING|below its current size/);
  assert.match(explainLimit(planContainment(facts({}), 8 * MiB) as typeof p).join(' '), /WARNING: 8\.0M is too small to run in: expect the kernel to OOM-kill pid 4242 at once/);
  assert.match(explainLimit(planContainment(facts({}), 100 * MiB) as typeof p).join(' '), /below its current size/);
  assert.match(words, /caps what it allocates from now on: about 720\.0M in all/);
  // The proposal is the room to grow, a tenth of MemTotal: the 4.7 GiB process on 24 GiB reaches ~7.1 GiB in all, not ~11.7.
  assert.equal(proposeLimit(300 * MiB, 4 * GiB), Math.ceil((0.1 * 4 * GiB) / MiB) * MiB);
  const big = proposeLimit(4.7 * GiB, 24 * GiB);
  assert.ok(Math.abs(4.7 * GiB + big - 7.1 * GiB) < 0.01 * GiB, `in all ${(4.7 * GiB + big) / GiB} GiB`);
  assert.equal(limitQuestion(4242, 'node', 4.7 * GiB, big), 'Limit 4242 (node): its 4.7G now + at most [2.4G] more: ');
  assert.equal(parseSize('512M'), 512 * MiB);
  assert.equal(parseSize('1.5g'), 1.5 * GiB);
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('2GiB'), 2 * GiB);
  for (const bad of ['', 'x', '-1M', '0', '1Q']) assert.equal(parseSize(bad), undefined, bad);
});

/** A fake v2 machine with systemd's tree and one process in a session scope. */
function fakeV2(pid: number, opts: { ownMax?: number } = {}) {
  const groups = [
    { path: '/' },
    { path: '/user.slice' },
    { path: '/user.slice/user-1000.slice' },
    { path: '/user.slice/user-1000.slice/session-3.scope', pids: [pid], memory: 300 * MiB, max: opts.ownMax },
  ];
  const cg = fakeCgroupFiles('v2', groups);
  const status = readFileSync(join(FIXTURES, 'procfs', 'status-6.x-kinds'), 'utf8').replace(/VmRSS:\s+\d+/, 'VmRSS:\t  307200');
  const proc = makeTree({
    ...cg.proc,
    meminfo: 'MemTotal:        4194304 kB\nMemFree:         1000000 kB\n',
    [`${pid}/stat`]: `${pid} (lekker) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 1 0 100 314572800 76800 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`,
    [`${pid}/status`]: status,
    [`${pid}/cgroup`]: '0::/user.slice/user-1000.slice/session-3.scope\n',
  });
  const sys = makeTree({
    ...cg.sys,
    'fs/cgroup/cgroup.subtree_control': 'cpu io memory pids\n',
    'fs/cgroup/user.slice/cgroup.subtree_control': 'cpu io memory pids\n',
    'fs/cgroup/user.slice/user-1000.slice/cgroup.subtree_control': 'cpu io memory pids\n',
  });
  return { proc, sys, scopeDir: join(sys, 'fs/cgroup/user.slice/user-1000.slice') };
}

const FAKE_BUSCTL = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'fake-busctl.sh');

function memtop(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function binDir(withBusctl: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-bin-'));
  if (withBusctl) copyFileSync(FAKE_BUSCTL, join(dir, 'busctl'));
  return dir;
}

test('systemd manages the tree: memtop asks it for a scope (fake systemd), records it, and --release attaches the pid back to its unit', () => {
  const pid = 4242;
  const t = fakeV2(pid);
  const log = join(mkdtempSync(join(tmpdir(), 'memtop-bus-')), 'log');
  const env = { PATH: binDir(true), FAKE_PROC: t.proc, FAKE_BUSCTL_LOG: log, MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) };
  const args = ['--proc', t.proc, '--sys', t.sys];
  const r = memtop([...args, '--contain', String(pid), '--limit', '1G'], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /contained pid 4242 \(lekker\) in the systemd scope memtop-4242\.scope beside session-3\.scope/);
  assert.match(r.out, /job\/4242/);
  assert.match(r.out, /MemoryHigh=\d+ .*MemoryMax=1073741824/);
  assert.match(r.out, /stays charged to \/user\.slice\/user-1000\.slice\/session-3\.scope/);
  const call = readFileSync(log, 'utf8').trim().split('\n')[0]!;
  assert.match(call, /StartTransientUnit ssa\(sv\)a\(sa\(sv\)\) memtop-4242\.scope fail 5 PIDs au 1 4242 Slice s user-1000\.slice MemoryHigh t \d+ MemoryMax t 1073741824 Description s/);
  assert.equal(existsSync(join(t.scopeDir, 'session-3.scope.memtop-4242')), false, 'systemd wrote the tree, memtop did not');
  assert.equal(readFileSync(join(t.proc, '4242/cgroup'), 'utf8'), '0::/user.slice/user-1000.slice/memtop-4242.scope\n');
  const back = memtop([...args, '--release', String(pid)], env);
  assert.equal(back.code, 0, back.err);
  assert.match(back.out, /released pid 4242: systemd moved it back to session-3\.scope/);
  assert.match(readFileSync(log, 'utf8'), /AttachProcessesToUnit ssau session-3\.scope {2}1 4242/);
  assert.equal(readFileSync(join(t.proc, '4242/cgroup'), 'utf8'), '0::/user.slice/user-1000.slice/session-3.scope\n');
});

test('systemd does not answer: the cgroup filesystem, a group beside the scope with memory.high and memory.max', () => {
  const pid = 4343;
  const t = fakeV2(pid);
  const log = join(mkdtempSync(join(tmpdir(), 'memtop-bus-')), 'log');
  const env = { PATH: binDir(true), FAKE_PROC: t.proc, FAKE_BUSCTL_LOG: log, FAKE_BUSCTL_FAIL: '1', MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) };
  const r = memtop(['--proc', t.proc, '--sys', t.sys, '--contain', String(pid), '--limit', '512M'], env);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /systemd did not take it \(Failed to connect to bus: No such file or directory\): the cgroup filesystem instead/);
  const group = join(t.scopeDir, 'session-3.scope.memtop-4343');
  assert.match(r.out, new RegExp(`in ${group} \\(cgroup v2, beside its group /user.slice/user-1000.slice/session-3.scope\\)`));
  assert.equal(readFileSync(join(group, 'memory.max'), 'utf8'), String(512 * MiB));
  assert.equal(readFileSync(join(group, 'memory.high'), 'utf8'), String(highFor(512 * MiB)));
  assert.equal(readFileSync(join(group, 'cgroup.procs'), 'utf8'), '4343');
});

test('v2 group with a memory.max of its own: refused in one line, nothing made', () => {
  const pid = 4444;
  const t = fakeV2(pid, { ownMax: 2 * GiB });
  const env = { PATH: binDir(false), MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) };
  const r = memtop(['--proc', t.proc, '--sys', t.sys, '--contain', String(pid), '--limit', '1G'], env);
  assert.equal(r.code, 1);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /^memtop: cannot contain pid 4444: its group \/user\.slice\/user-1000\.slice\/session-3\.scope has memory\.max 2\.0G of its own/);
  assert.equal(existsSync(join(t.scopeDir, 'session-3.scope.memtop-4444')), false);
});

test('--contain without --limit and not on a terminal: one line with the proposed limit; bad sizes and pids are one line too', () => {
  const pid = 4545;
  const t = fakeV2(pid);
  const env = { PATH: binDir(false), MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) };
  const args = ['--proc', t.proc, '--sys', t.sys];
  // Exit 2: the command line can fix it; exit 1: memtop refuses.
  const cases: [string[], number, RegExp][] = [
    [['--contain', String(pid)], 2, /^memtop: --contain 4545 needs --limit SIZE; proposed: --limit 410M \(a tenth of MemTotal: the limit counts what it allocates from now on, its 300\.0M now stays outside it, so about 710\.0M in all\)$/],
    [['--contain', String(pid), '--limit', 'lots'], 2, /^memtop: invalid --limit 'lots': give a size like 512M or 2G/],
    [['--contain', '999'], 1, /^memtop: cannot contain pid 999: no process 999/],
    [['--limit', '1G'], 2, /^memtop: --limit goes with --contain PID$/],
    [['--release', '999'], 1, /^memtop: no process 999, and memtop has no record of containing it$/],
  ];
  for (const [extra, code, message] of cases) {
    const r = memtop([...args, ...extra], env);
    assert.equal(r.code, code, extra.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err.trim(), message);
  }
});

/** What the kernel does when a process ends and its pid goes to another: a new stat (another start time) and cgroup file. */
function reusePid(proc: string, pid: number, comm: string, cgroup: string): void {
  writeFileSync(join(proc, `${pid}/stat`), `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 10 0 0 0 1 1 0 0 20 0 1 0 987654 8000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`);
  writeFileSync(join(proc, `${pid}/cgroup`), `0::${cgroup}\n`);
}

/** A fake group made empty as the kernel's is once its last process ended: its files are the kernel's, rmdir takes it. */
function emptied(dir: string): void {
  for (const f of readdirSync(dir)) rmSync(join(dir, f));
}

const SCOPE = '/user.slice/user-1000.slice/session-3.scope';

/** A fake v2 tree holding `pid`, a private state directory, and systemd unreachable (the cgroup filesystem is used). */
function reusedPidSetup(pid: number) {
  const t = fakeV2(pid);
  const state = mkdtempSync(join(tmpdir(), 'memtop-state-'));
  const env = { PATH: binDir(true), FAKE_PROC: t.proc, FAKE_BUSCTL_LOG: join(state, 'bus.log'), FAKE_BUSCTL_FAIL: '1', MEMTOP_STATE_DIR: state };
  return { t, state, env, args: ['--proc', t.proc, '--sys', t.sys] };
}

test('pid reused after the contained process ended: --release says so in one line, removes only memtop\'s empty group and record, and moves nothing', () => {
  const pid = 4646;
  const { t, state, env, args } = reusedPidSetup(pid);
  assert.equal(memtop([...args, '--contain', String(pid), '--limit', '512M'], env).code, 0);
  const recordFile = join(state, 'contained', `${pid}.json`);
  assert.equal(JSON.parse(readFileSync(recordFile, 'utf8')).starttime, 100, 'the record keeps field 22 of the stat it contained');
  const group = join(t.scopeDir, `session-3.scope.memtop-${pid}`);
  emptied(group);
  reusePid(t.proc, pid, 'bash', SCOPE);
  const scopeProcs = join(t.scopeDir, 'session-3.scope', 'cgroup.procs');
  const before = readFileSync(scopeProcs, 'utf8');
  const r = memtop([...args, '--release', String(pid)], env);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trimEnd().split('\n'), [
    `memtop: pid ${pid} (lekker) has ended; it was contained in ${SCOPE}.memtop-${pid}; pid ${pid} is now another process (bash), left where it is; removed its empty group ${group} and memtop's record of it`,
  ]);
  assert.equal(existsSync(group), false);
  assert.equal(existsSync(recordFile), false);
  assert.equal(readFileSync(join(t.proc, `${pid}/cgroup`), 'utf8'), `0::${SCOPE}\n`, 'the new process stays in its group');
  assert.equal(readFileSync(scopeProcs, 'utf8'), before, 'nothing written to its group');
  // The record is gone: the new process is memtop's no more than any other.
  const again = memtop([...args, '--release', String(pid)], env);
  assert.equal(again.code, 1);
  assert.match(again.err, new RegExp(`^memtop: pid ${pid} is not in a group memtop made \\(it is in ${SCOPE}\\): nothing to release\\n$`));
});

test('pid reused after a process systemd contained: --release asks systemd nothing and drops the record', () => {
  const pid = 4747;
  const t = fakeV2(pid);
  const state = mkdtempSync(join(tmpdir(), 'memtop-state-'));
  const log = join(state, 'bus.log');
  const env = { PATH: binDir(true), FAKE_PROC: t.proc, FAKE_BUSCTL_LOG: log, MEMTOP_STATE_DIR: state };
  const args = ['--proc', t.proc, '--sys', t.sys];
  assert.equal(memtop([...args, '--contain', String(pid), '--limit', '1G'], env).code, 0);
  // The new process even sits in a scope of that name: the start time tells it apart.
  reusePid(t.proc, pid, 'sshd', `/user.slice/user-1000.slice/memtop-${pid}.scope`);
  const r = memtop([...args, '--release', String(pid)], env);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trimEnd().split('\n'), [
    `memtop: pid ${pid} (lekker) has ended; it was contained in /user.slice/user-1000.slice/memtop-${pid}.scope; pid ${pid} is now another process (sshd), left where it is; removed memtop's record of it`,
  ]);
  assert.doesNotMatch(readFileSync(log, 'utf8'), /AttachProcessesToUnit/);
  assert.equal(existsSync(join(state, 'contained', `${pid}.json`)), false);
});

test('a record of the previous format (no start time) is trusted only while its group holds the pid', () => {
  const pid = 4848;
  const t = fakeV2(pid);
  const state = mkdtempSync(join(tmpdir(), 'memtop-state-'));
  const env = { PATH: binDir(false), MEMTOP_STATE_DIR: state };
  const args = ['--proc', t.proc, '--sys', t.sys];
  const group = `${SCOPE}.memtop-${pid}`;
  const groupDir = join(t.scopeDir, `session-3.scope.memtop-${pid}`);
  const scopeProcs = join(t.scopeDir, 'session-3.scope', 'cgroup.procs');
  // As memtop wrote it before it kept the start time.
  const old = { pid, cmd: 'lekker', how: 'cgroupfs', version: 2, group, groupDir, origin: SCOPE, limit: 512 * MiB, time: 1 };
  const setUp = (holds: boolean) => {
    mkdirSync(join(state, 'contained'), { recursive: true });
    writeFileSync(join(state, 'contained', `${pid}.json`), JSON.stringify(old) + '\n');
    mkdirSync(groupDir, { recursive: true });
    writeFileSync(join(groupDir, 'cgroup.procs'), holds ? `${pid}\n` : '');
    writeFileSync(scopeProcs, '');
    writeFileSync(join(t.proc, `${pid}/cgroup`), `0::${holds ? group : SCOPE}\n`);
  };
  // Its group holds the pid: the process memtop moved there. Released as before.
  setUp(true);
  const held = memtop([...args, '--release', String(pid)], env);
  assert.equal(held.code, 0, held.err);
  assert.match(held.out, new RegExp(`^memtop: released pid ${pid}: back to ${SCOPE}\\n`));
  assert.equal(readFileSync(scopeProcs, 'utf8'), String(pid));
  // The group is empty and the pid is elsewhere: a later process. Left alone.
  setUp(false);
  emptied(groupDir);
  reusePid(t.proc, pid, 'bash', SCOPE);
  const stale = memtop([...args, '--release', String(pid)], env);
  assert.equal(stale.code, 0, stale.err);
  assert.deepEqual(stale.out.trimEnd().split('\n'), [
    `memtop: pid ${pid} (lekker) has ended; it was contained in ${group}; pid ${pid} is now another process (bash), left where it is; removed its empty group ${groupDir} and memtop's record of it`,
  ]);
  assert.equal(readFileSync(scopeProcs, 'utf8'), '', 'nothing moved');
  assert.equal(readFileSync(join(t.proc, `${pid}/cgroup`), 'utf8'), `0::${SCOPE}\n`);
});

test('containing the later process with a reused pid: the earlier one\'s empty group and record go first, the new record has its start time', () => {
  const pid = 4949;
  const { t, state, env, args } = reusedPidSetup(pid);
  assert.equal(memtop([...args, '--contain', String(pid), '--limit', '512M'], env).code, 0);
  const group = join(t.scopeDir, `session-3.scope.memtop-${pid}`);
  emptied(group);
  reusePid(t.proc, pid, 'bash', SCOPE);
  const r = memtop([...args, '--contain', String(pid), '--limit', '256M'], env);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, new RegExp(`^memtop: pid ${pid} \\(lekker\\) has ended; .*now another process \\(bash\\), left where it is; removed its empty group ${group} and memtop's record of it$`));
  assert.match(lines[1]!, new RegExp(`^memtop: contained pid ${pid} \\(bash\\) in ${group} `));
  const record = JSON.parse(readFileSync(join(state, 'contained', `${pid}.json`), 'utf8'));
  assert.equal(record.starttime, 987654);
  assert.equal(record.cmd, 'bash');
  assert.equal(readFileSync(join(group, 'memory.max'), 'utf8'), String(256 * MiB));
});
