/**
 * The cgroup view on the screen, end to end in a pty: G shows the tree of a
 * fake v2 cgroup tree beside the case study's fake /proc, the depth keys cut
 * it, a sort flattens it, colours follow atop's rules, Enter lists a group's
 * processes with the CGROUP column, Enter on / lists them all again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_STUDY, makeFakeProc } from './tui-fakeproc.js';
import { KEY, PtyScreen, RED } from './tui-harness.js';
import { fakeCgroupFiles } from './helpers/cgroups.js';
import { makeTree } from './helpers/trees.js';

const MiB = 1024 * 1024;

test('G: the cgroup tree, depth keys, sorted flat, colours, Enter filters the process view to a group', { timeout: 60000 }, async () => {
  const fake = makeFakeProc(CASE_STUDY);
  const cg = fakeCgroupFiles('v2', [
    { path: '/', pids: [1] },
    { path: '/system.slice', pids: [1530], memory: 900 * MiB, anon: 600 * MiB },
    { path: '/system.slice/upload.service', pids: [30457, 30925, 30926], memory: 780 * MiB, max: 800 * MiB, anon: 700 * MiB },
    { path: '/user.slice', memory: 400 * MiB, oomKill: 1 },
    { path: '/user.slice/user-1000.slice', memory: 390 * MiB },
    { path: '/user.slice/user-1000.slice/session-2.scope', pids: [31048, 29272, 4680, 3343], memory: 380 * MiB },
  ]);
  makeTree(cg.proc, fake.dir);
  const sys = makeTree(cg.sys, join(fake.dir, 'fakesys'));
  const s = new PtyScreen(['--proc', fake.dir, '--sys', sys, '600'], 140, 40);
  try {
    await s.waitText(/since Boot/);
    s.send('G');
    await s.waitText(/^CGROUP\s+NPROCS\s+MEMORY\s+MEMMAX/m);
    const row = (name: string) => s.lines().find((l) => new RegExp(`^\\s*${name}\\b`).test(l));
    await s.waitFor(() => !!row('session-2.scope'), 'the tree down to the session');
    assert.match(row('upload.service')!, /^ {4}upload\.service +3 +780\.0M +800\.0M/, 'indented two levels, its limit shown');
    assert.match(row('system.slice')!, /^ {2}system\.slice +1 +900\.0M +max/);
    // atop: MEMORY and MEMMAX red above 95% of the group's own limit (780 of 800 MiB: 97.5%).
    const up = s.find(/^ {4}upload\.service/)!;
    assert.equal(s.cell(up.line.indexOf('780.0M'), up.y).fg, RED, 'MEMORY red near its limit');
    assert.match(s.lines().find((l) => /memory cgroups/.test(l)) ?? '', /memory cgroups \(v2\), all levels/);
    s.send('3');
    await s.waitFor(() => !row('session-2.scope') && !!row('user-1000.slice'), '3: three levels');
    s.send('2');
    await s.waitFor(() => !row('user-1000.slice') && !!row('user.slice'), '2: two levels');
    s.send('9');
    await s.waitFor(() => !!row('session-2.scope'), '9: all levels again');
    await s.answer('O', 'MEMORY');
    const listed = () => s.lines().slice(s.find(/^CGROUP /)!.y + 1).filter((l) => l.trim());
    await s.waitFor(() => /^\/system\.slice +1 +900\.0M/.test(listed()[0] ?? ''), 'sorted on MEMORY: flat, full paths, the largest first');
    assert.match(listed()[1]!, /^\.\.tem\.slice\/upload\.service +3 +780\.0M/, 'a path too long keeps its end');
    await s.answer('O', 'CGROUP');
    await s.waitFor(() => !!row('session-2.scope'), 'back to the tree');
    // Highlight upload.service (the tree: /, system.slice, upload.service) and press Enter.
    s.send(KEY.down);
    s.send(KEY.down);
    s.send('\r');
    await s.waitFor(() => !!s.find(/^\s*PID .*CGROUP/), 'the process view with the CGROUP column');
    const procs = () => s.lines().slice(s.find(/^\s*PID /)!.y + 1).filter((l) => /^\s*\d+ /.test(l));
    await s.waitFor(() => procs().length === 3 && procs().every((l) => /upload/.test(l) && /upload\.service/.test(l)), 'only the three uploads');
    assert.match(s.lines().find((l) => /processes of cgroup/.test(l)) ?? '', /processes of cgroup \/system\.slice\/upload\.service and below/);
    // The leak view keeps the group's filter (a shared box: one service's suspects, none here).
    s.send('L');
    await s.waitFor(() => /\*LEAK/.test(s.find(/^\s*PID /)?.line ?? ''), 'the leak view');
    await s.waitFor(() => procs().length === 3 && procs().every((l) => /upload/.test(l)), 'the leak view: only the group\'s processes');
    s.send('G');
    await s.waitText(/^CGROUP\s+NPROCS/m);
    s.send(KEY.home);
    s.send('\r');
    await s.waitFor(() => !!s.find(/^\s*PID /) && !s.find(/^\s*PID .*CGROUP/), 'Enter on /: every process, no CGROUP column');
  } finally {
    await s.close();
    fake.remove();
    rmSync(sys, { recursive: true, force: true });
  }
});
