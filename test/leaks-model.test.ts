/**
 * Memory history in the model, on fake /proc trees at many moments: what a
 * process's growth is measured on, matching by pid and start time, exited
 * processes and OOM victims, and the exhaustion forecast.
 */
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseOomKill } from '../src/procfs/kmsg.js';
import { KernelLog } from '../src/reader/kmsg.js';
import { buildInterval, type Interval } from '../src/model/interval.js';
import { MemoryHistory } from '../src/model/leaks.js';
import { Sampler } from '../src/reader/sampler.js';
import type { Sample } from '../src/sample.js';
import { intervalJson } from '../src/output/json.js';
import { systemLines } from '../src/output/syslines.js';
import { caseStudy, fakeProcFiles, makeTree, type FakeMoment } from './helpers/trees.js';

const MiB = 1024 * 1024;

function sampleOf(m: FakeMoment): Sample {
  return new Sampler({ proc: makeTree(fakeProcFiles(m)), sys: '/nonexistent' }).sample();
}

/** Intervals over moments 0..n-1 seconds apart by `step`, through one MemoryHistory. */
function history(n: number, moment: (i: number) => FakeMoment, window = 60, edit?: (s: Sample, i: number) => void): Interval[] {
  const h = new MemoryHistory(window);
  const out: Interval[] = [];
  let prev: Sample | undefined;
  for (let i = 0; i < n; i++) {
    const cur = sampleOf(moment(i));
    edit?.(cur, i);
    out.push(buildInterval(prev, cur, { history: h }));
    prev = cur;
  }
  return out;
}

const proc = (ivs: Interval[], pid: number) => ivs.map((iv) => iv.procs.find((p) => p.pid === pid));

test('anonymous growth makes a suspect; file-backed growth with flat RssAnon does not', () => {
  // MemTotal 4 GiB: 1%/min is 0.68 MiB/s; both processes grow RSIZE by 2 MiB/s.
  const ivs = history(70, (i) => ({
    uptime: 1000 + i,
    procs: [
      { pid: 10, comm: 'leaker', rss: 2560 + i * 512, vsize: 100000, anonKb: 10240 + i * 2048 },
      { pid: 11, comm: 'reader', rss: 2560 + i * 512, vsize: 100000, anonKb: 10240 },
    ],
  }));
  const last = ivs.at(-1)!;
  const leaker = last.procs.find((p) => p.pid === 10)!;
  const reader = last.procs.find((p) => p.pid === 11)!;
  assert.equal(leaker.leak, true);
  assert.ok(Math.abs(leaker.trate! - 2 * MiB) < 0.1 * MiB, `trate ${leaker.trate}`);
  assert.ok(leaker.tgrow! > 100 * MiB, `tgrow ${leaker.tgrow}`);
  assert.ok(leaker.growing! >= 40, `growing ${leaker.growing}`);
  assert.equal(reader.leak, false);
  assert.equal(reader.trate, 0);
  // The first intervals have no verdict yet: rate unknown.
  assert.equal(proc(ivs, 10)[1]!.trate, undefined);
  assert.equal(proc(ivs, 10)[1]!.leak, false);
});

test('without RssAnon (old kernels, old recordings) RSIZE + SWAPSZ is measured', () => {
  const ivs = history(70, (i) => ({ uptime: 500 + i, procs: [{ pid: 20, rss: 2560 + i * 512, swapKb: 0 }] }));
  const p = ivs.at(-1)!.procs.find((x) => x.pid === 20)!;
  assert.equal(p.leak, true);
  assert.ok(Math.abs(p.trate! - 2 * MiB) < 0.1 * MiB);
});

test('growth that goes to swap while resident memory is held flat is still a leak', () => {
  const ivs = history(70, (i) => ({
    uptime: 500 + i,
    procs: [{ pid: 30, comm: 'held', rss: 100000, anonKb: 400000 - (i % 3) * 512, swapKb: i * 2048 + (i % 3) * 512 }],
  }));
  const p = ivs.at(-1)!.procs.find((x) => x.pid === 30)!;
  assert.equal(p.rgrow, 0);
  assert.equal(p.leak, true);
  assert.ok(Math.abs(p.trate! - 2 * MiB) < 0.2 * MiB, `trate ${p.trate}`);
});

