/** The cgroup model, text and JSON on fake /proc and cgroup trees at two moments. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroupColumn, cgroupRows } from '../src/columns/cgroup.js';
import { VIEWS } from '../src/columns/views.js';
import { buildInterval, type Interval } from '../src/model/interval.js';
import { intervalJson } from '../src/output/json.js';
import { renderText } from '../src/output/text.js';
import { Sampler } from '../src/reader/sampler.js';
import { fakeCgroupFiles, type FakeGroup, type Layout } from './helpers/cgroups.js';
import { fakeProcFiles, makeTree, squeeze, type FakeProc } from './helpers/trees.js';

const MiB = 1024 * 1024;
const roots: string[] = [];
test.after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function moment(layout: Layout, uptime: number, procs: FakeProc[], groups: FakeGroup[]) {
  const base = mkdtempSync(join(tmpdir(), 'memtop-cgm-'));
  roots.push(base);
  const cg = fakeCgroupFiles(layout, groups);
  const proc = makeTree({ ...fakeProcFiles({ uptime, procs }), ...cg.proc }, join(base, 'proc'));
  const sys = makeTree(cg.sys, join(base, 'sys'));
  return new Sampler({ proc, sys, now: () => Date.UTC(2026, 0, 1, 12, 0, uptime) }).sample({ cgroups: true });
}

function twoMoments(layout: Layout, a: FakeGroup[], b: FakeGroup[], procs: FakeProc[] = [{ pid: 1 }, { pid: 100 }, { pid: 101 }, { pid: 200 }]): Interval {
  return buildInterval(moment(layout, 1000, procs, a), moment(layout, 1010, procs, b));
}

const tree = (mem: { web: number; db: number }, extra: Partial<FakeGroup> = {}): FakeGroup[] => [
  { path: '/', pids: [1] },
  { path: '/system.slice', memory: mem.web + mem.db, max: 2048 * MiB },
  { path: '/system.slice/db.service', pids: [200], memory: mem.db },
  { path: '/system.slice/web.service', pids: [100, 101], memory: mem.web, max: 1024 * MiB, high: 900 * MiB, ...extra },
];

test('v2: CGROW is the growth in the interval, OOM kills and pressure are deltas, the limit share against the tightest limit', () => {
  const iv = twoMoments(
    'v2',
    tree({ web: 500 * MiB, db: 100 * MiB }, { oomKill: 1, psiSome: 1_000_000, psiFull: 500_000 }),
    tree({ web: 950 * MiB, db: 90 * MiB }, { oomKill: 3, psiSome: 4_000_000, psiFull: 3_000_000 }),
  );
  assert.equal(iv.cgroupVersion, 2);
  const web = iv.cgroups.find((g) => g.path === '/system.slice/web.service')!;
  assert.equal(web.depth, 3);
  assert.equal(web.nprocs, 2);
  assert.equal(web.cgrow, 450 * MiB);
  assert.equal(web.oomkill, 2);
  assert.equal(web.psiSome, 30, '3 s of 10 stalled');
  assert.equal(web.psiFull, 25);
  assert.equal(web.psiCrit, true, 'atop: full pressure from 20% is red');
  assert.equal(web.limit, 1024 * MiB);
  assert.equal(web.limitFrom, web.path);
  assert.ok(Math.abs(web.limitPct! - (950 / 1024) * 100) < 1e-9);
  assert.equal(web.level, 'crit', '92.8% of its limit: badness 103 against memcritperc 90');
  assert.equal(web.nearOwnMax, false, 'not above 95% of its own limit');
  const db = iv.cgroups.find((g) => g.path === '/system.slice/db.service')!;
  assert.equal(db.cgrow, -10 * MiB);
  assert.equal(db.limit, 2048 * MiB, 'no limit of its own: the parent\'s holds it');
  assert.equal(db.limitFrom, '/system.slice');
  assert.equal(db.level, 'ok');
  // Processes carry their memory cgroup.
  assert.equal(iv.procs.find((p) => p.pid === 101)!.cgroup, '/system.slice/web.service');
  assert.equal(iv.procs.find((p) => p.pid === 1)!.cgroup, '/');
});

test('v1: the cyan level from 72% of the limit, red above 95% of its own limit; a group new in the interval grows by all of it', () => {
  const a: FakeGroup[] = [{ path: '/', pids: [1], memory: 4000 * MiB }, { path: '/job', pids: [100], memory: 700 * MiB, max: 1000 * MiB }];
  const b: FakeGroup[] = [...a.slice(0, 1), { path: '/job', pids: [100], memory: 750 * MiB, max: 1000 * MiB }, { path: '/new', pids: [101], memory: 960 * MiB, max: 1000 * MiB }];
  const iv = twoMoments('v1', a, b);
  const job = iv.cgroups.find((g) => g.path === '/job')!;
  assert.equal(job.level, 'almost', '75%: badness 83');
  const fresh = iv.cgroups.find((g) => g.path === '/new')!;
  assert.equal(fresh.isNew, true);
  assert.equal(fresh.cgrow, 960 * MiB);
  assert.equal(fresh.nearOwnMax, true);
  assert.equal(iv.cgroups[0]!.limit, undefined, 'the top is unlimited');
  assert.equal(iv.cgroups[0]!.psiSome, undefined, 'v1: no pressure file');
});

test('text -V cgroup: a tree in tree order, flat paths sorted on CGROW, depth limit, "max" for no limit', () => {
  const iv = twoMoments('v2', tree({ web: 500 * MiB, db: 100 * MiB }), tree({ web: 700 * MiB, db: 90 * MiB }));
  const text = renderText(iv, { width: 160, view: VIEWS.cgroup }).split('\n');
  const head = text.findIndex((l) => l.startsWith('CGROUP'));
  assert.ok(head > 0, 'header row');
  assert.deepEqual(squeeze(text[head]!).split(' '), ['CGROUP', 'NPROCS', 'MEMORY', 'MEMMAX', 'MEMHIGH', 'SWAP', 'ANON', 'FILE', 'CGROW', 'TRATE', 'LEAK', 'OOMKILL', 'MEMPS', 'LIMIT']);
  assert.match(text[head + 1]!, /^\/ /);
  assert.match(text[head + 2]!, /^ {2}system\.slice /);
  assert.match(text[head + 3]!, /^ {4}db\.service /);
  assert.match(text[head + 4]!, /^ {4}web\.service +2 +700\.0M +1\.0G +900\.0M/);
  assert.match(text[head + 3]!, / max +max /, 'no limit of its own: max and max');
  const sorted = renderText(iv, { width: 160, view: VIEWS.cgroup, sort: 'CGROW' }).split('\n');
  assert.match(sorted[head + 1]!, /^\/system\.slice\/web\.service +2 +700\.0M/, 'flat, growing most first');
  const rows = cgroupRows(iv.cgroups, cgroupColumn('CGROUP')!, 2);
  assert.deepEqual(rows.map((g) => g.path), ['/', '/system.slice']);
  const narrow = renderText(iv, { width: 80, view: VIEWS.cgroup }).split('\n');
  assert.ok(narrow.every((l) => l.length <= 80));
  assert.match(narrow[head]!, /CGROUP +.*MEMORY +MEMMAX +CGROW/);
});

test('JSON: a cgroups array with the schema\'s keys, bytes, "max" and null where the kernel does not tell', () => {
  const iv = twoMoments('v2', tree({ web: 500 * MiB, db: 100 * MiB }), tree({ web: 700 * MiB, db: 90 * MiB }, { swap: 4096, oomKill: 0 }));
  const j = intervalJson(iv) as { cgroups: Record<string, unknown>[] };
  const keys = ['path', 'nprocs', 'memory', 'max', 'high', 'swap', 'anon', 'file', 'cgrow', 'trate', 'leak', 'oomkill', 'psi_some', 'psi_full'];
  for (const g of j.cgroups) assert.deepEqual(Object.keys(g).slice(0, keys.length), keys);
  const web = j.cgroups.find((g) => g.path === '/system.slice/web.service')!;
  assert.equal(web.memory, 700 * MiB);
  assert.equal(web.max, 1024 * MiB);
  assert.equal(web.high, 900 * MiB);
  assert.equal(web.swap, 4096);
  assert.equal(web.cgrow, 200 * MiB);
  assert.equal(web.oomkill, 0);
  const root = j.cgroups.find((g) => g.path === '/')!;
  assert.equal(root.memory, null, 'v2 root: no memory.current');
  assert.equal(root.max, null);
  const db = j.cgroups.find((g) => g.path === '/system.slice/db.service')!;
  assert.equal(db.max, 'max');
});

test('no memory hierarchy: the view says so, JSON has an empty array', () => {
  const iv = twoMoments('none', [], []);
  assert.deepEqual(iv.cgroups, []);
  assert.deepEqual((intervalJson(iv) as { cgroups: unknown[] }).cgroups, []);
  assert.match(renderText(iv, { width: 80, view: VIEWS.cgroup }), /no memory cgroup hierarchy mounted/);
});

test('TRATE and LEAK of a cgroup: the shared leak tracker on its anonymous memory, steady growth flagged, a flat group not', async () => {
  const { MemoryHistory } = await import('../src/model/leaks.js');
  const history = new MemoryHistory(120);
  let prev;
  let iv: Interval | undefined;
  for (let i = 0; i < 30; i++) {
    const groups: FakeGroup[] = [
      { path: '/', pids: [1], memory: 3000 * MiB },
      { path: '/leaky', pids: [100], memory: (200 + 20 * i) * MiB, anon: (150 + 20 * i) * MiB, file: 50 * MiB },
      { path: '/flat', pids: [200], memory: 300 * MiB, anon: 250 * MiB, file: (50 + (i % 3) * 30) * MiB },
      { path: '/shrinking', pids: [300], memory: (900 - 5 * i) * MiB, anon: (800 - 5 * i) * MiB, file: 100 * MiB },
    ];
    const cur = moment('v2', 1000 + 10 * i, [{ pid: 1 }, { pid: 100 }, { pid: 200 }, { pid: 300 }], groups);
    iv = buildInterval(prev, cur, { history });
    prev = cur;
  }
  const leaky = iv!.cgroups.find((g) => g.path === '/leaky')!;
  const flat = iv!.cgroups.find((g) => g.path === '/flat')!;
  assert.equal(leaky.leak, true);
  assert.ok(Math.abs(leaky.trate! - 2 * MiB) < 0.01 * MiB, `2 MiB/s, got ${leaky.trate}`);
  assert.equal(flat.leak, false, 'page cache going up and down is no leak');
  assert.equal(flat.trate, 0);
  const j = intervalJson(iv!) as { cgroups: Record<string, unknown>[] };
  assert.equal(j.cgroups.find((g) => g.path === '/leaky')!.leak, true);
  const text = renderText(iv!, { width: 160, view: VIEWS.cgroup, sort: 'TRATE' });
  assert.match(text, /\/leaky +1 +780\.0M .* 2\.0M\/s LEAK/);
  // A shrinking group's rate is signed, as the process column's (memStr of a negative rate is OVFLOW).
  assert.match(text, /\/shrinking .* -512K\/s /, text);
  assert.doesNotMatch(text, /OVFLOW/);
});
