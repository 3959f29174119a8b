/**
 * The alert path end to end: a real Prometheus loads contrib/memtop-rules.yml
 * and scrapes memtop every second, a real Alertmanager (Debian's
 * prometheus-alertmanager) receives what fires, all on loopback ports of
 * their own with temporary storage. A process is OOM-killed in a small memory
 * group below this test's own, the first kill of its command: the test waits
 * for Alertmanager to hold a ProcessOomKilled alert naming it (the rule
 * memtop shipped before never fired for a command's first kill).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild } from './helpers/cli.js';
import { namedLeakerBinary } from './helpers/leaker.js';
import { makeMemGroup, oomUnavailable } from './helpers/memgroup.js';
import { freePort, httpRequest, startMemtop, stop } from './prometheus-helpers.js';

const RULES = join(import.meta.dirname, '..', 'contrib', 'memtop-rules.yml');
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function need(binary: string, pkg: string): void {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) assert.fail(`${binary} is not installed: install Debian's '${pkg}' package (.ci/run does)`);
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

async function amAlerts(port: number): Promise<AmAlert[]> {
  try {
    const r = await httpRequest(port, '/api/v2/alerts', { timeoutMs: 3000 });
    return r.status === 200 ? (JSON.parse(r.body) as AmAlert[]) : [];
  } catch {
    return [];
  }
}

test('the first OOM kill of a command reaches Alertmanager as an alert naming it', { timeout: 180_000 }, async (t) => {
  const why = oomUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  need('prometheus', 'prometheus');
  need('prometheus-alertmanager', 'prometheus-alertmanager');
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'memtop-alert-e2e-'));
  const group = makeMemGroup('memtop-alert', 64 * MiB);
  let memtop: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let alertmanager: ChildProcess | undefined;
  let victim: ChildProcess | undefined;
  let logs = '';
  const keep = (name: string) => (c: Buffer) => (logs = `${logs}${name}: ${c}`.slice(-6000));
  try {
    const started = await startMemtop(['--prometheus', `127.0.0.1:${await freePort()}`, '1']);
    memtop = started.child;

    const amPort = await freePort();
    writeFileSync(join(dir, 'alertmanager.yml'), [
      'route:',
      '  receiver: test',
      '  group_wait: 1s',
      '  group_interval: 1s',
      'receivers:',
      '  - name: test',
      '',
    ].join('\n'));
    alertmanager = spawn('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=', // no gossip port: a single Alertmanager
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    alertmanager.stderr!.on('data', keep('alertmanager'));

    const promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${RULES}`,
      'alerting:',
      '  alertmanagers:',
      '    - static_configs:',
      `        - targets: ['127.0.0.1:${amPort}']`,
      'scrape_configs:',
      '  - job_name: memtop',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${started.port}']`,
      '',
    ].join('\n'));
    prometheus = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.on('data', keep('prometheus'));

    // Scraped a few times before the kill, so the victim's series is new when it appears.
    const ready = Date.now() + 60_000;
    for (;;) {
      const r = await httpRequest(promPort, '/api/v1/query?query=up%7Bjob%3D%22memtop%22%7D', { timeoutMs: 3000 }).catch(() => undefined);
      if (r?.status === 200 && /"value":\[[^\]]*"1"\]/.test(r.body)) break;
      if (Date.now() > ready) assert.fail(`Prometheus never scraped memtop: ${logs}`);
      await sleep(500);
    }
    await sleep(3000);

    const comm = 'amvictim';
    victim = group.spawnInside([namedLeakerBinary(comm), 'large', '16384', '50']);
    const killedAt = Date.now();
    const deadline = killedAt + 90_000;
    let found: AmAlert | undefined;
    while (Date.now() < deadline && !found) {
      for (const proc of [memtop, prometheus, alertmanager]) if (proc.exitCode !== null) assert.fail(`a server exited: ${logs} ${started.stderr()}`);
      found = (await amAlerts(amPort)).find((a) => a.labels.alertname === 'ProcessOomKilled' && a.labels.comm === comm);
      if (!found) await sleep(1000);
    }
    assert.ok(found, `no ProcessOomKilled alert for ${comm} in Alertmanager within 90 s: ${logs}`);
    assert.equal(victim.signalCode, 'SIGKILL', 'the victim was OOM-killed');
    assert.equal(found.labels.job, 'memtop');
    assert.equal(found.labels.severity, 'warning');
    assert.equal(found.status.state, 'active');
    assert.match(found.annotations.summary ?? '', new RegExp(`killed ${comm} on 127\\.0\\.0\\.1:${started.port}`));
    process.stdout.write(`# Alertmanager got ProcessOomKilled{comm="${comm}"} ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the victim started\n`);
  } finally {
    await Promise.all([stop(prometheus), stop(alertmanager), stop(memtop), stop(victim)]);
    await group.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
