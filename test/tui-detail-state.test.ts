/**
 * The detail and containment on the screen's state, with a fake
 * ProcessAccess: smaps read once on opening and once per sample, never
 * more; contained processes marked [C]; a contained process that ended
 * reported (an OOM kill inside its group said plainly); nothing of it in a
 * replay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VIEWS } from '../src/columns/views.js';
import type { ContainRecord } from '../src/contain/facts.js';
import { Refusal, type ContainFacts } from '../src/contain/plan.js';
import type { DetailReading } from '../src/sample.js';
import type { ProcessAccess } from '../src/view/detailpane.js';
import { fakeLive, fakeReplay, FakeScreen, plainText } from './helpers/screen.js';
import { sampleMoments } from './helpers/rawlog.js';
import { CASE_STUDY } from './tui-fakeproc.js';

const MiB = 1024 * 1024;
const LEKKER = 31048;

/** `holding`: the group directories that hold their record's pid now (asked of records without a start time). */
function fakeAccess(records: ContainRecord[], holding: string[] = []) {
  const calls = { reads: 0, ended: [] as number[], contained: [] as number[], inGroup: [] as number[] };
  const access: ProcessAccess = {
    readDetail: (pid): DetailReading => {
      calls.reads++;
      const grow = calls.reads * 4 * MiB;
      return {
        pid, cmd: 'lekker', time: Date.UTC(2024, 2, 5, 10, 0, 0) + calls.reads * 10000,
        status: { vmRss: 172 * MiB + grow, vmSize: 176 * MiB + grow, rssAnon: 170 * MiB + grow, rssFile: 2 * MiB, rssShmem: 0, vmSwap: 0 },
        mappings: [
          { start: '1', perms: 'rw-p', inode: 0, name: '', size: 160 * MiB + grow, rss: 160 * MiB + grow, swap: 0 },
          { start: '2', perms: 'rw-p', inode: 0, name: '[heap]', size: 10 * MiB, rss: 10 * MiB, swap: 0 },
        ],
      };
    },
    records: () => [...records],
    inGroup: (r) => {
      calls.inGroup.push(r.pid);
      return holding.includes(r.groupDir);
    },
    // The fake /proc's processes all started at tick 100 (test/helpers/procfiles.ts).
    facts: (pid): ContainFacts => ({ pid, cmd: 'lekker', starttime: 100, version: 1, hierarchyDir: '/sys/fs/cgroup/memory', path: '/a', used: 172 * MiB, memTotal: 4096 * MiB }),
    contain: (plan) => {
      calls.contained.push(plan.facts.pid);
      const record: ContainRecord = { pid: plan.facts.pid, cmd: 'lekker', starttime: plan.facts.starttime, how: 'cgroupfs', version: 1, group: '/a/memtop-31048', groupDir: '/x', origin: '/a', limit: plan.limit, time: 0 };
      records.push(record);
      return { lines: [`memtop: contained pid ${plan.facts.pid} (lekker) in /x`], record };
    },
    release: () => new Refusal('not in this test'),
    ended: (pid) => {
      calls.ended.push(pid);
      const i = records.findIndex((r) => r.pid === pid);
      if (i >= 0) records.splice(i, 1);
      return [`memtop: pid ${pid} (gone) was OOM-killed inside its memtop group /a/memtop-${pid} (limit 64.0M, 1 OOM kill there)`];
    },
  };
  return { access, calls };
}

test('Enter: the detail of the highlighted process, read once on opening and once per sample; Escape back', () => {
  const live = fakeLive(CASE_STUDY);
  try {
    const { access, calls } = fakeAccess([]);
    const s = new FakeScreen(live.feed, { view: VIEWS.memory }, [100, 40], access);
    s.state.tick();
    s.answer('I', String(LEKKER));
    assert.equal(calls.reads, 0, 'nothing read until asked');
    s.press('enter');
    assert.equal(calls.reads, 1);
    const text = () => [...s.frame().rows, s.frame().procHead].map(plainText).join('\n');
    assert.match(text(), new RegExp(`DETAIL of pid ${LEKKER}`));
    for (let i = 0; i < 5; i++) s.frame();
    assert.equal(calls.reads, 1, 'frames read nothing');
    s.state.tick();
    assert.equal(calls.reads, 2, 'one read per sample');
    assert.match(text(), /open 20s {2}interval 10\.0s/);
    assert.match(text(), /\[anon\]\s+anon\s+1\s+168\.0M\s+168\.0M\s+0B\s+\+4\.0M\s+\+4\.0M/);
    s.press('escape');
    assert.equal(s.state.detail, undefined);
    s.state.tick();
    assert.equal(calls.reads, 2, 'closed: no more reads');
  } finally {
    live.remove();
  }
});

