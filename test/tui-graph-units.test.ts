/**
 * The trend panel (B) without a terminal: the ring buffer, what is kept of
 * an interval, the series plotted (from fake intervals), whose RSIZE is
 * plotted, where the panel goes, and the panel's text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interval, ProcInterval } from '../src/model/interval.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import type { SampleStore } from '../src/rawlog/reader.js';
import type { Recent } from '../src/feed.js';
import { ReplayFeed } from '../src/run/feeds.js';
import type { SysLine } from '../src/output/sysfield.js';
import { PANEL_MIN_HEIGHT, screenLayout } from '../src/view/layout.js';
import { Ring } from '../src/view/ring.js';
import { HISTORY, holdsTime, procAt, refill, trendHistory, trendPoint } from '../src/view/trend.js';
import { memorySeries, pickTarget, polylines, processSeries, topGrower, yOf } from '../src/view/trendseries.js';
import { trendView } from '../src/view/trendview.js';
import { proc } from './helpers/procs.js';
import { sampleMoments } from './helpers/rawlog.js';

const MiB = 1024 * 1024;
const plain = (s: string) => s.replace(/\x1b\[[\d;]*m/g, '');

/** Only what the trend panel reads of an interval. */
function interval(k: number, procs: ProcInterval[], mem: { free: number; cache: number; buff?: number; swapUsed?: number }): Interval {
  return {
    time: Date.UTC(2010, 2, 2, 14, 12, 12) + k * 20_000,
    mem: { tot: 4096 * MiB, free: mem.free, cache: mem.cache, buff: mem.buff ?? 0, slab: 0, usedPct: 0, badness: 0, level: 'ok' },
    swp: { tot: 8192 * MiB, free: 8192 * MiB - (mem.swapUsed ?? 0), badness: 0, level: 'ok', overcommitted: false },
    procs,
  } as unknown as Interval;
}

/** The case study in small: lekker grows 150 MiB an interval, the page cache shrinks, then swap fills. */
function leakingMachine(count: number): Interval[] {
  return Array.from({ length: count }, (_, k) =>
    interval(
      k,
      [
        proc({ pid: 30457, cmd: 'upload', rsize: 256 * MiB, rgrow: k === 0 ? 256 * MiB : 0, isNew: k === 0 }),
        proc({ pid: 31048, cmd: 'lekker', rsize: (170 + 150 * k) * MiB, rgrow: k === 0 ? 170 * MiB : 150 * MiB, isNew: k === 0 }),
        proc({ pid: 4680, cmd: 'firefox', rsize: 68 * MiB, rgrow: k === 0 ? 68 * MiB : -MiB, isNew: k === 0 }),
      ],
      { free: Math.max(30, 1200 - 150 * k) * MiB, cache: Math.max(40, 700 - 100 * k) * MiB, buff: 10 * MiB, swapUsed: Math.max(0, k - 8) * 100 * MiB },
    ),
  );
}

test('ring: keeps the newest `capacity` items, oldest first; clear empties it; versions change', () => {
  const r = new Ring<number>(3);
  assert.deepEqual(r.toArray(), []);
  assert.equal(r.last(), undefined);
  const v0 = r.version;
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  assert.equal(r.length, 3);
  assert.equal(r.at(0), 3);
  assert.equal(r.at(3), undefined);
  assert.equal(r.at(-1), undefined);
  assert.equal(r.last(), 5);
  assert.notEqual(r.version, v0);
  r.clear();
  assert.deepEqual([r.length, r.toArray()], [0, []]);
  r.push(9);
  assert.deepEqual(r.toArray(), [9]);
  assert.throws(() => new Ring(0), /positive integer/);
});

test('ring: memory stays bounded over many intervals', () => {
  const h = trendHistory();
  const ivs = leakingMachine(3);
  for (let i = 0; i < 1000; i++) h.push(trendPoint(ivs[i % 3]!));
  assert.equal(h.length, HISTORY);
  assert.equal(h.capacity, 60);
});

