/** smaps, smaps_rollup and status's memory lines on real-shaped text, old kernels included; the detail model on them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DetailTracker, groupMappings, residentKinds } from '../src/model/detail.js';
import { detailJson, detailLines } from '../src/output/detail.js';
import { parseStatusMemory } from '../src/procfs/pid.js';
import { mappingKind, parseSmaps, parseSmapsRollup, sumMappings, type Mapping } from '../src/procfs/smaps.js';
import { FIXTURES } from './helpers/trees.js';

const fx = (name: string) => readFileSync(join(FIXTURES, 'procfs', name), 'utf8');
const KiB = 1024;

test('smaps (6.x, a process with one mapping of each kind): every mapping, its kind and sizes', () => {
  const maps = parseSmaps(fx('smaps-6.x-kinds'));
  const headers = fx('smaps-6.x-kinds').split('\n').filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l));
  assert.equal(maps.length, headers.length);
  const byName = (name: string) => maps.find((m) => m.name === name)!;
  assert.equal(mappingKind(byName('[heap]')), 'heap');
  assert.equal(mappingKind(byName('[stack]')), 'stack');
  assert.equal(mappingKind(byName('[vdso]')), 'special');
  assert.equal(mappingKind(byName('/SYSV00000000 (deleted)')), 'shmem', 'a SysV segment (inode 0) is shared memory');
  assert.equal(mappingKind(byName('/dev/shm/memtop-fixture (deleted)')), 'shmem');
  assert.equal(mappingKind(byName('/dev/zero (deleted)')), 'shmem', 'a shared anonymous mapping');
  assert.equal(mappingKind(byName('/usr/lib/x86_64-linux-gnu/libc.so.6')), 'file');
  const sysv = byName('/SYSV00000000 (deleted)');
  assert.equal(sysv.size, 1024 * KiB);
  assert.equal(sysv.rss, 1024 * KiB, 'the fixture program touched all of its 1 MiB segment');
  assert.equal(sysv.perms, 'rw-s');
  // The nameless mapping holding the 2 MiB malloc is anonymous.
  const anon = maps.filter((m) => m.name === '');
  assert.ok(anon.length >= 2);
  assert.ok(anon.every((m) => mappingKind(m) === 'anon'));
  assert.ok(Math.max(...anon.map((m) => m.rss ?? 0)) >= 2048 * KiB);
});

test('smaps_rollup equals the sum of smaps taken at the same moment; status agrees on the kinds', () => {
  const maps = parseSmaps(fx('smaps-6.x-kinds'));
  const rollup = parseSmapsRollup(fx('smaps_rollup-6.x-kinds'))!;
  const sum = sumMappings(maps);
  for (const key of ['rss', 'privateDirty', 'anonymous', 'swap', 'swapPss'] as const) assert.equal(sum[key], rollup[key], key);
  // Pss is truncated to kB per mapping in smaps, once in the rollup.
  assert.ok(Math.abs(sum.pss! - rollup.pss!) <= maps.length * KiB);
  assert.equal(rollup.pssShmem, 1792 * KiB, 'Pss_Shmem (5.x) is read');
  const status = parseStatusMemory(fx('status-6.x-kinds'));
  assert.equal(status.rssAnon, rollup.anonymous);
  assert.equal(status.vmRss, rollup.rss);
  assert.equal(status.rssAnon! + status.rssFile! + status.rssShmem!, status.vmRss);
  assert.equal(status.vmPte, 52 * KiB);
  assert.deepEqual(residentKinds(status, maps), { anon: status.rssAnon, file: status.rssFile, shmem: status.rssShmem });
});

test('old kernel (2.6.32): no rollup, no Anonymous, no RssAnon: kinds come from smaps; thread stacks join [stack]', () => {
  const maps = parseSmaps(fx('smaps-2.6.32-httpd'));
  assert.equal(maps.length, 12);
  assert.equal(maps[0]!.anonymous, undefined, 'a field the kernel did not write stays unknown');
  assert.equal(maps[0]!.swapPss, undefined);
  assert.equal(mappingKind(maps.find((m) => m.name === '[stack:3105]')!), 'stack');
  assert.equal(parseSmapsRollup('garbage\n'), undefined);
  const status = parseStatusMemory(fx('status-2.6.32-noswap'));
  assert.equal(status.rssAnon, undefined);
  assert.equal(status.vmSwap, undefined, 'VmSwap came in 2.6.34');
  assert.equal(status.vmRss, 6040 * KiB);
  const kinds = residentKinds(status, maps);
  // Without Anonymous: the resident size of the heap, anonymous and stack mappings.
  const anonRss = maps.filter((m) => ['heap', 'anon', 'stack'].includes(mappingKind(m))).reduce((a, m) => a + m.rss!, 0);
  assert.equal(kinds.anon, anonRss);
  assert.equal(kinds.shmem, 132 * KiB);
  assert.equal(kinds.file, 6040 * KiB - anonRss - 132 * KiB);
  const groups = groupMappings(maps);
  assert.equal(groups.get('[stack]')!.count, 2, '[stack] and [stack:TID]');
  assert.equal(groups.get('/lib64/libc-2.12.so')!.count, 3);
  // The detail shows the unknown fields as ? and null, never 0.
  const d = new DetailTracker(0).update({ pid: 3100, cmd: 'httpd', time: 0, status, mappings: maps, rollup: sumMappings(maps) });
  assert.equal(d.kinds.swap.value, undefined);
  assert.equal(detailJson(d).swappss, null);
  assert.match(detailLines(d, 80).find((l) => l.includes('swapped'))!, /swapped\s+\?/);
});

test('smaps text that is not smaps, or cut short, gives what it holds and no throw', () => {
  assert.deepEqual(parseSmaps(''), []);
  assert.deepEqual(parseSmaps('Rss: 4 kB\nhello\n'), []);
  const cut = fx('smaps-6.x-kinds').slice(0, 300);
  const maps = parseSmaps(cut);
  assert.equal(maps.length, 1);
  assert.equal(maps[0]!.name, '/tmp/leaker');
});

/** A mapping for the tracker tests. */
const map = (name: string, rssKiB: number, sizeKiB = rssKiB): Mapping => ({ start: '0', perms: 'rw-p', inode: 0, name, size: sizeKiB * KiB, rss: rssKiB * KiB, swap: 0 });

