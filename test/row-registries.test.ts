/**
 * Disks and cgroups are declared in registries (src/columns/disk.ts,
 * src/columns/cgroup.ts) as processes are: their --json keys, their text
 * line and their exposition families all come from the entries, in
 * registry order, and nothing else writes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISK_FIELDS } from '../src/columns/disk.js';
import { cgroupColumns } from '../src/columns/cgroup.js';
import { intervalJson } from '../src/output/json.js';
import { systemLines } from '../src/output/syslines.js';
import { renderExposition } from '../src/export/exposition.js';
import { FakeRoot, intervalsOf } from './prometheus-helpers.js';

function step(t: import('node:test').TestContext) {
  const root = FakeRoot.forTest(t);
  const next = intervalsOf(root);
  next();
  root.advance(10);
  root.state.disks.sda = [2000, 160000, 900, 80000, 6000, 8000];
  root.process(200).rss += 4096 * 1000;
  const cg = root.state.cgroups!.find((g) => g.path === '/big.service')!;
  cg.memory! += 10 * 1024 * 1024;
  cg.oomKill = 3;
  return next();
}

const families = (text: string) => [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].map((m) => [m[1]!, m[2]!]);

test('a disk field is one registry entry: its JSON key, its box on the line and its family come from it', (t) => {
  const { iv, sample } = step(t);
  const json = intervalJson(iv) as { dsk: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(json.dsk[0]!), DISK_FIELDS.filter((f) => f.json).map((f) => f.json), 'JSON keys in registry order');
  const line = systemLines(iv, { all: true }).find((l) => l.label === 'DSK')!;
  const labels = line.fields.map((f) => f.text.trim().split(/\s+/)[0]);
  const shown = DISK_FIELDS.filter((f) => f.line && f.line.kind !== 'device' && (!f.line.shown || f.line.shown(iv.dsk[0]!)));
  assert.deepEqual(labels.slice(1), shown.map((f) => f.name), 'the line\'s boxes in registry order');
  const text = renderExposition(iv, sample, { top: 20, format: 'prometheus', sampleSeconds: 0, oomVictims: new Map() });
  const disk = families(text).filter(([n]) => n!.startsWith('memtop_disk_'));
  const expected = [
    ...DISK_FIELDS.filter((f) => f.counter).map((f) => [`${f.counter!.name}_total`, 'counter']),
    ...DISK_FIELDS.filter((f) => f.gauge).map((f) => [f.gauge!.name, 'gauge']),
  ];
  assert.deepEqual(disk, expected);
  assert.match(text, /^memtop_disk_read_bytes_total\{device="sda",name="sda",class="disk"\} 81920000$/m);
});

test('a cgroup metric is one registry entry: the families, the counter and the JSON come from the cgroup registry', (t) => {
  const { iv, sample } = step(t);
  const text = renderExposition(iv, sample, { top: 20, format: 'prometheus', sampleSeconds: 0, oomVictims: new Map() });
  const cg = families(text).filter(([n]) => n!.startsWith('memtop_cgroup_'));
  const expected = cgroupColumns().filter((c) => c.metric).map((c) => {
    const m = c.metric!;
    return [`memtop_cgroup_${m.name}${m.total ? '_total' : ''}`, m.total ? 'counter' : 'gauge'];
  });
  assert.deepEqual(cg, expected);
  assert.match(text, /^memtop_cgroup_oom_kills_total\{cgroup="\/big.service"\} 3$/m, 'the kernel\'s running count, not the interval\'s');
  assert.match(text, /^memtop_cgroup_growth_bytes_per_second\{cgroup="\/big.service"\} 1048576$/m);
  assert.doesNotMatch(text, /^memtop_cgroup_limit_bytes\{cgroup="\/leaker.service"\}/m, 'no limit: no series');
  const json = intervalJson(iv) as { cgroups: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(json.cgroups[0]!), cgroupColumns().filter((c) => c.json).map((c) => c.json));
  const big = json.cgroups.find((g) => g.path === '/big.service')!;
  assert.equal(big.oomkill, 1, 'JSON keeps the kills of the interval');
});