test('a kept point: memory by kind, swap used, every pid with its RSIZE (looked up by pid)', () => {
  const [first, second] = leakingMachine(2);
  const p = trendPoint(second!);
  assert.equal(p.cache, 610 * MiB, 'page cache = cache + buff');
  assert.equal(p.used, 4096 * MiB - 1050 * MiB - 610 * MiB);
  assert.equal(p.swapUsed, 0);
  assert.deepEqual([...p.pids], [4680, 30457, 31048], 'pids sorted for lookup');
  assert.deepEqual(procAt(p, 31048), { rsize: 320 * MiB, swap: 0, isNew: false });
  assert.equal(procAt(p, 31049), undefined);
  assert.equal(procAt(trendPoint(first!), 4680)?.isNew, true);
});

test('memory series: free and cache shrink, used grows, swap fills late', () => {
  const points = leakingMachine(12).map(trendPoint);
  const series = memorySeries(points);
  assert.deepEqual(series.map((s) => s.name), ['free', 'cache', 'used', 'swap']);
  const [free, cache, used, swap] = series.map((s) => s.values as number[]);
  assert.equal(free![0], 1200 * MiB);
  assert.equal(free![11], 30 * MiB);
  assert.ok(cache!.every((v, i) => i === 0 || v <= cache![i - 1]!), 'the page cache only shrinks');
  assert.ok(used![11]! > used![0]!, 'used grows');
  assert.deepEqual(swap!.slice(8), [0, 100 * MiB, 200 * MiB, 300 * MiB]);
  for (let i = 0; i < 12; i++) assert.equal(free![i]! + cache![i]! + used![i]!, 4096 * MiB, 'the kinds add up to MemTotal');
});

test('no swap series on a machine without swap', () => {
  const iv = interval(0, [], { free: MiB, cache: MiB });
  (iv.swp as { tot: number; free: number }).tot = 0;
  (iv.swp as { tot: number; free: number }).free = 0;
  assert.deepEqual(memorySeries([trendPoint(iv)]).map((s) => s.name), ['free', 'cache', 'used']);
});

test('process series: RSIZE per interval; a reused pid or a gap ends the history; an exited process keeps its past', () => {
  const ivs = leakingMachine(5);
  let points = ivs.map(trendPoint);
  assert.deepEqual(processSeries(points, 31048), [170, 320, 470, 620, 770].map((m) => m * MiB));
  assert.deepEqual(processSeries(points, 999), [undefined, undefined, undefined, undefined, undefined]);
  // lekker exits after the third interval: the last two hold nothing, the first three stay.
  const exited = ivs.map((iv, k) => (k >= 3 ? { ...iv, procs: iv.procs.filter((p) => p.pid !== 31048) } : iv));
  points = exited.map(trendPoint);
  assert.deepEqual(processSeries(points, 31048), [170 * MiB, 320 * MiB, 470 * MiB, undefined, undefined]);
  // Its pid comes back as a new process in the last interval: only that interval is its history.
  const reused = exited.map((iv, k) => (k === 4 ? { ...iv, procs: [...iv.procs, proc({ pid: 31048, cmd: 'bash', rsize: 4 * MiB, isNew: true })] } : iv));
  assert.deepEqual(processSeries(reused.map(trendPoint), 31048), [undefined, undefined, undefined, undefined, 4 * MiB]);
});

test('whose RSIZE: the top grower unless the user highlighted one; an exited one is still shown, as exited', () => {
  const iv = leakingMachine(3)[2]!;
  assert.equal(topGrower(iv.procs)?.cmd, 'lekker');
  assert.equal(topGrower([]), undefined);
  assert.equal(topGrower([proc({ pid: 9, rgrow: 5, rsize: 1 }), proc({ pid: 3, rgrow: 5, rsize: 2 })])?.pid, 3, 'ties: the larger RSIZE');
  assert.deepEqual(pickTarget(iv, undefined, undefined), { pid: 31048, cmd: 'lekker', why: 'grew most' });
  const chosen = pickTarget(iv, 4680, undefined);
  assert.deepEqual(chosen, { pid: 4680, cmd: 'firefox', why: 'highlighted' });
  const gone = { ...iv, procs: iv.procs.filter((p) => p.pid !== 4680) };
  assert.deepEqual(pickTarget(gone, 4680, chosen), { pid: 4680, cmd: 'firefox', why: 'exited' });
  assert.deepEqual(pickTarget(gone, 4680, undefined), { pid: 4680, cmd: '?', why: 'exited' });
  assert.equal(pickTarget({ ...iv, procs: [] }, undefined, undefined), undefined);
  // A filtered list: the panel picks among the processes listed, as the status line does, not a grower hidden by the filter.
  const listed = iv.procs.filter((p) => p.cmd !== 'lekker');
  const pick = pickTarget(iv, undefined, undefined, listed);
  assert.ok(pick && pick.pid !== 31048, 'not the filtered-out lekker');
  assert.equal(pick?.pid, topGrower(listed)?.pid);
});

