/**
 * The report end to end on a real machine: memtop records a real leaker and
 * a real OOM kill in a small memory group below this test's own, writes the
 * report from the recording, and Debian's Chromium renders it headless: no
 * uncaught error, every chart drawn, the leaker and the OOM victim named.
 * With MEMTOP_SCREENSHOT=PATH the screenshot is also kept there (how
 * docs/report.png was made).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild, runCli, spawnMemtop } from './helpers/cli.js';
import { namedLeakerBinary, startLeaker, stop } from './helpers/leaker.js';
import { makeMemGroup, oomUnavailable } from './helpers/memgroup.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Headless Chromium on a file: the DOM after its scripts ran, or a screenshot. */
export function chromium(url: string, extra: string[], userDataDir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${userDataDir}`, '--enable-logging=stderr', '--v=0',
    ...extra, url,
  ], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * MiB });
  if (r.error) assert.fail(`chromium could not run (${r.error.message}): install Debian's 'chromium' package (.ci/run does)`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a recorded leak and OOM kill give a report Chromium renders: charts drawn, leaker and victim named', { timeout: 240_000 }, async (t) => {
  const why = oomUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'memtop-report-'));
  // Containment records of this test's own: the live screens of other tests read the default /run/memtop.
  process.env.MEMTOP_STATE_DIR = join(dir, 'state');
  const group = makeMemGroup('memtop-report', 64 * MiB);
  const children: ChildProcess[] = [];
  let recorder: ChildProcess | undefined;
  let contained: ChildProcess | undefined;
  try {
    const log = join(dir, 'incident.log');
    const SAMPLES = 40;
    recorder = spawnMemtop(['-w', log, '1', String(SAMPLES)]);
    let recErr = '';
    recorder.stderr!.on('data', (c) => (recErr += c));
    const recorded = new Promise<number | null>((resolve) => recorder!.on('exit', (code) => resolve(code)));
    // A steady leaker (~10 MiB/s, among the fastest even on a busy shared machine) outside the group, under a name of its own.
    const leaker = await startLeaker(['large', '1024', '100'], [], namedLeakerBinary('rptleaker'));
    children.push(leaker);
    // A second one that memtop --contain puts into a group of its own (below this test's group, where it runs).
    contained = await startLeaker(['large', '256', '100'], [], namedLeakerBinary('rptcontain'));
    children.push(contained);
    await sleep(8_000);
    const contain = await runCli(['--contain', String(contained.pid), '--limit', '1G'], 20_000);
    assert.equal(contain.code, 0, contain.stderr);
    await sleep(4_000);
    // The victim: 4 MiB every 100 ms inside the 64 MiB group, killed within two seconds.
    const victim = group.spawnInside([namedLeakerBinary('rptvictim'), 'large', '4096', '100']);
    children.push(victim);
    assert.equal(await recorded, 0, `the recorder ended cleanly: ${recErr}`);
    assert.equal(victim.exitCode === null ? victim.signalCode ?? 'running' : victim.exitCode, 'SIGKILL', 'the victim was OOM-killed');

    const out = join(dir, 'report.html');
    const made = await runCli(['-r', log, '--window', '30', '--report', out], 120_000);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /report: .*report\.html \(\d+ KiB, \d+ samples/);
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'nothing to fetch: scripts and styles are inline');

    const profile = join(dir, 'chromium-profile');
    const dom = chromium(`file://${out}#selftest`, ['--dump-dom', '--virtual-time-budget=5000'], profile);
    assert.equal(dom.status, 0, dom.stderr.slice(-2000));
    const root = /<html[^>]*>/.exec(dom.stdout)?.[0] ?? '';
    assert.match(root, /data-ready="1"/, `the page's script ran to its end: ${root}`);
    assert.doesNotMatch(root, /data-errors=/, `no uncaught error: ${root}`);
    assert.doesNotMatch(dom.stderr, /Uncaught/, 'no uncaught error in the console');
    const drawn = Number(/data-charts="(\d+)"/.exec(root)?.[1]);
    const charts = (dom.stdout.match(/<svg class="chart"/g) ?? []).length;
    assert.ok(charts >= 4, `memory, paging, psi or processes, forecast charts: ${charts}`);
    assert.equal(drawn, charts, 'every chart has a drawn path');
    // Hovering the memory chart shows the moment and each kind's value.
    const tip = /data-tip="([^"]*)"/.exec(root)?.[1] ?? '';
    assert.match(tip, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d.*used \(anon, kernel\): [\d.]+ [KMG]iB.*free: /, `hover tip: ${tip}`);
    // Named: the leaker as a suspect in the summary and the table, the victim as an OOM kill.
    const summary = /<div class="summary" id="summary">([\s\S]*?)<\/div>/.exec(dom.stdout)?.[1] ?? '';
    assert.match(summary, /Leak: rptleaker \(pid \d+/, summary);
    assert.match(summary, /OOM killer: \d+ kills?: .*rptvictim \(pid \d+\)/, summary);
    const events = /<table id="events">([\s\S]*?)<\/table>/.exec(dom.stdout)?.[1] ?? '';
    assert.match(events, /OOM kill<\/b><\/td><td class="num">\d+<\/td><td>rptvictim<\/td>/);
    const procs = /<table id="processes">([\s\S]*?)<\/table>/.exec(dom.stdout)?.[1] ?? '';
    assert.match(procs, /<td>rptleaker<\/td>[\s\S]*?<td>running at the end<\/td><td>\d\d:\d\d:\d\d-\d\d:\d\d:\d\d/, 'the leaker with its suspect period');
    assert.match(procs, /<td>rptvictim<\/td>[\s\S]*?OOM-killed at/, 'the victim with its fate');
    assert.match(events, /contained<\/td><td class="num">\d+<\/td><td>rptcontain<\/td>/, 'the containment as an event');
    assert.match(procs, /<td>rptcontain<\/td>[\s\S]*?contained at/, 'the contained process with its fate');
    const cg = /<table id="cgroups">([\s\S]*?)<\/table>/.exec(dom.stdout)?.[1] ?? '';
    assert.match(cg, /memtop-report-\d+<\/td><td class="num">64\.0 MiB/, 'the group with its limit');

    const png = join(dir, 'report.png');
    const shot = chromium(`file://${out}`, ['--window-size=1040,2200', `--screenshot=${png}`, '--hide-scrollbars'], profile);
    assert.equal(shot.status, 0, shot.stderr.slice(-2000));
    assert.ok(statSync(png).size > 20_000, 'a screenshot with something on it');
    assert.equal(readFileSync(png).subarray(1, 4).toString(), 'PNG');
    if (process.env.MEMTOP_SCREENSHOT) copyFileSync(png, process.env.MEMTOP_SCREENSHOT);
  } finally {
    recorder?.kill('SIGKILL');
    if (contained?.pid && contained.exitCode === null) await runCli(['--release', String(contained.pid)], 20_000);
    await Promise.all(children.map(stop));
    await group.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
