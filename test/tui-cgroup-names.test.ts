/**
 * Containers and units by name on the screen, end to end in a pty: a fake v2
 * tree with a docker scope and units beside the case study's fake /proc; G
 * shows the container by its id where its state is not readable (this
 * machine has none of the fake one), F filters the processes by a unit's or
 * the container's name, and the CGROUP column shows those names.
 * (Names from the runtimes' state files: cgroup-names.test.ts.)
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeCgroupFiles } from './helpers/cgroups.js';
import { makeTree } from './helpers/trees.js';
import { CASE_STUDY, makeFakeProc } from './tui-fakeproc.js';
import { PtyScreen } from './tui-harness.js';

const MiB = 1024 * 1024;
const ID = 'fe'.repeat(32);

test('G and F: a container by its id where no state tells, a filter by unit and by container name', { timeout: 60_000 }, async () => {
  const fake = makeFakeProc(CASE_STUDY);
  const cg = fakeCgroupFiles('v2', [
    { path: '/', pids: [1] },
    { path: '/system.slice', pids: [1530], memory: 900 * MiB },
    { path: '/system.slice/upload.service', pids: [30457, 30925, 30926], memory: 500 * MiB },
    { path: `/system.slice/docker-${ID}.scope`, pids: [31048, 29272], memory: 300 * MiB },
  ]);
  makeTree(cg.proc, fake.dir);
  const sys = makeTree(cg.sys, join(fake.dir, 'fakesys'));
  // A state dir of its own: a containment another test records meanwhile would take the status line.
  const s = new PtyScreen(['--proc', fake.dir, '--sys', sys, '600'], 160, 40, { env: { MEMTOP_STATE_DIR: join(fake.dir, 'no-state') } });
  const procs = () => {
    const head = s.find(/^\s*PID /);
    return head ? s.lines().slice(head.y + 1).filter((l) => /^\s*\d+ /.test(l)) : [];
  };
  try {
    await s.waitText(/since Boot/);
    s.send('G');
    await s.waitText(/^CGROUP\s+NPROCS/m);
    await s.waitFor(() => s.lines().some((l) => new RegExp(`^ {4}docker:${ID.slice(0, 12)} +2 +300\\.0M`).test(l)), 'the container by its short id');
    s.send('g');
    await s.answer('F', 'upload.service');
    await s.waitFor(() => procs().length === 3 && procs().every((l) => /upload\.service/.test(l)), 'the unit\'s three processes, its name in CGROUP');
    assert.match(s.lines().find((l) => /cgroups named/.test(l)) ?? '', /processes of the cgroups named upload\.service and below/);
    await s.answer('F', `docker:${ID.slice(0, 12)}`);
    await s.waitFor(() => procs().length === 2 && procs().every((l) => l.includes(`docker:${ID.slice(0, 12)}`)), 'the container\'s two processes');
    await s.answer('F', 'system.slice');
    await s.waitFor(() => procs().length === 6, 'a slice: its own process and those of the groups below');
    await s.answer('F', '');
    await s.waitFor(() => !s.find(/cgroups named/) && !!s.find(/^\s*PID /) && !s.find(/^\s*PID .*CGROUP/), 'empty: no filter, no CGROUP column');
  } finally {
    await s.close();
    fake.remove();
    rmSync(sys, { recursive: true, force: true });
  }
});