test('polylines: spread across the width, newest at the right edge, 0 at the bottom, split at gaps', () => {
  assert.deepEqual(polylines([0, 50, 100], 11, 8, 100), [[[0, 7], [5, 3], [10, 0]]]);
  assert.deepEqual(polylines([10, undefined, 10, 10], 7, 4, 10), [[[0, 0], [0, 0]], [[4, 0], [6, 0]]], 'a lone value is a dot');
  assert.deepEqual(polylines([5], 8, 4, 10), [[[7, 1], [7, 1]]], 'one value: at the right edge');
  assert.deepEqual(polylines([], 8, 4, 10), []);
  assert.equal(yOf(500, 8, 100), 0, 'above the scale: the top row');
  assert.equal(yOf(-5, 8, 100), 7);
  assert.equal(yOf(5, 8, 0), 7, 'no scale: the bottom');
});

test('layout: beside the system lines when they fit (200x50), instead of them at 80x24, none when too short', () => {
  const line = (label: string): SysLine => ({ label, level: 'ok', fields: [] });
  const lines = ['PRC', 'CPU', 'cpu', 'cpu', 'CPL', 'MEM', 'MEM', 'SWP', 'PAG', 'LVM', 'LVM', 'DSK'].map(line);
  const off = screenLayout(24, lines, false);
  assert.deepEqual([off.sys.length, off.panelRows], [12, 0]);
  const tall = screenLayout(50, lines, true);
  assert.deepEqual([tall.sys.length, tall.panelRows], [12, 16]);
  assert.ok(50 - 3 - tall.sys.length - tall.panelRows >= 8, 'process rows left under the panel');
  const small = screenLayout(24, lines, true);
  assert.deepEqual([small.sys.length, small.panelRows, small.panelTooShort], [0, 8, false]);
  const short = screenLayout(PANEL_MIN_HEIGHT - 1, lines, true);
  assert.deepEqual([short.panelRows, short.panelTooShort], [0, true]);
  assert.equal(screenLayout(PANEL_MIN_HEIGHT, lines, true).panelRows, 8);
  // Per-CPU lines give way to the panel before the panel replaces the others.
  const mid = screenLayout(33, lines, true);
  assert.deepEqual(mid.sys.map((l) => l.label), ['PRC', 'CPU', 'CPL', 'MEM', 'MEM', 'SWP', 'PAG', 'LVM', 'LVM', 'DSK']);
});

