/** The model on fake /proc trees at two moments: deltas, growth, badness. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildInterval, type ProcInterval } from '../src/model/interval.js';
import { isActive } from '../src/model/process.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import { Sampler, STATUS_MAX_AGE } from '../src/reader/sampler.js';
import { fakeInterval, fakeProcFiles, makeTree, type FakeMoment } from './helpers/trees.js';

const PAGE = 4096;

test('processes matched by pid and start time: growth, faults and CPU as deltas', () => {
  const a: FakeMoment = { uptime: 1000, cpu: [1000, 500, 10000, 100], procs: [{ pid: 10, vsize: 1000, rss: 500, minflt: 100, majflt: 2, utime: 50, stime: 20 }] };
  const b: FakeMoment = { uptime: 1010, cpu: [1500, 700, 11200, 100], procs: [{ pid: 10, vsize: 1300, rss: 800, minflt: 400, majflt: 5, utime: 250, stime: 70 }] };
  const p = fakeInterval(a, b).procs.find((x) => x.pid === 10)!;
  assert.equal(p.isNew, false);
  assert.equal(p.vgrow, 300 * PAGE);
  assert.equal(p.rgrow, 300 * PAGE);
  assert.equal(p.minflt, 300);
  assert.equal(p.majflt, 3);
  assert.equal(p.usrcpu, 2000, '200 ticks at 100 Hz');
  assert.equal(p.syscpu, 500);
  // 250 ticks of one process out of 1900 ticks on 2 CPUs: 250*100/(1900/2) = 26.3% of one CPU.
  assert.ok(Math.abs(p.cpu! - 26.315) < 0.01, String(p.cpu));
});

test('shrinking RSS gives negative growth', () => {
  const a: FakeMoment = { uptime: 10, procs: [{ pid: 7, vsize: 900, rss: 600 }] };
  const b: FakeMoment = { uptime: 30, procs: [{ pid: 7, vsize: 900, rss: 594 }] };
  const p = fakeInterval(a, b).procs[0]!;
  assert.equal(p.vgrow, 0);
  assert.equal(p.rgrow, -6 * PAGE);
});

test('a new process and a reused pid show their full sizes and total faults as growth, like atop', () => {
  const a: FakeMoment = { uptime: 10, procs: [{ pid: 20, starttime: 100, vsize: 50, rss: 40, minflt: 900 }] };
  const b: FakeMoment = {
    uptime: 20,
    procs: [
      { pid: 20, starttime: 555, vsize: 70, rss: 30, minflt: 15 },
      { pid: 21, starttime: 600, vsize: 80, rss: 60, minflt: 12, majflt: 1 },
    ],
  };
  const iv = fakeInterval(a, b);
  const reused = iv.procs.find((p) => p.pid === 20)!;
  assert.equal(reused.isNew, true, 'same pid, other start time: another process');
  assert.deepEqual([reused.vgrow, reused.rgrow, reused.minflt], [70 * PAGE, 30 * PAGE, 15]);
  const fresh = iv.procs.find((p) => p.pid === 21)!;
  assert.deepEqual([fresh.isNew, fresh.vgrow, fresh.rgrow, fresh.minflt, fresh.majflt], [true, 80 * PAGE, 60 * PAGE, 12, 1]);
  assert.equal(iv.prc.nexit, 1, 'the old pid 20 is gone');
});

test('gone processes leave the list; the first sample covers the time since boot', () => {
  const a: FakeMoment = { uptime: 500, procs: [{ pid: 1, rss: 10 }, { pid: 2, rss: 20 }, { pid: 3, rss: 30 }] };
  const b: FakeMoment = { uptime: 510, procs: [{ pid: 1, rss: 10 }] };
  const iv = fakeInterval(a, b);
  assert.deepEqual(iv.procs.map((p) => p.pid), [1]);
  assert.equal(iv.prc.nexit, 2);
  assert.equal(iv.elapsed, 10);
  const first = buildInterval(undefined, new Sampler({ proc: makeTree(fakeProcFiles(a)), sys: '/nonexistent' }).sample());
  assert.equal(first.sinceBoot, true);
  assert.equal(first.elapsed, 500);
  assert.ok(first.procs.every((p) => p.isNew && p.rgrow === p.rsize));
});

test('a process vanishing between stat and status is skipped silently; unknown swap stays unknown', () => {
  const b: FakeMoment = { uptime: 5, procs: [{ pid: 8, noStatus: true }, { pid: 9, swapKb: undefined }, { pid: 10, swapKb: 64 }] };
  const iv = fakeInterval({ uptime: 1, procs: [] }, b);
  assert.deepEqual(iv.procs.map((p) => p.pid).sort(), [10, 9]);
  assert.equal(iv.procs.find((p) => p.pid === 9)!.vmSwap, undefined);
  assert.equal(iv.procs.find((p) => p.pid === 10)!.vmSwap, 64 * 1024);
});

test('odd /proc entries do not break the sampler', () => {
  const files = fakeProcFiles({ uptime: 3, procs: [{ pid: 4 }] });
  files['77/stat'] = 'garbage without parentheses';
  files['78/stat'] = '';
  files['self/stat'] = 'not a pid directory';
  const s = new Sampler({ proc: makeTree(files), sys: '/nonexistent' }).sample();
  assert.deepEqual(s.procs.map((p) => p.pid), [4]);
});

test('MEM badness: atop used% with thresholds; overridable', () => {
  // used = 4G - 100M free - 200M cache - 50M buff - 100M slrec + 10M shmem = 3656M of 4096M = 89.2%
  const memKb = { MemFree: 100 * 1024, Cached: 200 * 1024, Buffers: 50 * 1024 };
  const m: FakeMoment = { uptime: 2, memKb, procs: [] };
  const iv = fakeInterval({ ...m, uptime: 1 }, m);
  assert.equal(Math.trunc(iv.mem.usedPct), 89);
  assert.equal(iv.mem.badness, 98);
  assert.equal(iv.mem.level, 'almost');
  const strict = fakeInterval({ ...m, uptime: 1 }, m, { ...DEFAULT_THRESHOLDS, memcritperc: 85 });
  assert.equal(strict.mem.level, 'crit');
});

test('SWP: without swap never critical; PAG: any swap-out is at least almost critical', () => {
  const noSwap: FakeMoment = { uptime: 2, memKb: { SwapTotal: 0, SwapFree: 0 }, procs: [] };
  assert.equal(fakeInterval({ ...noSwap, uptime: 1 }, noSwap).swp.level, 'ok');
  const full: FakeMoment = { uptime: 2, memKb: { SwapTotal: 1000, SwapFree: 100 }, procs: [] };
  assert.equal(fakeInterval({ ...full, uptime: 1 }, full).swp.level, 'crit');
  const a: FakeMoment = { uptime: 100, vmstat: { pswpout: 1000 }, procs: [] };
  const slow = fakeInterval(a, { uptime: 110, vmstat: { pswpout: 1020 }, procs: [] }); // 2/s
  assert.equal(slow.pag.level, 'almost');
  const fast = fakeInterval(a, { uptime: 110, vmstat: { pswpout: 1090 }, procs: [] }); // 9/s
  assert.equal(fast.pag.level, 'crit');
  assert.equal(fast.pag.swout, 90);
});

test('disk busy, avio and counters that went backwards (subcount)', () => {
  const disk = (reads: number, writes: number, ioMs: number) => `   8       0 sda ${reads} 0 ${reads * 8} 0 ${writes} 0 ${writes * 8} 0 0 ${ioMs} ${ioMs * 2}\n`;
  // 10 s on 2 CPUs at 100 Hz = 2000 ticks: mstot 10000 ms.
  const a: FakeMoment = { uptime: 10, cpu: [1000, 500, 10000, 100], diskstats: disk(100, 100, 1000), procs: [] };
  const b: FakeMoment = { uptime: 20, cpu: [1500, 700, 11300, 100], diskstats: disk(150, 250, 10000), procs: [] };
  const d = fakeInterval(a, b).dsk[0]!;
  assert.deepEqual([d.read, d.write, d.busy, d.avio, d.avq, d.kibr], [50, 150, 90, 45, 2, 4]);
  assert.equal(d.level, 'crit');
  const wrapped = fakeInterval(b, { ...a, uptime: 30, cpu: [2000, 900, 12600, 100] }).dsk[0]!;
  assert.equal(wrapped.read, 100, 'a counter that went backwards counts from zero');
});

test('NET: interface rates in bits per second and busy% against the link speed', () => {
  const dev = (rb: number, rp: number, sb: number, sp: number) =>
    'Inter-|   Receive |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
    `  eth0: ${rb} ${rp} 0 0 0 0 0 0 ${sb} ${sp} 0 0 0 0 0 0\n`;
  const a: FakeMoment = { uptime: 100, procs: [], extra: { 'net/dev': dev(0, 0, 0, 0) } };
  const b: FakeMoment = { uptime: 110, procs: [], extra: { 'net/dev': dev(12_500_000, 9000, 1_250_000, 800) } };
  const sys = makeTree({ 'class/net/eth0/speed': '100\n', 'class/net/eth0/duplex': 'full\n' });
  const samples = [a, b].map((m) => new Sampler({ proc: makeTree(fakeProcFiles(m)), sys }).sample());
  const eth = buildInterval(samples[0], samples[1]!).ifs[0]!;
  assert.deepEqual([eth.rpackets, eth.spackets, eth.rbps, eth.sbps], [9000, 800, 10_000_000, 1_000_000]);
  assert.equal(eth.busy, 10, '10 Mb/s in of a 100 Mb/s full-duplex link');
});

test('io deltas: totals for a new process, unknown for a known one whose previous sample had no io', () => {
  const ioOf = (b: number) => `rchar: 0\nwchar: 0\nread_bytes: ${b}\nwrite_bytes: ${b * 2}\ncancelled_write_bytes: 0\n`;
  const tree = (pids: number[], bytes: number) => {
    const files = fakeProcFiles({ uptime: bytes, procs: pids.map((pid) => ({ pid })) });
    for (const pid of pids) files[`${pid}/io`] = ioOf(bytes);
    return makeTree(files);
  };
  const s1 = new Sampler({ proc: tree([5], 1000), sys: '/nonexistent' }).sample(); // io not asked for
  const s2 = new Sampler({ proc: tree([5, 6], 3000), sys: '/nonexistent' }).sample({ io: true });
  const s3 = new Sampler({ proc: tree([5, 6], 7000), sys: '/nonexistent' }).sample({ io: true });
  const first = buildInterval(s1, s2);
  assert.equal(first.procs.find((p) => p.pid === 5)!.rddsk, undefined);
  assert.equal(first.procs.find((p) => p.pid === 6)!.rddsk, 3000, 'new: its total');
  const next = buildInterval(s2, s3);
  assert.deepEqual([next.procs.find((p) => p.pid === 5)!.rddsk, next.procs.find((p) => p.pid === 5)!.wrdsk], [4000, 8000]);
});

test('an idle process (stat unchanged) keeps its last sample; status is still re-read every STATUS_MAX_AGE samples', () => {
  const root = makeTree(fakeProcFiles({ uptime: 5, procs: [{ pid: 12, swapKb: 4 }, { pid: 13, swapKb: 4 }] }));
  const sampler = new Sampler({ proc: root, sys: '/nonexistent' });
  const first = sampler.sample();
  // status changes behind an unchanged stat (e.g. mlock of resident pages): seen within STATUS_MAX_AGE samples.
  const statusPath = join(root, '12', 'status');
  writeFileSync(statusPath, readFileSync(statusPath, 'utf8').replace(/^VmSwap:\s+4 kB$/m, 'VmSwap:\t40 kB'));
  const second = sampler.sample();
  assert.equal(second.procs.find((p) => p.pid === 12), first.procs.find((p) => p.pid === 12), 'same sample object reused');
  let swap = second.procs.find((p) => p.pid === 12)!.vmSwap;
  for (let i = 0; i < STATUS_MAX_AGE && swap === 4096; i++) swap = sampler.sample().procs.find((p) => p.pid === 12)!.vmSwap;
  assert.equal(swap, 40 * 1024);
  // A changed stat is parsed again at once.
  const statPath = join(root, '13', 'stat');
  writeFileSync(statPath, readFileSync(statPath, 'utf8').replace(/^(13 \(proc13\) S 1 13 13 0 -1 4194560) 0 /, '$1 77 '));
  assert.equal(sampler.sample().procs.find((p) => p.pid === 13)!.minflt, 77);
  // Asking for io builds fresh samples (the io fields are read every time).
  assert.notEqual(sampler.sample({ io: true }).procs.find((p) => p.pid === 12), first.procs.find((p) => p.pid === 12));
});

test('processes pair up by pid whatever the order: pid order (one walk) and any other (a map) agree', () => {
  // pids whose string order differs from their numeric order; some come, some go, one is reused.
  const a: FakeMoment = { uptime: 100, procs: [2, 9, 10, 11, 100, 1000].map((pid) => ({ pid, rss: pid, minflt: pid })) };
  const b: FakeMoment = {
    uptime: 110,
    procs: [
      ...[9, 10, 101, 1000].map((pid) => ({ pid, rss: pid + 5, minflt: pid + 7 })),
      { pid: 11, starttime: 777, rss: 3, minflt: 4 },
    ],
  };
  const [sa, sb] = [a, b].map((m) => new Sampler({ proc: makeTree(fakeProcFiles(m)), sys: '/nonexistent' }).sample());
  assert.deepEqual(sb!.procs.map((p) => p.pid), [9, 10, 11, 101, 1000], 'the sampler lists pids in numeric order');
  const summary = (iv: ReturnType<typeof buildInterval>) =>
    iv.procs.map((p) => `${p.pid}:${p.isNew ? 'new' : 'old'}:${p.rgrow! / PAGE}:${p.minflt}`).sort();
  const walked = summary(buildInterval(sa, sb!));
  assert.deepEqual(walked, ['1000:old:5:7', '101:new:106:108', '10:old:5:7', '11:new:3:4', '9:old:5:7']);
  const shuffled = (s: typeof sa) => ({ ...s!, procs: [...s!.procs].reverse() });
  assert.deepEqual(summary(buildInterval(shuffled(sa), sb!)), walked);
  assert.deepEqual(summary(buildInterval(sa, shuffled(sb))), walked);
  assert.equal(buildInterval(shuffled(sa), shuffled(sb)).prc.nexit, 3);
});

test('an idle process keeps its interval object from one interval to the next, until MemTotal moves', () => {
  const root = makeTree(fakeProcFiles({ uptime: 5, procs: [{ pid: 30, rss: 100, minflt: 9 }, { pid: 31, rss: 50 }] }));
  const sampler = new Sampler({ proc: root, sys: '/nonexistent' });
  const s1 = sampler.sample();
  const s2 = sampler.sample();
  const s3 = sampler.sample();
  const second = buildInterval(s2, s3).procs.find((p) => p.pid === 30)!;
  const first = buildInterval(s1, s2).procs.find((p) => p.pid === 30)!;
  assert.equal(second, first, 'same object: nothing to compute for an idle process');
  assert.deepEqual([first.rgrow, first.minflt, first.cpu, first.isNew], [0, 0, 0, false]);
  // Twice the memory: the same process is a smaller share of it.
  const bigger = { ...s3, mem: { ...s3.mem, MemTotal: s3.mem.MemTotal! * 2 } };
  const after = buildInterval(s2, bigger).procs.find((p) => p.pid === 30)!;
  assert.notEqual(after, first);
  assert.ok(Math.abs(after.mem! - first.mem! / 2) < 1e-9);
});

test("DSK is atop's share of all processes' transfers: reads plus writes not cancelled", () => {
  const io = (r: number, w: number, c: number) => `rchar: 0\nwchar: 0\nread_bytes: ${r}\nwrite_bytes: ${w}\ncancelled_write_bytes: ${c}\n`;
  const tree = (uptime: number, ios: Record<number, string>) => {
    const files = fakeProcFiles({ uptime, procs: Object.keys(ios).map((pid) => ({ pid: Number(pid) })) });
    for (const [pid, text] of Object.entries(ios)) files[`${pid}/io`] = text;
    return new Sampler({ proc: makeTree(files), sys: '/nonexistent' }).sample({ io: true });
  };
  const a = tree(10, { 5: io(0, 0, 0), 6: io(0, 0, 0), 7: io(0, 0, 0), 8: io(0, 0, 0) });
  // In the interval: 5 reads 3000; 6 writes 2000 of which 1500 cancelled (500 count); 7 cancels more than
  // it wrote (0 count, not negative); 8 does nothing.
  const b = tree(20, { 5: io(3000, 0, 0), 6: io(0, 2000, 1500), 7: io(0, 100, 400), 8: io(0, 0, 0) });
  const share = (pid: number) => buildInterval(a, b).procs.find((p) => p.pid === pid)!.dsk;
  assert.ok(Math.abs(share(5)! - (3000 * 100) / 3500) < 1e-9);
  assert.ok(Math.abs(share(6)! - (500 * 100) / 3500) < 1e-9);
  assert.deepEqual([share(7), share(8)], [0, 0]);
  // Without io read, unknown; when nothing moved at all, 0 for everyone.
  assert.equal(buildInterval(undefined, new Sampler({ proc: makeTree(fakeProcFiles({ uptime: 1, procs: [{ pid: 5 }] })), sys: '/x' }).sample()).procs[0]!.dsk, undefined);
  assert.deepEqual(buildInterval(b, b).procs.map((p) => p.dsk), [0, 0, 0, 0]);
});

test("atop's active processes: new, CPU, faults, growth either way, disk bytes; not an unchanged one", () => {
  const base: ProcInterval = {
    pid: 1, ppid: 0, user: 'root', state: 'S', cmd: 'x', isNew: false, threads: 1, nice: 0, priority: 20, processor: 0,
    minflt: 0, majflt: 0, syscpu: 0, usrcpu: 0, cpu: 0, vsize: 100, rsize: 50, vgrow: 0, rgrow: 0, mem: 1,
  };
  assert.equal(isActive(base), false);
  const active: Partial<ProcInterval>[] = [
    { isNew: true }, { syscpu: 10 }, { usrcpu: 10 }, { minflt: 1 }, { majflt: 1 }, { vgrow: -4096 }, { rgrow: 4096 },
    { rddsk: 512 }, { wrdsk: 512 }, { wrdsk: 0, wcancl: 512 },
  ];
  for (const change of active) assert.equal(isActive({ ...base, ...change }), true, JSON.stringify(change));
  assert.equal(isActive({ ...base, rddsk: 0, wrdsk: 0, wcancl: 0 }), false, 'io read, nothing moved');
});
