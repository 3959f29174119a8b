/**
 * The exposition writer on a fake /proc root: names, units and values of the
 * system and process metrics, the top-K bound, escaping, exited processes,
 * the OpenMetrics variant, and `promtool check metrics` on all of it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseListen } from '../src/config.js';
import { escapeLabelValue, negotiateFormat, renderExposition } from '../src/export/exposition.js';
import { EXIT_USAGE, MemtopError } from '../src/messages.js';
import { buildInterval } from '../src/model/interval.js';
import { Sampler } from '../src/reader/sampler.js';
import { FakeRoot, intervalsOf, parseLabels, processLines, promtoolCheck, seriesValue, type Step } from './prometheus-helpers.js';

const KiB = 1024;
const PAGE = 4096;

/** A fake root (removed after the test, with an LVM name in its /sys) and its interval source. */
function setup(t: TestContext) {
  const root = FakeRoot.forTest(t);
  mkdirSync(join(root.sys, 'block/dm-0/dm'), { recursive: true });
  writeFileSync(join(root.sys, 'block/dm-0/dm/name'), 'vg0-root\n');
  return { root, next: intervalsOf(root) };
}

/** The second interval of the standard scenario: 10 s in which 'leaker' grows by 1000 pages. */
function scenario(t: TestContext) {
  const { root, next } = setup(t);
  const first = next();
  root.advance(10);
  const s = root.state;
  root.process(300).rss += 1000 * PAGE;
  root.process(300).vsize += 2000 * PAGE;
  root.process(300).minflt = 100 + 5000;
  root.process(300).majflt = 30;
  root.process(400).rss += 10 * PAGE;
  root.process(1).rss -= 10 * PAGE;
  s.vmstat.pswpin = 15;
  s.vmstat.pswpout = 120;
  s.vmstat.pgscan_direct = 25;
  s.disks.sda = [1400, 90000, 600, 50000, 3000 + 5000, 9000];
  // leaker.service grows by 40 MiB, small.service by 1 MiB; big.service shrinks by 10 MiB and OOM-kills once more.
  s.cgroups![1] = { ...s.cgroups![1]!, memory: 290 * 1024 * 1024, oomKill: 3 };
  s.cgroups![2] = { ...s.cgroups![2]!, memory: 60 * 1024 * 1024 };
  s.cgroups![3] = { ...s.cgroups![3]!, memory: 2 * 1024 * 1024 };
  const second = next();
  return { root, next, first, second };
}

function render(step: Step, top = 2, format: 'prometheus' | 'openmetrics' = 'prometheus') {
  return renderExposition(step.iv, step.sample, { top, format, sampleSeconds: 0.002 });
}

function assertPromtoolClean(text: string) {
  const r = promtoolCheck(text);
  assert.equal(r.status, 0, `promtool check metrics failed:\n${r.output}`);
  assert.equal(r.output.trim(), '', `promtool reported problems:\n${r.output}`);
}