test('a pid reused by a new process starts a new history (pid and start time match a process)', () => {
  const ivs = history(80, (i) => ({
    uptime: 700 + i,
    procs: [{ pid: 40, starttime: i < 60 ? 100 : 69000, rss: 2560 + i * 512, anonKb: 10240 + (i < 60 ? i * 2048 : 0) }],
  }));
  const before = proc(ivs, 40)[59]!;
  const after = proc(ivs, 40)[60]!;
  assert.equal(before.leak, true);
  assert.equal(after.isNew, true);
  assert.equal(after.leak, false);
  assert.equal(after.trate, undefined, 'no history yet for the new process');
});

test('exited processes are listed with their last figures; an OOM victim is marked, or added when never sampled', () => {
  const ivs = history(4, (i) => ({
    uptime: 10 + i,
    procs: [{ pid: 50, comm: 'stays' }, ...(i < 2 ? [{ pid: 51, comm: 'big', rss: 25600, swapKb: 4096 }] : [])],
  }), 60, (s, i) => {
    if (i === 2) s.oomKills = [{ pid: 51, comm: 'big' }, { pid: 77, comm: 'flash', anonRss: 300 * MiB }];
  });
  assert.deepEqual(ivs[1]!.exited, []);
  const exited = ivs[2]!.exited;
  assert.deepEqual(exited.map((e) => [e.pid, e.cmd, e.rsize, e.swapsz, e.oom]), [
    [51, 'big', 25600 * 4096, 4096 * 1024, true],
    [77, 'flash', 300 * MiB, undefined, true],
  ]);
  assert.equal(ivs[2]!.prc.nexit, 1, '#exit counts sampled processes, as atop');
  assert.deepEqual(ivs[3]!.exited, []);
});

test('forecast: available memory falling steadily gives the seconds left; nothing falling gives null', () => {
  // MemAvailable falls 2 MiB/s from 2 GiB; no swap.
  const falling = history(80, (i) => ({
    uptime: 100 + i,
    memKb: { MemAvailable: 2 * 1024 * 1024 - i * 2048, SwapTotal: 0, SwapFree: 0 },
    procs: [{ pid: 60 }],
  }));
  const f = falling.at(-1)!.forecast!;
  const left = (2 * 1024 * 1024 - 79 * 2048) * 1024;
  assert.equal(f.left, left);
  assert.ok(Math.abs(f.rate - 2 * MiB) < 0.1 * MiB, `rate ${f.rate}`);
  assert.ok(Math.abs(f.exhaust! - left / (2 * MiB)) < 60, `exhaust ${f.exhaust}`);
  assert.equal(falling.at(-1)!.swp.exhaust, f.exhaust, 'the SWP part carries it for its line');
  const flat = history(80, (i) => ({ uptime: 100 + i, procs: [{ pid: 60 }] }));
  assert.equal(flat.at(-1)!.forecast!.exhaust, null);
  assert.equal(flat.at(-1)!.swp.exhaust, undefined);
});

test("a suspect's rate alone gives a forecast and its own fill time", () => {
  const ivs = history(70, (i) => ({
    uptime: 1000 + i,
    memKb: { MemAvailable: 1024 * 1024, SwapTotal: 0, SwapFree: 0 },
    procs: [{ pid: 10, comm: 'leaker', rss: 2560 + i * 512, anonKb: 10240 + i * 2048 }],
  }));
  const last = ivs.at(-1)!;
  const p = last.procs.find((x) => x.pid === 10)!;
  assert.equal(p.leak, true);
  assert.ok(Math.abs(last.forecast!.exhaust! - 1024 * 1024 * 1024 / p.trate!) < 2);
  assert.ok(Math.abs(p.fillin! - 512) < 30, `fillin ${p.fillin}`);
});

test('kernel log: the OOM killer names its victim (global and cgroup OOM); other records are not kills', () => {
  const global = '3,1021,5847112733,-;Out of memory: Killed process 31048 (lekker) total-vm:2936612kB, anon-rss:2060100kB, file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:4120kB oom_score_adj:0';
  assert.deepEqual(parseOomKill(global), { pid: 31048, comm: 'lekker', anonRss: 2060100 * 1024 });
  const cgroup = '3,2210,9912003311,-;Memory cgroup out of memory: Killed process 4242 (we ird) x) total-vm:70000kB, anon-rss:65400kB, file-rss:1200kB, shmem-rss:0kB, UID:0 pgtables:200kB oom_score_adj:0';
  assert.deepEqual(parseOomKill(cgroup), { pid: 4242, comm: 'we ird) x', anonRss: 65400 * 1024 });
  assert.equal(parseOomKill('6,1022,5847112800,-;oom_reaper: reaped process 31048 (lekker), now anon-rss:0kB'), undefined);
  assert.equal(parseOomKill('4,99,1,-;lekker invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0'), undefined);
});

