/**
 * contrib/grafana-dashboard.json: every query is PromQL that promtool accepts,
 * filters on the $instance variable, and names only metrics a live memtop
 * exports: memtop --prometheus is scraped on this machine while a leaker runs
 * (suspects, TRATE, the forecast) and, where a memory group can be made below
 * this test's own, a process is OOM-killed in it (the victims' counter, a
 * cgroup limit), until every metric the dashboard names has appeared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild } from './helpers/cli.js';
import { namedLeakerBinary, startLeaker, stop } from './helpers/leaker.js';
import { makeMemGroup, oomUnavailable, type MemGroup } from './helpers/memgroup.js';
import { freePort, httpRequest, startMemtop } from './prometheus-helpers.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Target { expr: string }
interface Panel { title: string; type: string; targets?: Target[]; panels?: Panel[] }
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
  annotations: { list: { expr?: string }[] };
}

const dashboard = JSON.parse(readFileSync(new URL('../contrib/grafana-dashboard.json', import.meta.url), 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const exprs = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.annotations.list.flatMap((a) => (a.expr ? [a.expr] : [])),
];
/** The metric names the dashboard's queries and variables name. */
const names = () => {
  const vars = dashboard.templating.list.map((v) => (typeof v.query === 'object' ? v.query.query : v.query ?? ''));
  return new Set([...exprs, ...vars].flatMap((e) => e.match(/\bmemtop_[a-z0-9_]+/g) ?? []));
};

test('the dashboard has an $instance variable, every panel queries, every query filters on $instance and is valid PromQL', () => {
  const instance = dashboard.templating.list.find((v) => v.name === 'instance');
  assert.ok(instance, 'an instance variable');
  assert.ok(panels.length >= 10, `panels: ${panels.length}`);
  for (const p of panels) assert.ok((p.targets ?? []).length > 0, `panel ${p.title} has a query`);
  for (const e of exprs) assert.match(e, /instance=~"\$instance"/, e);
  // As recording rules, with Grafana's variables filled in, promtool parses every expression.
  const dir = mkdtempSync(join(tmpdir(), 'memtop-grafana-'));
  try {
    const rules = ['groups:', '  - name: dashboard', '    rules:', ...exprs.flatMap((e, i) => [
      `      - record: dashboard:query${i}`,
      `        expr: '${e.replace(/\$__rate_interval/g, '1m').replace(/\$instance/g, '.*').replace(/'/g, "''")}'`,
    ])].join('\n') + '\n';
    writeFileSync(join(dir, 'rules.yml'), rules);
    const r = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    if (r.error) assert.fail(`promtool is not installed: install Debian's 'prometheus' package (.ci/run does)`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every metric the dashboard names is in a live scrape of memtop', { timeout: 150_000 }, async (t) => {
  requireBuild();
  const wanted = names();
  assert.ok(wanted.size >= 20, `metrics named: ${wanted.size}`);
  const oom = oomUnavailable();
  // Without a memory group to kill in, the victims' counter and a group's limit cannot be made to appear.
  const needsOom = ['memtop_oom_victims_total', 'memtop_cgroup_limit_bytes'];
  if (oom) {
    for (const n of needsOom) wanted.delete(n);
    t.diagnostic(`${oom}: ${needsOom.join(', ')} not checked live`);
  }
  let memtop: ChildProcess | undefined;
  let leaker: ChildProcess | undefined;
  let victim: ChildProcess | undefined;
  let group: MemGroup | undefined;
  try {
    leaker = await startLeaker(['large', '512', '100'], [], namedLeakerBinary('dashleaker'));
    const started = await startMemtop(['--prometheus', `127.0.0.1:${await freePort()}`, '--window', '10', '--top', '50', '1']);
    memtop = started.child;
    if (!oom) {
      group = makeMemGroup('memtop-dash', 64 * MiB);
      await sleep(2500);
      // 10 MiB/s: the group grows for several samples (ranked among the growers, so its limit is exported), then the kill.
      victim = group.spawnInside([namedLeakerBinary('dashvictim'), 'large', '1024', '100']);
    }
    const seen = new Set<string>();
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && [...wanted].some((n) => !seen.has(n))) {
      const r = await httpRequest(started.port, '/metrics');
      if (r.status === 200) {
        // The text format 0.0.4 names a counter family with its _total, as the queries do.
        for (const m of r.body.matchAll(/^# TYPE (\S+)/gm)) seen.add(m[1]!);
      }
      await sleep(1000);
    }
    assert.deepEqual([...wanted].filter((n) => !seen.has(n)).sort(), [], 'named by the dashboard but not exported');
  } finally {
    await Promise.all([stop(memtop), stop(leaker), stop(victim)]);
    await group?.remove();
  }
});