test('memory, swap and commit are gauges in bytes', (t) => {
  const { second } = scenario(t);
  const text = render(second);
  assert.match(text, /^# TYPE memtop_memory_total_bytes gauge$/m);
  assert.equal(seriesValue(text, 'memtop_memory_total_bytes'), 8000000 * KiB);
  assert.equal(seriesValue(text, 'memtop_memory_free_bytes'), 2000000 * KiB);
  assert.equal(seriesValue(text, 'memtop_memory_available_bytes'), 5000000 * KiB);
  assert.equal(seriesValue(text, 'memtop_memory_cached_bytes'), 3000000 * KiB);
  assert.equal(seriesValue(text, 'memtop_memory_buffers_bytes'), 100000 * KiB);
  assert.equal(seriesValue(text, 'memtop_memory_slab_bytes'), 200000 * KiB);
  assert.equal(seriesValue(text, 'memtop_memory_shmem_bytes'), 50000 * KiB);
  assert.equal(seriesValue(text, 'memtop_swap_total_bytes'), 1000000 * KiB);
  assert.equal(seriesValue(text, 'memtop_swap_free_bytes'), 900000 * KiB);
  assert.equal(seriesValue(text, 'memtop_commit_bytes'), 4000000 * KiB);
  assert.equal(seriesValue(text, 'memtop_commit_limit_bytes'), 5000000 * KiB);
  // atop's used%: (8000000 - 2000000 - 3000000 - 100000 - 150000 + 50000) / 8000000
  assert.equal(seriesValue(text, 'memtop_memory_used_ratio'), 2800000 / 8000000);
});

test('a meminfo field the kernel lacks is left out, not exported as zero', (t) => {
  const { root, next } = setup(t);
  delete root.state.meminfoKiB.MemAvailable;
  const text = render(next());
  assert.equal(seriesValue(text, 'memtop_memory_available_bytes'), undefined);
  assert.doesNotMatch(text, /memtop_memory_available_bytes/);
});

test('paging, swapping, scans and stalls are counters of the kernel running totals', (t) => {
  const { second } = scenario(t);
  const text = render(second);
  assert.match(text, /^# TYPE memtop_swap_out_bytes_total counter$/m);
  assert.equal(seriesValue(text, 'memtop_swap_in_bytes_total'), 15 * PAGE);
  assert.equal(seriesValue(text, 'memtop_swap_out_bytes_total'), 120 * PAGE);
  assert.equal(seriesValue(text, 'memtop_page_in_bytes_total'), 1000 * KiB);
  assert.equal(seriesValue(text, 'memtop_page_out_bytes_total'), 2000 * KiB);
  assert.equal(seriesValue(text, 'memtop_page_scans_total'), 100 + 25);
  assert.equal(seriesValue(text, 'memtop_page_steals_total'), 90);
  assert.equal(seriesValue(text, 'memtop_allocation_stalls_total'), 4);
  assert.equal(seriesValue(text, 'memtop_compaction_stalls_total'), 2);
  assert.equal(seriesValue(text, 'memtop_oom_kills_total'), 1);
});

test('disks: counters per device, busy ratio and avio over the last interval; partitions left out', (t) => {
  const { second } = scenario(t);
  const text = render(second);
  const sda = { device: 'sda', name: 'sda', class: 'disk' };
  assert.equal(seriesValue(text, 'memtop_disk_reads_total', sda), 1400);
  assert.equal(seriesValue(text, 'memtop_disk_writes_total', sda), 600);
  assert.equal(seriesValue(text, 'memtop_disk_read_bytes_total', sda), 90000 * 512);
  assert.equal(seriesValue(text, 'memtop_disk_written_bytes_total', sda), 50000 * 512);
  assert.equal(seriesValue(text, 'memtop_disk_io_time_seconds_total', sda), 8);
  // 5000 ms busy in a 10 s interval; 5000 ms over 400 reads + 100 writes.
  assert.equal(seriesValue(text, 'memtop_disk_busy_ratio', sda), 0.5);
  assert.equal(seriesValue(text, 'memtop_disk_avio_seconds', sda), 0.01);
  const lvm = { device: 'dm-0', name: 'vg0-root', class: 'lvm' };
  assert.equal(seriesValue(text, 'memtop_disk_reads_total', lvm), 900);
  assert.equal(seriesValue(text, 'memtop_disk_busy_ratio', lvm), 0);
  assert.doesNotMatch(text, /device="sda1"/);
});

test('PSI: stall time as counters in seconds, kernel averages as ratios', (t) => {
  const { second } = scenario(t);
  const text = render(second);
  assert.equal(seriesValue(text, 'memtop_pressure_some_seconds_total', { resource: 'cpu' }), 5);
  assert.equal(seriesValue(text, 'memtop_pressure_full_seconds_total', { resource: 'memory' }), 2);
  assert.equal(seriesValue(text, 'memtop_pressure_some_ratio', { resource: 'cpu', window: '10s' }), 0.0893);
  assert.equal(seriesValue(text, 'memtop_pressure_full_ratio', { resource: 'memory', window: '60s' }), 0.002);
  assert.equal(seriesValue(text, 'memtop_pressure_some_ratio', { resource: 'io', window: '300s' }), 0);
});

test('without PSI in the kernel there are no pressure series', (t) => {
  const { root, next } = setup(t);
  delete root.state.psi;
  const text = render(next());
  assert.doesNotMatch(text, /memtop_pressure/);
});

test('processes: the top K by RSIZE and the top K by RGROW, with sizes, growth and fault rates', (t) => {
  const { second } = scenario(t);
  const text = render(second, 2);
  const pids = new Set(processLines(text).map((l) => parseLabels(l).pid));
  // By size: big (200), leaker (300). By growth: leaker (300), small (400). init shrank; kthreadd has no memory.
  assert.deepEqual([...pids].sort(), ['200', '300', '400']);
  const leaker = { pid: '300', comm: 'leaker' };
  assert.equal(seriesValue(text, 'memtop_process_resident_bytes', leaker), 3000 * PAGE);
  assert.equal(seriesValue(text, 'memtop_process_virtual_bytes', leaker), 300e6 + 2000 * PAGE);
  assert.equal(seriesValue(text, 'memtop_process_rgrow_bytes_per_second', leaker), (1000 * PAGE) / 10);
  assert.equal(seriesValue(text, 'memtop_process_vgrow_bytes_per_second', leaker), (2000 * PAGE) / 10);
  // Faults are the kernel's running totals (counters), not rates: rate() works on them.
  assert.equal(seriesValue(text, 'memtop_process_minor_faults_total', leaker), 100 + 5000);
  assert.equal(seriesValue(text, 'memtop_process_major_faults_total', leaker), 30);
  assert.match(text, /^# TYPE memtop_process_minor_faults_total counter$/m);
  assert.doesNotMatch(text, /_faults_per_second/);
  assert.equal(seriesValue(text, 'memtop_process_swap_bytes', { pid: '200' }), 100 * PAGE);
  assert.equal(seriesValue(text, 'memtop_process_rgrow_bytes_per_second', { pid: '400', comm: 'small' }), (10 * PAGE) / 10);
  // VmSwap missing from status (unknown): no swap series, the others stay.
  assert.equal(seriesValue(text, 'memtop_process_swap_bytes', { pid: '400' }), undefined);
  assert.equal(seriesValue(text, 'memtop_interval_seconds'), 10);
  assert.equal(seriesValue(text, 'memtop_processes'), 5);
  // A larger K exports every process with memory (4), never the kernel thread.
  const all = render(second, 20);
  assert.equal(processLines(all).length, 4);
  assert.doesNotMatch(all, /kthreadd/);
});

test('the first interval covers the time since boot: sizes and fault counters, no growth rates', (t) => {
  const { first } = scenario(t);
  const text = render(first, 2);
  assert.equal(seriesValue(text, 'memtop_process_resident_bytes', { pid: '200' }), 50000 * PAGE);
  assert.doesNotMatch(text, /memtop_process_(rgrow|vgrow)/);
  assert.equal(seriesValue(text, 'memtop_process_minor_faults_total', { pid: '200' }), 1000);
  assertPromtoolClean(text);
});

test('series of an exited process disappear', (t) => {
  const { root, next, second } = scenario(t);
  assert.notEqual(seriesValue(render(second), 'memtop_process_resident_bytes', { pid: '300' }), undefined);
  root.advance(10);
  root.state.procs = root.state.procs.filter((p) => p.pid !== 300);
  const text = render(next());
  assert.doesNotMatch(text, /pid="300"/);
  assert.equal(seriesValue(text, 'memtop_processes'), 4);
});

test('command names are escaped in label values', (t) => {
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const { root, next } = setup(t);
  next();
  root.advance(5);
  root.state.procs.push({ pid: 777, comm: 'we"ird\\ (x)\ny', rss: 4096 * 90000, vsize: 1e9, swap: 0 });
  root.state.procs.push({ pid: 778, comm: 'ünï cödé ✓', rss: 4096 * 80000, vsize: 1e9, swap: 0 });
  const text = render(next(), 2);
  assert.match(text, /^memtop_process_resident_bytes\{pid="777",comm="we\\"ird\\\\ \(x\)\\ny"\} 368640000$/m);
  assert.match(text, /^memtop_process_resident_bytes\{pid="778",comm="ünï cödé ✓"\} 327680000$/m);
  assert.equal(seriesValue(text, 'memtop_process_resident_bytes', { comm: 'we"ird\\ (x)\ny' }), 90000 * 4096);
  assertPromtoolClean(text);
});

test('promtool check metrics passes on the fake system', (t) => {
  const { second } = scenario(t);
  assertPromtoolClean(render(second, 20));
});

test('promtool check metrics passes on this machine\'s /proc', { skip: process.platform !== 'linux' }, () => {
  const sampler = new Sampler({ proc: '/proc', sys: '/sys' });
  const a = sampler.sample();
  const b = sampler.sample();
  const text = renderExposition(buildInterval(a, b), b, { top: 20, format: 'prometheus' });
  assert.ok(seriesValue(text, 'memtop_memory_total_bytes')! > 0);
  assertPromtoolClean(text);
});

/** Structure of OpenMetrics 1.0: each family's metadata before its samples, names matching, # EOF last. */
function checkOpenMetrics(text: string) {
  assert.ok(text.endsWith('# EOF\n'), 'ends with # EOF and a newline');
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.pop(), '# EOF');
  const seen = new Set<string>();
  let family = '';
  let type = '';
  for (const line of lines) {
    const meta = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[2] !== family) {
        assert.ok(!seen.has(meta[2]!), `family ${meta[2]} appears twice`);
        seen.add(meta[2]!);
        family = meta[2]!;
      }
      if (meta[1] === 'TYPE') type = meta[3]!;
      if (meta[1] === 'UNIT') assert.ok(family.endsWith(`_${meta[3]}`), `${family} ends with its unit ${meta[3]}`);
      if (meta[1] === 'TYPE' && type === 'counter') assert.ok(!family.endsWith('_total'), `counter family ${family} without _total`);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    assert.ok(m, `sample line: ${line}`);
    assert.equal(m[1], type === 'counter' ? `${family}_total` : family, `sample ${m[1]} in family ${family}`);
    assert.ok(!Number.isNaN(Number(m[3])), `value of ${line}`);
  }
}

test('OpenMetrics: counter families without _total, # UNIT lines, # EOF', (t) => {
  const { second } = scenario(t);
  const text = render(second, 20, 'openmetrics');
  assert.match(text, /^# TYPE memtop_swap_out_bytes counter\n# UNIT memtop_swap_out_bytes bytes\nmemtop_swap_out_bytes_total 491520$/m);
  assert.match(text, /^# TYPE memtop_memory_total_bytes gauge\n# UNIT memtop_memory_total_bytes bytes$/m);
  checkOpenMetrics(text);
  // Same samples as the text format.
  const samples = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(samples(text), samples(render(second, 20, 'prometheus')));
});

test('content negotiation picks OpenMetrics only when the scraper asks for it', () => {
  // Prometheus 2.x's scrape header.
  assert.equal(negotiateFormat('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'openmetrics');
  assert.equal(negotiateFormat('application/openmetrics-text'), 'openmetrics');
  assert.equal(negotiateFormat(undefined), 'prometheus');
  assert.equal(negotiateFormat('*/*'), 'prometheus');
  assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'prometheus');
  assert.equal(negotiateFormat('application/openmetrics-text;version=0.0.1'), 'prometheus');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0,text/plain'), 'prometheus');
  assert.equal(negotiateFormat('text/plain;q=1,application/openmetrics-text;q=0.5'), 'prometheus');
  assert.equal(negotiateFormat(';;;,,=q'), 'prometheus');
});

test('--prometheus takes PORT, HOST:PORT or [IPv6]:PORT and binds loopback by default', () => {
  assert.deepEqual(parseListen('9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
  assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
  assert.deepEqual(parseListen('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of [':9464', 'abc', '70000', '1.2.3.4:', '::1:9464', '', 'host:port', '[]:1']) {
    assert.throws(() => parseListen(bad), (err: unknown) => err instanceof MemtopError && err.exitCode === EXIT_USAGE && /^invalid --prometheus/.test(err.message), bad);
  }
});

test('cgroups: the top K by memory and the top K by growth, each once, the top of the tree left out', (t) => {
  const { second } = scenario(t);
  const text = render(second, 1);
  const paths = new Set(text.split('\n').filter((l) => l.startsWith('memtop_cgroup_memory_bytes{')).map((l) => parseLabels(l).cgroup));
  // By memory: big.service; by growth: leaker.service (40 MiB). small.service grew less, / is the machine.
  assert.deepEqual([...paths].sort(), ['/big.service', '/leaker.service']);
  const MiB = 1024 * 1024;
  assert.equal(seriesValue(text, 'memtop_cgroup_memory_bytes', { cgroup: '/big.service' }), 290 * MiB);
  assert.equal(seriesValue(text, 'memtop_cgroup_limit_bytes', { cgroup: '/big.service' }), 512 * MiB);
  assert.equal(seriesValue(text, 'memtop_cgroup_limit_bytes', { cgroup: '/leaker.service' }), undefined, 'no limit: no series');
  assert.equal(seriesValue(text, 'memtop_cgroup_growth_bytes_per_second', { cgroup: '/leaker.service' }), (40 * MiB) / 10);
  assert.equal(seriesValue(text, 'memtop_cgroup_oom_kills_total', { cgroup: '/big.service' }), 3);
  assert.equal(seriesValue(text, 'memtop_cgroup_anon_bytes', { cgroup: '/big.service' }), 250 * MiB);
  assertPromtoolClean(text);
});

test('leak suspects are exported beyond the top K, with TRATE and the flag; the forecast and OOM victims by command', (t) => {
  const root = FakeRoot.forTest(t);
  const next = intervalsOf(root);
  next();
  root.advance(10);
  const { iv, sample } = next();
  const smallest = [...iv.procs].filter((p) => (p.rsize ?? 0) > 0).sort((a, b) => a.rsize! - b.rsize!)[0]!;
  Object.assign(smallest, { trate: 3 * 1024 * 1024, leak: true });
  const plain = renderExposition(iv, sample, { top: 1, format: 'prometheus' });
  const pid = String(smallest.pid);
  assert.equal(seriesValue(plain, 'memtop_process_leak_suspect', { pid }), 1, 'the smallest process, a suspect, is exported at top 1');
  assert.equal(seriesValue(plain, 'memtop_process_memory_trend_bytes_per_second', { pid }), 3 * 1024 * 1024);
  assert.ok(seriesValue(plain, 'memtop_process_resident_bytes', { pid })! > 0);
  assert.ok(!/^memtop_memory_exhaustion_seconds /m.test(plain), 'no forecast: absent, not 0');
  assert.ok(!/memtop_oom_victims/.test(plain), 'no victims known: no family');
  iv.forecast = { exhaust: 1800, rate: 3 * 1024 * 1024, left: 5.3e9 };
  const victims = new Map([['lek"ker', 2]]);
  const text = renderExposition(iv, sample, { top: 1, format: 'openmetrics', oomVictims: victims });
  assert.equal(seriesValue(text, 'memtop_memory_exhaustion_seconds'), 1800);
  assert.equal(seriesValue(text, 'memtop_memory_consumption_bytes_per_second'), 3 * 1024 * 1024);
  assert.match(text, /^memtop_oom_victims_total\{comm="lek\\"ker"\} 2$/m);
  assert.match(text, /^# TYPE memtop_oom_victims counter$/m);
});
