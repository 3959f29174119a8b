/** cgroup parsers on real-shaped kernel text, and the tree reader on fake v2, v1 and hybrid trees. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  memoryCgroupPath, memoryHierarchy, parseBytes, parseCgroupMounts, parseCgroupProcs, parseLimit, parseMemoryStat,
  parseOomKills, parseProcCgroup, UNLIMITED,
} from '../src/procfs/cgroup.js';
import { CgroupReader, findMemoryHierarchy, memoryCgroupOf } from '../src/reader/cgroups.js';
import { fakeCgroupFiles, type FakeGroup, type Layout } from './helpers/cgroups.js';
import { FIXTURES, makeTree } from './helpers/trees.js';

const fx = (name: string) => readFileSync(join(FIXTURES, 'cgroup', name), 'utf8');

test('/proc/PID/cgroup: v1 controller lists, the v2 line, a path holding ":"', () => {
  const hybrid = parseProcCgroup(fx('proc-cgroup-hybrid'));
  assert.ok(hybrid.length >= 3);
  const mem = hybrid.find((e) => e.controllers.includes('memory'))!;
  assert.match(mem.path, /^\/process_api\//);
  assert.equal(memoryCgroupPath(hybrid, 1), mem.path);
  assert.equal(memoryCgroupPath(hybrid, 2), '/');
  const v1 = parseProcCgroup(fx('proc-cgroup-container-v1'));
  assert.deepEqual(v1[1], { id: 4, controllers: ['cpu', 'cpuacct'], path: '/docker/4f1c2a' });
  assert.equal(memoryCgroupPath(v1, 1), '/docker/4f1c2a/app');
  assert.equal(memoryCgroupPath(parseProcCgroup(fx('proc-cgroup-v2')), 2), '/system.slice/app:web.service');
  assert.equal(memoryCgroupPath(parseProcCgroup(fx('proc-cgroup-v2')), 1), undefined, 'no v1 memory hierarchy');
  assert.deepEqual(parseProcCgroup(''), []);
  assert.deepEqual(parseProcCgroup('garbage\nx:y\n'), []);
});

test('mountinfo: cgroup mounts, v1 controllers from the super options, escapes, a hierarchy mounted twice once', () => {
  const hybrid = parseCgroupMounts(fx('mountinfo-hybrid'));
  const memory = hybrid.find((m) => m.controllers.includes('memory'))!;
  assert.deepEqual(memory, { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] });
  assert.equal(hybrid.find((m) => m.version === 2)!.mountPoint, '/sys/fs/cgroup/unified');
  assert.ok(hybrid.some((m) => m.controllers.includes('name=systemd')));
  assert.equal(memoryHierarchy(hybrid, 'hugetlb\n'), memory, 'hybrid: the v1 memory hierarchy');

  const v2 = parseCgroupMounts(fx('mountinfo-v2'));
  assert.deepEqual(v2, [{ version: 2, mountPoint: '/sys/fs/cgroup', root: '/', controllers: [] }]);
  assert.equal(memoryHierarchy(v2, 'cpuset cpu io memory pids\n'), v2[0]);
  assert.equal(memoryHierarchy(v2, 'cpu io pids\n'), undefined, 'v2 without the memory controller');
  assert.equal(memoryHierarchy(v2, undefined), undefined);

  const container = parseCgroupMounts(fx('mountinfo-container-v1'));
  const cm = container.filter((m) => m.controllers.includes('memory'));
  assert.equal(cm.length, 1, 'the same hierarchy mounted twice is listed once');
  assert.deepEqual(cm[0], { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/docker/4f1c2a', controllers: ['memory'] });
  assert.deepEqual(container.find((m) => m.controllers.includes('cpu'))!.controllers, ['cpu', 'cpuacct']);
  const escaped = parseCgroupMounts('9 1 0:3 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n');
  assert.equal(escaped[0]!.mountPoint, '/sys/fs/cgroup/my mem');
});

test('memory files: bytes, limits with "max" and v1\'s near-2^63 as unlimited, stat, oom kills, procs', () => {
  assert.equal(parseBytes('41656320\n'), 41656320);
  assert.equal(parseBytes(''), undefined);
  assert.equal(parseBytes('abc'), undefined);
  assert.equal(parseLimit('max\n'), UNLIMITED);
  assert.equal(parseLimit('9223372036854771712\n'), UNLIMITED);
  assert.equal(parseLimit('9223372036854775807\n'), UNLIMITED);
  assert.equal(parseLimit('268435456\n'), 268435456);
  assert.equal(parseLimit(''), undefined);

  const s2 = parseMemoryStat(fx('v2-memory.stat'), 2);
  assert.deepEqual(s2, { anon: 1468006400, file: 524288000 });
  const v1text = fx('v1-memory.stat');
  const s1 = parseMemoryStat(v1text, 1);
  const num = (k: string) => Number(new RegExp(`^${k} (\\d+)$`, 'm').exec(v1text)![1]);
  assert.deepEqual(s1, { anon: num('total_rss'), file: num('total_cache') }, 'v1: the hierarchical totals');
  assert.deepEqual(parseMemoryStat('rss 10\ncache 20\n', 1), { anon: 10, file: 20 }, 'v1 without totals: the group alone');
  assert.deepEqual(parseMemoryStat('', 2), { anon: undefined, file: undefined });

  assert.equal(parseOomKills(fx('v2-memory.events')), 2);
  assert.equal(parseOomKills(fx('v1-memory.oom_control')), 0);
  assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\n'), undefined, 'kernels before 4.13 do not count');
  assert.deepEqual(parseCgroupProcs('1\n42\n31337\n'), [1, 42, 31337]);
  assert.deepEqual(parseCgroupProcs(''), []);
  assert.deepEqual(parseCgroupProcs('7'), [7]);
});

function fakeMachine(layout: Layout, groups: FakeGroup[]): { proc: string; sys: string; base: string } {
  const base = mkdtempSync(join(tmpdir(), 'memtop-cg-'));
  const files = fakeCgroupFiles(layout, groups);
  return { base, proc: makeTree(files.proc, join(base, 'proc')), sys: makeTree(files.sys, join(base, 'sys')) };
}

const MiB = 1024 * 1024;

test('reader, v2: nested groups in order, "max", high, swap, stat, events, pressure; the root without memory.current', (t) => {
  const m = fakeMachine('v2', [
    { path: '/', pids: [1], anon: 10 * MiB, file: 20 * MiB },
    { path: '/system.slice', pids: [], memory: 300 * MiB, anon: 200 * MiB, file: 100 * MiB },
    { path: '/system.slice/web.service', pids: [100, 101], memory: 250 * MiB, max: 512 * MiB, high: 400 * MiB, swap: 5 * MiB, anon: 180 * MiB, file: 70 * MiB, oomKill: 2, psiSome: 1000, psiFull: 400 },
    { path: '/system.slice/db.service', pids: [200], memory: 50 * MiB },
    { path: '/user.slice', pids: [300], memory: 10 * MiB },
  ]);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  const r = new CgroupReader({ proc: m.proc, sys: m.sys });
  const s = r.read()!;
  assert.equal(s.version, 2);
  assert.equal(s.mountPoint, '/sys/fs/cgroup');
  assert.deepEqual(s.groups.map((g) => g.path), ['/', '/system.slice', '/system.slice/db.service', '/system.slice/web.service', '/user.slice']);
  const root = s.groups[0]!;
  assert.equal(root.memory, undefined, 'v2 root: no memory.current');
  assert.equal(root.anon, 10 * MiB);
  const web = s.groups[3]!;
  assert.deepEqual(web.pids, [100, 101]);
  assert.equal(web.memory, 250 * MiB);
  assert.equal(web.max, 512 * MiB);
  assert.equal(web.high, 400 * MiB);
  assert.equal(web.swap, 5 * MiB);
  assert.equal(web.anon, 180 * MiB);
  assert.equal(web.file, 70 * MiB);
  assert.equal(web.oomKills, 2);
  assert.equal(web.psi!.some.total, 1000);
  assert.equal(web.psi!.full!.total, 400);
  assert.equal(s.groups[2]!.max, UNLIMITED);
  r.close();
});

test('reader, v1 in a container: limits near 2^63 are unlimited, swap = memsw - usage, oom_control, no high or pressure', (t) => {
  const m = fakeMachine('v1', [
    { path: '/', pids: [1], memory: 900 * MiB, anon: 600 * MiB, file: 300 * MiB },
    { path: '/app', pids: [10, 11], memory: 700 * MiB, max: 1024 * MiB, swap: 3 * MiB, anon: 500 * MiB, file: 200 * MiB, oomKill: 4 },
  ]);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  const s = new CgroupReader({ proc: m.proc, sys: m.sys }).read()!;
  assert.equal(s.version, 1);
  assert.equal(s.groups[0]!.max, UNLIMITED);
  const app = s.groups[1]!;
  assert.deepEqual([app.path, app.memory, app.max, app.swap, app.anon, app.file, app.oomKills], ['/app', 700 * MiB, 1024 * MiB, 3 * MiB, 500 * MiB, 200 * MiB, 4]);
  assert.equal(app.high, undefined);
  assert.equal(app.psi, undefined);
  // A process's memory cgroup: /proc/PID/cgroup names it from the host's root; the mount shows /docker/4f1c2a as its top.
  makeTree({ '10/cgroup': '12:memory:/docker/4f1c2a/app\n0::/\n', '11/cgroup': '12:memory:/elsewhere\n' }, m.proc);
  const h = findMemoryHierarchy(m.proc, m.sys)!;
  assert.deepEqual(memoryCgroupOf(10, m.proc, h), { path: '/app', dir: join(m.sys, 'fs/cgroup/memory/app') });
  assert.equal(memoryCgroupOf(11, m.proc, h), undefined, 'outside what the mount shows');
  assert.equal(memoryCgroupOf(99, m.proc, h), undefined, 'no such process');
});

test('reader, hybrid: the v1 memory hierarchy, not the v2 tree without the controller', (t) => {
  const m = fakeMachine('hybrid', [
    { path: '/', pids: [1], memory: 2000 * MiB },
    { path: '/process_api', memory: 500 * MiB },
    { path: '/process_api/job', pids: [42], memory: 400 * MiB, max: 1000 * MiB },
  ]);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  const s = new CgroupReader({ proc: m.proc, sys: m.sys }).read()!;
  assert.equal(s.version, 1);
  assert.equal(s.mountPoint, '/sys/fs/cgroup/memory');
  assert.deepEqual(s.groups.map((g) => [g.path, g.memory]), [['/', 2000 * MiB], ['/process_api', 500 * MiB], ['/process_api/job', 400 * MiB]]);
});

test('reader: no memory controller anywhere, or no mountinfo: no tree, no error', (t) => {
  const m = fakeMachine('none', []);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  assert.equal(new CgroupReader({ proc: m.proc, sys: m.sys }).read(), undefined);
  assert.equal(new CgroupReader({ proc: join(m.base, 'nowhere'), sys: m.sys }).read(), undefined);
});

test('reader: a subtree without memory files (threaded, controller off) folds its processes into the group above', (t) => {
  const m = fakeMachine('v2', [
    { path: '/', pids: [1] },
    { path: '/app', pids: [10], memory: 100 * MiB },
    { path: '/app/threads', pids: [11], noMemory: true },
    { path: '/app/threads/t1', pids: [12], noMemory: true },
    { path: '/other', pids: [20], memory: 1 * MiB },
  ]);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  const s = new CgroupReader({ proc: m.proc, sys: m.sys }).read()!;
  assert.deepEqual(s.groups.map((g) => g.path), ['/', '/app', '/other']);
  assert.deepEqual(s.groups[1]!.pids.sort((a, b) => a - b), [10, 11, 12]);
});

test('reader: an unreadable file leaves its figure unknown; a group removed mid-read is left out with its subtree', (t) => {
  const m = fakeMachine('v2', [
    { path: '/', pids: [1] },
    { path: '/a', pids: [10], memory: 100 * MiB, max: 200 * MiB, anon: 5, unreadable: ['memory.stat', 'memory.max'] },
    { path: '/b', pids: [20], memory: 50 * MiB, vanishing: true },
    { path: '/c', pids: [30], memory: 1 * MiB },
  ]);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  const s = new CgroupReader({ proc: m.proc, sys: m.sys }).read()!;
  assert.deepEqual(s.groups.map((g) => g.path), ['/', '/a', '/c']);
  const a = s.groups[1]!;
  assert.equal(a.memory, 100 * MiB);
  assert.equal(a.max, undefined);
  assert.equal(a.anon, undefined);
  assert.deepEqual(a.pids, [10]);
});

test('reader: depth limit reads deeper groups\' processes only, counted in the deepest group read', (t) => {
  const m = fakeMachine('v1', [
    { path: '/', pids: [1], memory: 10 },
    { path: '/a', pids: [10], memory: 5 },
    { path: '/a/b', pids: [11], memory: 4 },
    { path: '/a/b/c', pids: [12], memory: 3 },
  ]);
  t.after(() => rmSync(m.base, { recursive: true, force: true }));
  const s = new CgroupReader({ proc: m.proc, sys: m.sys }).read({ maxDepth: 2 })!;
  assert.deepEqual(s.groups.map((g) => g.path), ['/', '/a']);
  assert.deepEqual(s.groups[1]!.pids.sort((a, b) => a - b), [10, 11, 12]);
});

test('reader on this machine: the memory hierarchy holds this process, found from /proc/self/cgroup', { skip: !findMemoryHierarchy('/proc', '/sys') }, () => {
  const h = findMemoryHierarchy('/proc', '/sys')!;
  const mine = memoryCgroupOf(process.pid, '/proc', h)!;
  assert.ok(mine, 'this process has a memory cgroup');
  const reader = new CgroupReader({ proc: '/proc', sys: '/sys' });
  try {
    const s = reader.read()!;
    const g = s.groups.find((x) => x.path === mine.path)!;
    assert.ok(g, `group ${mine.path} listed`);
    assert.ok(g.pids.includes(process.pid));
    assert.ok(g.memory! > 0);
    const again = reader.read()!; // second read through the kept fds
    assert.ok(again.groups.find((x) => x.path === mine.path)!.pids.includes(process.pid));
  } finally {
    reader.close();
  }
});