test('kernel log: read only once the oom_kill counter moved; old kills left out; a victim still listed waits until it is gone', () => {
  assert.equal(new KernelLog('/nonexistent/kmsg').oomKills(0), undefined, 'unreadable: no victims known, not none');
  const dir = makeTree(fakeProcFiles({ uptime: 500, procs: [{ pid: 4 }, { pid: 5 }] }));
  const log = join(dir, 'kmsg');
  const kill = (usec: number, pid: number) =>
    `3,${pid},${usec},-;Out of memory: Killed process ${pid} (proc${pid}) total-vm:4000kB, anon-rss:3000kB, file-rss:0kB\n`;
  // A kill from before memtop started (at 100 s after boot).
  writeFileSync(log, kill(100e6, 77));
  const counter = (n: number) => writeFileSync(join(dir, 'vmstat'), `pswpin 0\npswpout 0\noom_kill ${n}\n`);
  counter(1);
  const sampler = new Sampler({ proc: dir, sys: '/nonexistent', kmsg: log });
  assert.equal(sampler.sample().oomKills, undefined, 'the first sample only notes the counter');
  appendFileSync(log, kill(501e6, 5));
  assert.equal(sampler.sample().oomKills, undefined, 'the counter did not move: the log is not read');
  counter(2);
  assert.deepEqual(sampler.sample().oomKills, [], 'pid 5 is still listed (a zombie): not yet; pid 77 died before memtop started');
  rmSync(join(dir, '5'), { recursive: true });
  assert.deepEqual(sampler.sample().oomKills, [{ pid: 5, comm: 'proc5', anonRss: 3000 * 1024 }]);
  assert.deepEqual(sampler.sample().oomKills ?? [], [], 'reported once');
  assert.equal(new Sampler({ proc: dir, sys: '/nonexistent' }).sample().oomKills, undefined, 'a fake root reads no kernel log');
});

test('the SWP line shows the forecast within 24 h: plain, cyan within 1.25 h, red within 1 h; JSON has it always', () => {
  const iv = caseStudy('t151212', 't151232');
  const field = (exhaust: number | null) => {
    iv.forecast = { exhaust, rate: 1024 * 1024, left: 1e9 };
    iv.swp.exhaust = exhaust ?? undefined;
    return systemLines(iv, {}).find((l) => l.label === 'SWP')!.fields.find((f) => f.text.startsWith('full'));
  };
  assert.equal(field(null), undefined, 'nothing running out');
  assert.equal(field(25 * 3600), undefined, 'beyond the horizon');
  assert.deepEqual([field(5 * 3600)!.text, field(5 * 3600)!.color], ['full   5h00m', undefined]);
  assert.equal(field(4000)!.color, 'almost');
  assert.deepEqual([field(1800)!.text, field(1800)!.color], ['full     30m', 'crit']);
  assert.deepEqual(intervalJson(iv).forecast, { exhaust: 1800, rate: 1024 * 1024, left: 1e9 });
});

