/**
 * End to end: Debian's `prometheus` on loopback scrapes the built memtop
 * every second while a child process grows its memory; the test asks
 * Prometheus' HTTP API until that child's rgrow series shows a positive
 * value. Without a prometheus binary the test fails and says why: CI
 * installs it (.ci/run), a silent pass would hide a missing check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild } from './helpers/cli.js';
import { docBlocks, freePort, httpRequest, startMemtop, stop } from './prometheus-helpers.js';

const LIMIT_MS = 60_000;

function prometheusBinary(): string {
  const r = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    assert.fail(
      "prometheus is not installed, so the end-to-end scrape test cannot run: install Debian's 'prometheus' package " +
        '(apt-get install prometheus; .ci/run does this in CI)',
    );
  }
  return 'prometheus';
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(port: number, promql: string): Promise<PromResult[]> {
  const r = await httpRequest(port, `/api/v1/query?query=${encodeURIComponent(promql)}`, { timeoutMs: 5000 });
  if (r.status !== 200) return [];
  const body = JSON.parse(r.body) as { status: string; data?: { result?: PromResult[] } };
  return body.status === 'success' ? body.data?.result ?? [] : [];
}

/** Prometheus' verdict on a query: 'success', or the error it gives. */
async function queryStatus(port: number, promql: string): Promise<string> {
  const r = await httpRequest(port, `/api/v1/query?query=${encodeURIComponent(promql)}`, { timeoutMs: 5000 });
  const body = JSON.parse(r.body) as { status: string; error?: string };
  return body.status === 'success' ? 'success' : `${body.status}: ${body.error ?? r.status}`;
}

async function targetState(port: number): Promise<string> {
  try {
    const r = await httpRequest(port, '/api/v1/targets', { timeoutMs: 5000 });
    const body = JSON.parse(r.body) as { data: { activeTargets: { health: string; lastError: string }[] } };
    return body.data.activeTargets.map((t) => `${t.health}${t.lastError ? `: ${t.lastError}` : ''}`).join('; ');
  } catch (err) {
    return `targets API not answering (${(err as Error).message})`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('Prometheus scrapes memtop and sees a growing process in its rgrow series', { timeout: LIMIT_MS + 30_000 }, async () => {
  const binary = prometheusBinary();
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'memtop-e2e-'));
  let memtop: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let grower: ChildProcess | undefined;
  let promLog = '';
  try {
    // A process that allocates and touches 2 MiB every 250 ms (8 MiB/s), up to 400 MiB.
    grower = spawn(process.execPath, ['-e', `
      const keep = [];
      setInterval(() => { if (keep.length < 200) keep.push(Buffer.alloc(2 << 20, 1)); }, 250);
    `], { stdio: 'ignore' });
    const growerPid = grower.pid!;

    const started = await startMemtop(['--prometheus', `127.0.0.1:${await freePort()}`, '1']);
    memtop = started.child;

    const promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: memtop',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${started.port}']`,
      '',
    ].join('\n'));
    prometheus = spawn(binary, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr!.on('data', (c) => (promLog = (promLog + c).slice(-4000)));

    const promql = `memtop_process_rgrow_bytes_per_second{job="memtop",pid="${growerPid}"} > 0`;
    const deadline = Date.now() + LIMIT_MS;
    let found: PromResult[] = [];
    const t0 = Date.now();
    while (Date.now() < deadline) {
      if (prometheus.exitCode !== null) assert.fail(`prometheus exited (${prometheus.exitCode}): ${promLog}`);
      if (memtop.exitCode !== null) assert.fail(`memtop exited (${memtop.exitCode}): ${started.stderr()}`);
      try {
        found = await query(promPort, promql);
      } catch {
        found = []; // prometheus still starting
      }
      if (found.length > 0) break;
      await sleep(1000);
    }
    if (found.length === 0) {
      assert.fail(`no positive rgrow series for pid ${growerPid} within ${LIMIT_MS / 1000} s; ` +
        `target: ${await targetState(promPort)}; prometheus log: ${promLog.trim() || '(empty)'}`);
    }
    const series = found[0]!;
    assert.equal(series.metric.pid, String(growerPid));
    assert.equal(series.metric.comm, 'node');
    assert.ok(Number(series.value[1]) > 0);
    process.stdout.write(`# Prometheus saw pid ${growerPid} growing at ${(Number(series.value[1]) / 2 ** 20).toFixed(1)} MiB/s ` +
      `after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    // The scrape itself is clean (OpenMetrics, as Prometheus asks for it first) and the system metrics arrived.
    assert.equal(await targetState(promPort), 'up');
    const total = await query(promPort, 'memtop_memory_total_bytes{job="memtop"}');
    assert.ok(total.length === 1 && Number(total[0]!.value[1]) > 0, 'memtop_memory_total_bytes scraped');
    const counters = await query(promPort, 'memtop_page_in_bytes_total{job="memtop"}');
    assert.equal(counters.length, 1, 'counter memtop_page_in_bytes_total scraped');
    // The PromQL examples of docs/prometheus.md are valid queries.
    const examples = docBlocks('promql').join('\n').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    assert.ok(examples.length >= 3);
    for (const promql of examples) assert.equal(await queryStatus(promPort, promql), 'success', promql);
    const seriesCount = await query(promPort, 'scrape_samples_scraped{job="memtop"}');
    process.stdout.write(`# samples per scrape: ${seriesCount[0]?.value[1] ?? '?'}\n`);
  } finally {
    await Promise.all([stop(prometheus), stop(memtop), stop(grower)]);
    rmSync(dir, { recursive: true, force: true });
  }
});