test('K: proposal, then what it means and the commands, then y contains; [C] marks it; an ended contained process is reported', () => {
  const live = fakeLive(CASE_STUDY);
  try {
    const gone: ContainRecord = { pid: 999, cmd: 'gone', how: 'cgroupfs', version: 1, group: '/a/memtop-999', groupDir: '/y', origin: '/a', limit: 64 * MiB, time: 0 };
    const { access, calls } = fakeAccess([gone]);
    const s = new FakeScreen(live.feed, { view: VIEWS.memory }, [120, 40], access);
    s.state.tick();
    assert.deepEqual(calls.ended, [999]);
    assert.match(s.status(), /pid 999 \(gone\) was OOM-killed inside its memtop group \/a\/memtop-999/);
    s.answer('I', String(LEKKER));
    s.press('K');
    assert.match(s.status(), /Limit 31048 \(lekker\): its 172\.0M now \+ at most \[410\.0M\] more: /);
    s.press('enter');
    const overlay = (s.frame().help ?? []).join('\n');
    assert.match(overlay, /stays charged to \/a/);
    assert.match(overlay, /mkdir \/sys\/fs\/cgroup\/memory\/a\/memtop-31048/);
    assert.match(s.status(), /Contain 31048 \(lekker\) with a limit of 410\.0M\? \(y\/n\)/);
    assert.deepEqual(calls.contained, [], 'nothing before the answer');
    s.press('y');
    assert.deepEqual(calls.contained, [LEKKER]);
    assert.match((s.frame().help ?? []).join('\n'), /contained pid 31048 \(lekker\) in \/x/);
    s.press('escape');
    assert.equal(s.frame().help, undefined, 'any key closes the notice');
    assert.ok(s.cmds().includes('lekker [C]') || s.frame().rows.some((r) => /lekker \[C\]/.test(plainText(r))), 'the list marks it');
  } finally {
    live.remove();
  }
});

test('[C] marks the process contained, not its pid: another start time is a later process (not marked, its record reaped); a record without one is trusted while its group holds the pid', () => {
  const live = fakeLive(CASE_STUDY);
  try {
    const base = { how: 'cgroupfs', version: 1, origin: '/a', limit: 64 * MiB, time: 0 } as const;
    const records: ContainRecord[] = [
      // lekker's pid, recorded for a process that started at tick 99: the kernel has since given the pid to lekker.
      { ...base, pid: LEKKER, cmd: 'old', starttime: 99, group: '/a/memtop-31048', groupDir: '/g/lekker' },
      // The previous format: no start time; its group holds 30457, not 30926.
      { ...base, pid: 30457, cmd: 'upload', group: '/a/memtop-30457', groupDir: '/g/held' },
      { ...base, pid: 30926, cmd: 'upload', group: '/a/memtop-30926', groupDir: '/g/left' },
      // The start time the process has: marked without asking its group.
      { ...base, pid: 4680, cmd: 'firefox', starttime: 100, group: '/a/memtop-4680', groupDir: '/g/firefox' },
    ];
    const { access, calls } = fakeAccess(records, ['/g/held']);
    const s = new FakeScreen(live.feed, { view: VIEWS.memory }, [120, 40], access);
    s.state.tick();
    const marked = s.rows().filter((r) => /\[C\]/.test(r)).map((r) => Number(r.trim().split(/\s+/)[0])).sort((a, b) => a - b);
    assert.deepEqual(marked, [4680, 30457]);
    assert.deepEqual(calls.inGroup.sort((a, b) => a - b), [30457, 30926], 'the group is asked only of records without a start time');
    assert.deepEqual(calls.ended.sort((a, b) => a - b), [30926, LEKKER], 'the stale records go to be reaped');
    // K on lekker proposes a limit: its pid's stale record is not offered for release.
    s.answer('I', String(LEKKER));
    s.press('K');
    assert.match(s.status(), /Limit 31048 \(lekker\): its/);
    s.press('escape');
    s.answer('I', '4680');
    s.press('K');
    assert.match(s.status(), /Release 4680 \(firefox\) from \/a\/memtop-4680/);
  } finally {
    live.remove();
  }
});

test('in a replay: no detail, no containment, said in the status line', () => {
  const s = new FakeScreen(fakeReplay(sampleMoments(3)), {});
  s.state.start();
  s.press('enter');
  assert.match(s.status(), /the detail reads a live process \(smaps is not recorded\): not in a replay/);
  s.press('K');
  assert.match(s.status(), /K contains processes of the live system only/);
});
