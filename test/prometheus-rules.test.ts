/**
 * contrib/memtop-rules.yml: every rule unit-tested by `promtool test rules`
 * (test/memtop-rules.promtest.yml: the first OOM kill of a command, a leak
 * held for its `for`, a short ramp that must not fire, exhaustion, a stale
 * and a silent memtop), and the rules docs/prometheus.md shows are the file's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docBlocks } from './prometheus-helpers.js';

const ROOT = join(import.meta.dirname, '..');
const RULES = join(ROOT, 'contrib', 'memtop-rules.yml');
const UNIT_TESTS = join(ROOT, 'test', 'memtop-rules.promtest.yml');

function promtool(args: string[]): { status: number; output: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error) assert.fail(`promtool is not installed (${r.error.message}): install Debian's 'prometheus' package (.ci/run does)`);
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

test('contrib/memtop-rules.yml passes promtool check rules and its unit tests', () => {
  const check = promtool(['check', 'rules', RULES]);
  assert.equal(check.status, 0, check.output);
  const r = promtool(['test', 'rules', UNIT_TESTS]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /SUCCESS/);
});

test('every alert of the rules file has a unit test', () => {
  const alerts = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
  const tested = new Set([...readFileSync(UNIT_TESTS, 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]!));
  assert.ok(alerts.length >= 7);
  assert.deepEqual(alerts.filter((a) => !tested.has(a)), []);
});

test('the unit tests catch the old OOM rule, which never fired for the first kill of a command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memtop-rules-'));
  try {
    mkdirSync(join(dir, 'contrib'));
    mkdirSync(join(dir, 'test'));
    const old = readFileSync(RULES, 'utf8').replace(
      /expr: >-\n\s+increase\(memtop_oom_victims_total\[5m\]\) > 0\n\s+or \(memtop_oom_victims_total unless memtop_oom_victims_total offset 5m\)/,
      'expr: increase(memtop_oom_victims_total[10m]) > 0',
    );
    assert.notEqual(old, readFileSync(RULES, 'utf8'), 'the OOM rule was found to replace');
    writeFileSync(join(dir, 'contrib', 'memtop-rules.yml'), old);
    copyFileSync(UNIT_TESTS, join(dir, 'test', 'memtop-rules.promtest.yml'));
    const r = promtool(['test', 'rules', join(dir, 'test', 'memtop-rules.promtest.yml')]);
    assert.notEqual(r.status, 0, 'the old rule fails the unit tests');
    assert.match(r.output, /alertname: ProcessOomKilled, time: 10m/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/prometheus.md shows the rules file as it is', () => {
  const file = readFileSync(RULES, 'utf8');
  const shown = docBlocks('yaml').find((b) => b.startsWith('groups:'));
  assert.ok(shown, 'docs/prometheus.md has a groups: block');
  assert.equal(shown, file.slice(file.indexOf('groups:')));
});
