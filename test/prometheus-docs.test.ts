/**
 * docs/prometheus.md: its alert rules pass `promtool check rules`, its scrape
 * configuration `promtool check config`, and every metric it names is one
 * memtop exports. (Its PromQL examples run against a real Prometheus in
 * prometheus-e2e.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderExposition } from '../src/export/exposition.js';
import { docBlocks, FakeRoot, intervalsOf } from './prometheus-helpers.js';

function promtool(args: string[]): { status: number; output: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error) assert.fail(`promtool is not installed (${r.error.message}): install Debian's 'prometheus' package`);
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

test('the alert rules and the scrape configuration in docs/prometheus.md pass promtool', () => {
  const yaml = docBlocks('yaml');
  const rules = yaml.find((b) => b.startsWith('groups:'));
  const config = yaml.find((b) => b.startsWith('scrape_configs:'));
  assert.ok(rules && config, 'docs/prometheus.md has a rules block and a scrape_configs block');
  const dir = mkdtempSync(join(tmpdir(), 'memtop-docs-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), rules);
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const r = promtool(['check', 'rules', join(dir, 'rules.yml')]);
    assert.equal(r.status, 0, r.output);
    const c = promtool(['check', 'config', '--syntax-only', join(dir, 'prometheus.yml')]);
    assert.equal(c.status, 0, c.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every metric docs/prometheus.md names is exported, and every exported metric is documented', (t) => {
  const doc = readFileSync(new URL('../docs/prometheus.md', import.meta.url), 'utf8');
  const documented = new Set(doc.match(/\bmemtop_[a-z0-9_]+/g));
  const root = FakeRoot.forTest(t);
  const next = intervalsOf(root);
  next();
  root.advance(10);
  const { iv, sample } = next();
  // What a live run has after a while: a leak suspect with its TRATE, a forecast, an OOM victim.
  Object.assign(iv.procs.find((p) => (p.rsize ?? 0) > 0)!, { trate: 2 * 1024 * 1024, leak: true });
  // And with --psize, PSIZE (read from smaps_rollup).
  iv.procs.find((p) => (p.rsize ?? 0) > 0)!.psize = 3 * 1024 * 1024;
  // And a kernel with zswap, KSM and zram in use (memory-compression.test.ts reads them from a fake sys tree).
  Object.assign(iv.swp, { zpool: 1, zstor: 2, ksuse: 4096, kssav: 8192, zrmem: 3, zrdat: 9 });
  iv.forecast = { exhaust: 3600, rate: 2 * 1024 * 1024, left: 7.5 * 1024 ** 3 };
  const oomVictims = new Map([['leaker', 1]]);
  const text = renderExposition(iv, sample, { top: 20, format: 'prometheus', sampleSeconds: 0.001, oomVictims });
  const exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
  assert.deepEqual([...documented].filter((n) => !exported.has(n)).sort(), [], 'documented but not exported');
  assert.deepEqual([...exported].filter((n) => !documented.has(n)).sort(), [], 'exported but not documented');
});