test('panel text: labels, legend in the order the lines end, pid and command, every line the width', () => {
  const ivs = leakingMachine(12);
  const points = ivs.map(trendPoint);
  const target = pickTarget(ivs[11]!, undefined, undefined);
  for (const [width, rows] of [[80, 8], [200, 16], [40, 8], [63, 9]]) {
    const view = trendView({ points, target, levels: ['ok', 'crit'] }, width!, rows!, true);
    const text = view.lines.map(plain);
    assert.equal(text.length, rows, `${width}x${rows}: rows`);
    assert.ok(text.every((l) => l.length === width), `${width}x${rows}: width`);
    const all = text.join('\n');
    assert.match(all, /memory over 3m40s/);
    assert.match(all, /RSIZE 31048 lekker/);
    const order = ['used', 'swap', 'cache', 'free'].map((name) => text.findIndex((l) => new RegExp(`\\b${name}\\s+\\d`).test(l)));
    assert.ok(order.every((y, i) => y > 0 && (i === 0 || y > order[i - 1]!)), `${width}x${rows}: legend top to bottom ${order}`);
    assert.equal(view.charts.length, 2);
    for (const c of view.charts) {
      assert.ok(c.left + c.cols <= width! && c.top + c.rows <= rows! && c.cols >= 1 && c.rows >= 1, `${width}x${rows}: chart inside`);
      for (const l of c.lines) for (const [x, y] of l.points) assert.ok(x >= 0 && x < c.cols * 2 && y >= 0 && y < c.rows * 4);
    }
  }
  const wide = trendView({ points, target, levels: ['almost', 'crit'] }, 200, 16, true);
  assert.match(plain(wide.lines.join('\n')), /RSIZE 31048 lekker 1\.8G \+1\.6G \(grew most\)/);
  assert.match(plain(wide.lines.join('\n')), /cache\s+50\.0M\s+-660\.0M/);
  assert.match(wide.lines[0]!, /^\x1b\[31mmemory\x1b\[0m/, 'the memory title red when MEM or SWP is critical');
});

test('panel text without colours: names bold, lines in the default colour', () => {
  const points = leakingMachine(3).map(trendPoint);
  const view = trendView({ points, target: undefined, levels: ['ok'] }, 80, 8, false);
  assert.ok(view.lines.join('').includes('\x1b[1mused'), 'legend names bold');
  assert.ok(view.charts.every((c) => c.lines.every((l) => l.hue === undefined)));
  assert.match(plain(view.lines[0]!), /RSIZE: no process/);
});

test('replay history: refill keeps the newest HISTORY samples, reusing the points it holds', () => {
  const h = trendHistory();
  const ivs = leakingMachine(70);
  refill(h, ivs.map((iv) => ({ time: iv.time, interval: iv })));
  assert.equal(h.length, HISTORY);
  assert.equal(procAt(h.last()!, 31048)?.rsize, (170 + 150 * 69) * MiB);
  // T: one sample back; only the oldest comes with its interval, the others are known by time.
  const known = holdsTime(h);
  const kept = h.at(5)!;
  const back = ivs.slice(9, 69).map((iv) => (known(iv.time) ? { time: iv.time } : { time: iv.time, interval: iv }));
  assert.equal(back.filter((r) => 'interval' in r).length, 1);
  refill(h, back);
  assert.equal(h.length, HISTORY);
  assert.equal(h.at(6), kept, 'the same point, not decoded again');
  assert.equal(procAt(h.last()!, 31048)?.rsize, (170 + 150 * 68) * MiB);
  assert.equal(h.at(0)!.time, ivs[9]!.time);
  refill(h, []);
  assert.equal(h.length, 0);
});

test('a replay gives the intervals before its position without moving (T rebuilds the history from them)', () => {
  const samples = sampleMoments(6);
  let decoded = 0;
  const store: SampleStore = {
    length: samples.length, get: (i) => (decoded++, samples[i]), startsRun: (i) => i === 0, timeOf: (i) => samples[i]!.time,
  };
  const feed = new ReplayFeed(store, DEFAULT_THRESHOLDS);
  for (let i = 0; i < 5; i++) feed.next();
  const intervals = (recent: Recent[]) => recent.map((r) => r.interval!);
  const recent = feed.recent(3);
  assert.deepEqual(recent.map((r) => r.time), samples.slice(2, 5).map((s) => s.time));
  assert.deepEqual(intervals(recent).map((iv) => iv.time), samples.slice(2, 5).map((s) => s.time));
  assert.equal(feed.position, 4, 'recent does not move');
  const expected = feed.prev()!;
  const all = feed.recent(HISTORY);
  assert.deepEqual(all.map((r) => r.time), samples.slice(0, 4).map((s) => s.time));
  assert.ok(all[0]!.interval!.sinceBoot && !all[1]!.interval!.sinceBoot, 'the first sample of a run covers the time since boot, as when stepping');
  // Stepping also feeds the memory history (TRATE, LEAK, the forecast); the graph's intervals do not need it.
  const withoutHistory = (iv: Interval) => ({
    ...iv, forecast: undefined,
    procs: iv.procs.map(({ trate: _r, young: _y, tgrow: _g, leak: _l, growing: _d, fillin: _f, ...p }) => p),
  });
  assert.deepEqual(withoutHistory(all[3]!.interval!), withoutHistory(expected), 'the same interval as stepping gives');
  decoded = 0;
  const partly = feed.recent(HISTORY, (t) => t !== samples[1]!.time);
  assert.deepEqual(partly.map((r) => r.interval !== undefined), [false, true, false, false]);
  assert.equal(decoded, 2, 'known samples are not decoded: only sample 1 and the one before it');
  assert.equal(new ReplayFeed(store, DEFAULT_THRESHOLDS, { first: 2, last: 5 }).recent(10).length, 0, 'before the first step: nothing');
});