test('tracker: growth over the last interval and since opened, largest growers first, unreadable smaps as ? with the reason', () => {
  const t = new DetailTracker(1000);
  const status = (rss: number) => ({ vmRss: rss * KiB, vmSize: 2 * rss * KiB, rssAnon: rss * KiB, rssFile: 0, rssShmem: 0, vmSwap: 0 });
  const first = t.update({ pid: 7, cmd: 'x', time: 1000, status: status(100), mappings: [map('[heap]', 50), map('', 40), map('/lib/a.so', 10)] });
  assert.deepEqual(first.mappings!.map((g) => g.name), ['[heap]', '[anon]', '/lib/a.so'], 'no growth yet: largest resident first');
  assert.ok(first.mappings!.every((g) => g.grow === 0 && g.since === 0));
  const second = t.update({ pid: 7, cmd: 'x', time: 3000, status: status(130), mappings: [map('[heap]', 52), map('', 40), map('', 28), map('/lib/a.so', 10)] });
  assert.equal(second.elapsed, 2);
  assert.equal(second.mappings![0]!.name, '[anon]');
  assert.equal(second.mappings![0]!.count, 2);
  assert.equal(second.mappings![0]!.grow, 28 * KiB);
  assert.equal(second.kinds.anon.grow, 30 * KiB);
  const third = t.update({ pid: 7, cmd: 'x', time: 5000, status: status(140), smapsUnreadable: 'permission denied: test' });
  assert.equal(third.mappings, undefined);
  assert.equal(third.kinds.anon.since, 40 * KiB, 'status still gives the kinds');
  assert.match(detailLines(third, 100).join('\n'), /MAPPINGS  \? permission denied: test/);
  assert.match(detailLines(third, 100).join('\n'), /PSS \?/);
  assert.equal(detailJson(third).pss, null);
  assert.equal(detailJson(third).unreadable, 'permission denied: test');
  const fourth = t.update({ pid: 7, cmd: 'x', time: 7000, status: status(150), mappings: [map('[heap]', 62), map('', 78), map('/lib/a.so', 10)] });
  assert.equal(fourth.mappings![0]!.name, '[anon]');
  assert.equal(fourth.mappings![0]!.since, 38 * KiB);
  assert.equal(fourth.mappings![1]!.since, 12 * KiB);
  assert.equal(fourth.trend.length, 4);
  const gone = t.update({ pid: 7, cmd: 'x', time: 9000 });
  assert.equal(gone.gone, true);
  assert.match(detailLines(gone, 80)[0]!, /process ended/);
});

test('tracker: the cgroup\'s limits and the events that went up in the interval; an OOM kill inside it said plainly', () => {
  const t = new DetailTracker(0);
  const status = { vmRss: 50 * 1024 * KiB, vmSize: 60 * 1024 * KiB, rssAnon: 49 * 1024 * KiB, rssFile: 1024 * KiB, rssShmem: 0, vmSwap: 0 };
  const cgroup = (failcnt: number, oomKill: number) => ({
    version: 1 as const, path: '/a/memtop-7', memory: 40 * 1024 * KiB, max: 64 * 1024 * KiB, failcnt, events: { oom_kill_disable: 0, under_oom: 0, oom_kill: oomKill }, contained: true,
  });
  const first = t.update({ pid: 7, cmd: 'x', time: 0, status, cgroup: cgroup(0, 0) });
  assert.equal(first.cgroupNews, undefined);
  const text = detailLines(first, 100).join('\n');
  assert.match(text, /CGROUP {4}v1, contained by memtop: \/a\/memtop-7/);
  assert.match(text, /usage 40\.0M {2}limit 64\.0M \(63%\) {2}failcnt 0 {2}oom_kill 0/);
  const hit = t.update({ pid: 7, cmd: 'x', time: 1000, status, cgroup: cgroup(5, 0) });
  assert.deepEqual(hit.cgroupNews, { failcnt: 5 });
  assert.match(detailLines(hit, 100).join('\n'), /the group hit its limit in the last interval/);
  const killed = t.update({ pid: 7, cmd: 'x', time: 2000, status, cgroup: cgroup(9, 1) });
  assert.match(detailLines(killed, 100).join('\n'), /\*\* 1 OOM kill inside this group in the last interval \*\*/);
  const json = detailJson(killed).cgroup as Record<string, unknown>;
  assert.equal(json.max, 64 * 1024 * KiB);
  assert.equal(json.high, null);
  assert.equal(json.contained, true);
});
