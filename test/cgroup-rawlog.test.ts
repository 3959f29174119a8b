/** The raw log records the cgroup tree: a replay shows the cgroup view; a recording without it says so. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VIEWS } from '../src/columns/views.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import { renderText } from '../src/output/text.js';
import { Sampler } from '../src/reader/sampler.js';
import { ReplayFeed } from '../src/run/feeds.js';
import { RECORD_NEEDS } from '../src/run/record.js';
import type { Sample } from '../src/sample.js';
import { fakeCgroupFiles } from './helpers/cgroups.js';
import { plain, readLog, record, tempDir } from './helpers/rawlog.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';

const MiB = 1024 * 1024;

function recorded(k: number, base: string): Sample {
  const cg = fakeCgroupFiles('v1', [
    { path: '/', pids: [1], memory: 2000 * MiB },
    { path: '/app', pids: [100, 101], memory: (300 + 50 * k) * MiB, max: 1024 * MiB, anon: (250 + 50 * k) * MiB, oomKill: k },
    { path: '/idle', pids: [], memory: 10 * MiB },
  ]);
  const dir = join(base, `m${k}`);
  const proc = makeTree({ ...fakeProcFiles({ uptime: 1000 + 10 * k, procs: [{ pid: 1 }, { pid: 100 }, { pid: 101 }] }), ...cg.proc }, join(dir, 'proc'));
  const sys = makeTree(cg.sys, join(dir, 'sys'));
  return new Sampler({ proc, sys, now: () => Date.UTC(2024, 2, 5, 10, 0, 10 * k) }).sample(RECORD_NEEDS);
}

test('recorded cgroup counters replay as the cgroup view, growth and OOM kills per interval', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'memtop-cgrec-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const samples = [0, 1, 2, 3].map((k) => recorded(k, base));
  assert.ok(samples.every((s) => s.cgroups && s.cgroups.groups.length === 3), 'the recorder reads the tree');
  const file = join(tempDir(), 'rec');
  record(file, samples, { keyframeEvery: 2 });
  const log = readLog(file);
  assert.deepEqual(log.warnings, []);
  for (let i = 0; i < samples.length; i++) assert.deepEqual(log.get(i), plain(samples[i]), `sample ${i} as recorded`);
  const feed = new ReplayFeed(log, DEFAULT_THRESHOLDS);
  feed.next();
  const iv = feed.next()!;
  const app = iv.cgroups.find((g) => g.path === '/app')!;
  assert.deepEqual([app.cgrow, app.oomkill, app.max, app.nprocs], [50 * MiB, 1, 1024 * MiB, 2]);
  assert.match(renderText(iv, { width: 120, view: VIEWS.cgroup, sort: 'CGROW' }), /\n\/app +2 +350\.0M +1\.0G/);
});

test('a recording made without cgroup counters says so in the cgroup view', () => {
  const file = join(tempDir(), 'old');
  const samples = [0, 1].map((k) => {
    const s = new Sampler({ proc: makeTree(fakeProcFiles({ uptime: 100 + k, procs: [{ pid: 1 }] })), sys: '/nonexistent' }).sample({ io: true });
    assert.equal(s.cgroups, undefined);
    return s;
  });
  record(file, samples);
  const feed = new ReplayFeed(readLog(file), DEFAULT_THRESHOLDS);
  feed.next();
  const iv = feed.next()!;
  assert.equal(iv.cgroupsRead, false);
  assert.match(renderText(iv, { width: 80, view: VIEWS.cgroup }), /no cgroup counters in this sample: recorded without them/);
});