test('containment starts the evidence over: the contained process is marked from its group, loses the rate it had before, and its end is told', async () => {
  const { memoryNews } = await import('../src/view/frame.js');
  const { VIEWS } = await import('../src/columns/views.js');
  const { RawWriter } = await import('../src/rawlog/writer.js');
  const { RawLog } = await import('../src/rawlog/reader.js');
  const { ReplayFeed } = await import('../src/run/feeds.js');
  const { tempDir } = await import('./helpers/rawlog.js');
  const { readFileSync } = await import('node:fs');
  // 4 MiB/s for 70 s (a suspect), then contained at 70 s: 0.25 MiB/s in its group (what swap lets through); gone at 100 s.
  const anonAt = (i: number) => 10240 + (i <= 70 ? i * 4096 : 70 * 4096 + (i - 70) * 256);
  const moment = (i: number): FakeMoment => ({
    uptime: 1000 + i,
    procs: [
      ...(i < 100 ? [{ pid: 10, comm: 'leaker', rss: 2560 + anonAt(i) / 4, vsize: 10_000_000, anonKb: anonAt(i) }] : []),
      { pid: 11, comm: 'other', rss: 2560, vsize: 100000, anonKb: 1024 },
    ],
  });
  const samples: Sample[] = [];
  const ivs = history(105, moment, 600, (s, i) => {
    s.cgroups = {
      version: 1, mountPoint: '/sys/fs/cgroup/memory',
      groups: [
        { path: '/', pids: i >= 70 ? [11] : [10, 11] },
        { path: '/a', pids: [] },
        { path: '/a/memtop-10', pids: i >= 70 && i < 100 ? [10] : [] },
      ],
    };
    samples.push(s);
  });
  const at = (i: number) => ivs[i]!.procs.find((p) => p.pid === 10)!;
  assert.equal(at(69).leak, true, 'a suspect before containment');
  assert.ok(at(69).trate! > 3 * MiB, `TRATE ${at(69).trate} before`);
  assert.ok(!at(69).contained);
  assert.equal(at(70).contained, true, 'marked contained from its group name');
  assert.equal(at(70).trate, undefined, 'the evidence starts over at containment: no rate yet');
  assert.equal(at(70).leak, false);
  assert.equal(at(70).fillin, undefined, 'and no FILLIN from the rate before');
  for (let i = 70; i < 100; i++) assert.ok(at(i).trate === undefined || at(i).trate! < MiB, `TRATE ${at(i).trate} at ${i}: the rate in the group`);
  const gone = ivs[100]!.exited.find((e) => e.pid === 10)!;
  assert.equal(gone.contained, true);
  assert.match(memoryNews(ivs[100]!, VIEWS.memory)!, /^contained process ended: 10 leaker$/);

  // The same in a replay of these samples: the mark, the restart and the end come from the recorded cgroup tree.
  const file = join(tempDir(), 'contained.memtop');
  const w = new RawWriter(file);
  for (const s of samples) w.append(s);
  w.close();
  const feed = new ReplayFeed(new RawLog(readFileSync(file), file), (await import('../src/model/thresholds.js')).DEFAULT_THRESHOLDS, undefined, { window: 600 });
  const replayed: Interval[] = [];
  for (let iv = feed.next(); iv; iv = feed.next()) replayed.push(iv);
  const r = (i: number) => replayed[i]!.procs.find((p) => p.pid === 10)!;
  assert.equal(r(69).leak, true);
  assert.equal(r(70).contained, true, '[C] in replay');
  assert.equal(r(70).trate, undefined);
  assert.match(memoryNews(replayed[100]!, VIEWS.memory)!, /contained process ended: 10 leaker/);
});

test('recent: new, or started within the last 2 intervals by its start time; young: history under a third of the window', () => {
  // HZ 100: a start time in ticks. At uptime 1000 + i, pid 60 started at 999.5 s (before the first sample), pid 61 at 1001.5 s.
  const ivs = history(30, (i) => ({
    uptime: 1000 + i,
    procs: [
      { pid: 60, starttime: 99950, rss: 2560, anonKb: 10240 },
      { pid: 62, starttime: 10000, rss: 2560, anonKb: 10240 },
      ...(i >= 2 && i < 20 ? [{ pid: 61, starttime: 100150, rss: 2560 + i * 256, anonKb: 10240 + i * 1024 }] : []),
    ],
  }), 60);
  const [p60, p61, p62] = [proc(ivs, 60), proc(ivs, 61), proc(ivs, 62)];
  assert.equal(p60[1]!.recent, true, 'started in the interval before: recent, though memtop saw it in its first sample');
  assert.equal(p60[2]!.recent, false, 'alive through the whole interval before');
  assert.equal(p62[1]!.recent, false, 'started long before memtop: an old process, whatever memtop knows of it');
  assert.equal(p61[2]!.isNew, true);
  assert.equal(p61[3]!.recent, true, 'born in the interval before');
  assert.equal(p61[4]!.recent, false);
  // young: the history memtop has of it, shorter than a third of --window (20 s), whatever its start time.
  assert.equal(p62[5]!.young, true);
  assert.equal(p62[25]!.young, false);
  assert.ok(p61[8]!.trate! > 0 && p61[8]!.young, 'the rate known so far, marked young');
  const gone = ivs[20]!.exited.find((e) => e.pid === 61)!;
  assert.ok(gone.trate! > 0 && gone.young, 'gone: its last rate, still young');
});
