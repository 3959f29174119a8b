/**
 * --csv and --report on recordings of a fake machine (test/helpers/rawlog.ts):
 * the CSV read back by Python's csv module (a real CSV parser) has the
 * registry's columns and one row per sample (per process per sample with a
 * view), quotes what needs quoting, and agrees with --json; a live --csv
 * run too. The report escapes what processes call themselves, and its
 * charts keep a one-sample peak among 8,640 samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { memtop } from './helpers/cli.js';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';
import { VIEWS } from '../src/columns/views.js';
import { processColumns, csvName } from '../src/output/csv.js';
import { BUCKETS, peakIndices } from '../src/output/svgchart.js';

/** Python's csv.reader over the text: the rows as lists of strings. */
function parseCsv(text: string): string[][] {
  const r = spawnSync('python3', ['-c', 'import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin))))'], { input: text, encoding: 'utf8' });
  if (r.error || r.status !== 0) assert.fail(`python3's csv module could not read it: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

function fakeLog(t: { after(fn: () => void): void }, count = 8): string {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const samples = sampleMoments(count);
  // A command name with a comma, a quote and markup: CSV must quote it, the report escape it.
  for (const s of samples) s.procs[0]!.comm = 'a,"b<script>x';
  const file = join(dir, 'log');
  record(file, samples);
  return file;
}

test('--csv of a recording: one row per sample with the system columns, as --json has them', (t) => {
  const file = fakeLog(t);
  const r = memtop(['-r', file, '--csv']);
  assert.equal(r.code, 0, r.err);
  const [header, ...rows] = parseCsv(r.out);
  assert.equal(rows.length, 8, 'one row per sample');
  assert.deepEqual(header!.slice(0, 4), ['time', 'elapsed', 'mem_tot', 'mem_free']);
  for (const name of ['swp_tot', 'swp_free', 'pag_scan', 'pag_steal', 'pag_stall', 'pag_swin', 'pag_swout', 'psi_mem_some', 'dsk_sda_busy']) {
    assert.ok(header!.includes(name), `column ${name} in ${header!.join(',')}`);
  }
  assert.ok(rows.every((row) => row.length === header!.length), 'every row has every column');
  const json = memtop(['-r', file, '--json']).out.trim().split('\n').map((l) => JSON.parse(l) as { time: string; mem: { tot: number; free: number }; pag: { scan: number } });
  rows.forEach((row, i) => {
    const at = (name: string) => row[header!.indexOf(name)]!;
    assert.equal(at('time'), json[i]!.time);
    assert.equal(Number(at('mem_tot')), json[i]!.mem.tot);
    assert.equal(Number(at('mem_free')), json[i]!.mem.free);
    assert.equal(Number(at('pag_scan')), json[i]!.pag.scan);
  });
});

test('--csv -V memory: time, pid, cmd and the memory view\'s columns, a row per process per sample, quoted where needed', (t) => {
  const file = fakeLog(t, 5);
  const r = memtop(['-r', file, '--csv', '-V', 'memory']);
  assert.equal(r.code, 0, r.err);
  const [header, ...rows] = parseCsv(r.out);
  const expected = ['time', 'pid', 'cmd', ...processColumns(VIEWS.memory).map(csvName)];
  assert.deepEqual(header, expected);
  assert.ok(header!.includes('rsize') && header!.includes('swapsz') && header!.includes('trate') && header!.includes('leak'));
  const json = memtop(['-r', file, '--json']).out.trim().split('\n').map((l) => JSON.parse(l) as { time: string; procs: { pid: number; rsize: number }[]; exited: unknown[] });
  // The memory view lists every process, and those that exited in the interval.
  assert.equal(rows.length, json.reduce((n, l) => n + l.procs.length + l.exited.length, 0));
  const odd = rows.filter((row) => row[2] === 'a,"b<script>x');
  assert.equal(odd.length, 5, 'the odd name read back whole, once per sample');
  const last = json.at(-1)!;
  for (const p of last.procs) {
    const row = rows.find((x) => x[0] === last.time && Number(x[1]) === p.pid)!;
    assert.equal(Number(row[header!.indexOf('rsize')]), p.rsize, `rsize of ${p.pid}`);
  }
});

test('--csv live: a header and one row per sample', () => {
  const r = memtop(['--csv', '1', '3'], { timeout: 30000 });
  assert.equal(r.code, 0, r.err);
  const [header, ...rows] = parseCsv(r.out);
  assert.equal(header![0], 'time');
  assert.equal(rows.length, 3);
  assert.ok(rows.every((row) => Number(row[header!.indexOf('mem_tot')]) > 0));
  // Process rows live: this test's own node process is among them, in every sample.
  const procs = memtop(['--csv', '-m', '1', '2'], { timeout: 30000 });
  assert.equal(procs.code, 0, procs.err);
  const [ph, ...prows] = parseCsv(procs.out);
  assert.deepEqual(ph!.slice(0, 3), ['time', 'pid', 'cmd']);
  assert.equal(new Set(prows.map((row) => row[0])).size, 2, 'two samples');
  assert.equal(prows.filter((row) => Number(row[1]) === process.pid).length, 2, 'this process once per sample');
  assert.ok(prows.every((row) => row.length === ph!.length));
});

test('--csv, --report: wrong combinations are one-line usage errors', () => {
  for (const args of [['--csv', '--json'], ['--report', 'x.html'], ['--csv', '--detail', '1'], ['--prometheus', '19464', '--csv']]) {
    const r = memtop(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});

test('the report escapes command names and keeps its data inside its script', (t) => {
  const file = fakeLog(t);
  const out = join(file, '..', 'r.html');
  const r = memtop(['-r', file, '--report', out]);
  assert.equal(r.code, 0, r.err);
  const html = readFileSync(out, 'utf8');
  assert.doesNotMatch(html, /<script>x/, 'no markup from a command name');
  assert.match(html, /a,&quot;b&lt;script&gt;x/);
  const data = /<script type="application\/json" id="memtop-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.doesNotMatch(data, /</);
  const parsed = JSON.parse(data) as { charts: { id: string; t: number[] }[] };
  assert.ok(parsed.charts.length >= 3 && parsed.charts.every((c) => c.t.length > 0));
});

test('downsampling keeps a one-sample peak and a dip among 8,640 samples, in at most two samples per bucket per series', () => {
  const n = 8640;
  const times = Array.from({ length: n }, (_, i) => i * 10_000);
  const flat = times.map((_, i) => 100 + (i % 7));
  flat[4321] = 10_000;
  flat[777] = -50;
  const kept = peakIndices(times, [flat]);
  assert.ok(kept.includes(4321), 'the peak');
  assert.ok(kept.includes(777), 'the dip');
  assert.ok(kept.length <= 2 * BUCKETS + 2, `kept ${kept.length}`);
  assert.deepEqual(kept, [...kept].sort((a, b) => a - b));
  assert.deepEqual(peakIndices(times.slice(0, 50), [flat.slice(0, 50)]), Array.from({ length: 50 }, (_, i) => i), 'few samples: all kept');
});

test('--report refuses to write over its own recording, and says in one line where it cannot write', (t) => {
  const file = fakeLog(t, 3);
  const before = readFileSync(file);
  const self = memtop(['-r', file, '--report', file]);
  assert.equal(self.code, 2, self.err);
  assert.match(self.err, /is the recording itself/);
  assert.deepEqual(readFileSync(file), before, 'the recording is untouched');
  for (const where of ['/nonexistent-dir/r.html', join(file, '..')]) {
    const r = memtop(['-r', file, '--report', where]);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /^memtop: cannot write the report/);
  }
});

test('--report takes -b and -e as -r does, and its command lines reproduce that window', (t) => {
  const file = fakeLog(t, 8);
  const out = join(file, '..', 'window.html');
  const r = memtop(['-r', file, '-b', '10:00:20', '-e', '10:00:50', '--report', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /, 4 samples,/);
  const html = readFileSync(out, 'utf8').replace(/&#39;/g, "'");
  const cmd = /<pre class="cmd">memtop -r (\S+) -b '(\d{8} \d\d:\d\d:\d\d)' -e '(\d{8} \d\d:\d\d:\d\d)' --csv<\/pre>/.exec(html);
  assert.ok(cmd, 'a reproducing command line');
  // The command line, run, prints the same four samples.
  const again = memtop(['-r', file, '-b', cmd[2]!, '-e', cmd[3]!, '--csv']);
  assert.equal(again.code, 0, again.err);
  assert.equal(parseCsv(again.out).length, 1 + 4);
});

test('--report of a daily file (--log-dir, -r YYYYMMDD) names that file in its command lines', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  record(join(dir, 'memtop_20240305'), sampleMoments(3));
  const out = join(dir, 'daily.html');
  const r = memtop(['-r', '20240305', '--log-dir', dir, '--report', out]);
  assert.equal(r.code, 0, r.err);
  const html = readFileSync(out, 'utf8');
  assert.ok(html.includes(`memtop -r ${join(dir, 'memtop_20240305')} -b`), 'the daily file by its path');
});
