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

function fakeAccess(records: ContainRecord[]) {
  const calls = { reads: 0, ended: [] as number[], contained: [] as number[] };
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
    records: () => records,
    facts: (pid): ContainFacts => ({ pid, cmd: 'lekker', version: 1, hierarchyDir: '/sys/fs/cgroup/memory', path: '/a', used: 172 * MiB, memTotal: 4096 * MiB }),
    contain: (plan) => {
      calls.contained.push(plan.facts.pid);
      const record: ContainRecord = { pid: plan.facts.pid, cmd: 'lekker', how: 'cgroupfs', version: 1, group: '/a/memtop-31048', groupDir: '/x', origin: '/a', limit: plan.limit, time: 0 };
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
    assert.match(s.status(), /Memory limit for 31048 \(lekker\), now 172\.0M \[582\.0M\]: /);
    s.press('enter');
    const overlay = (s.frame().help ?? []).join('\n');
    assert.match(overlay, /stays charged to \/a/);
    assert.match(overlay, /mkdir \/sys\/fs\/cgroup\/memory\/a\/memtop-31048/);
    assert.match(s.status(), /Contain 31048 \(lekker\) with a limit of 582\.0M\? \(y\/n\)/);
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

test('in a replay: no detail, no containment, said in the status line', () => {
  const s = new FakeScreen(fakeReplay(sampleMoments(3)), {});
  s.state.start();
  s.press('enter');
  assert.match(s.status(), /the detail reads a live process \(smaps is not recorded\): not in a replay/);
  s.press('K');
  assert.match(s.status(), /K contains processes of the live system only/);
});
