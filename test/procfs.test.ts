/** Parsers of kernel text, on real-shaped fixtures including the odd cases. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyDisk, parseDiskstats } from '../src/procfs/diskstats.js';
import { parseLoadavg, parseUptime } from '../src/procfs/loadavg.js';
import { parseMeminfo } from '../src/procfs/meminfo.js';
import { parsePidIo, parsePidStat, parsePidStatus } from '../src/procfs/pid.js';
import { parsePressure } from '../src/procfs/pressure.js';
import { netCounters, parseNetDev, parseSnmp, parseSnmp6 } from '../src/procfs/net.js';
import { parseSockstat } from '../src/procfs/sockstat.js';
import { parseStat, ticksTotal } from '../src/procfs/stat.js';
import { parseOpenFileLimit } from '../src/procfs/limits.js';
import { pagingCounters, parseVmstat } from '../src/procfs/vmstat.js';
import { FIXTURES } from './helpers/trees.js';

const fx = (name: string) => readFileSync(join(FIXTURES, 'procfs', name), 'utf8');

test('stat: a command name with spaces and parentheses is taken up to the last ")"', () => {
  const st = parsePidStat(fx('stat-odd-comm'))!;
  assert.equal(st.comm, 'we ird) x (y');
  assert.equal(st.pid, 4242);
  assert.equal(st.state, 'S');
  assert.equal(st.ppid, 1);
  assert.equal(st.minflt, 1234);
  assert.equal(st.majflt, 5);
  assert.equal(st.utime, 250);
  assert.equal(st.stime, 75);
  assert.equal(st.threads, 3);
  assert.equal(st.starttime, 98765);
  assert.equal(st.vsize, 123456789);
  assert.equal(st.rss, 2048);
  assert.equal(st.processor, 1);
});

test('stat: kernel threads and zombies parse with zero sizes', () => {
  const k = parsePidStat(fx('stat-kthread'))!;
  assert.deepEqual([k.comm, k.ppid, k.vsize, k.rss, k.stime], ['kthreadd', 0, 0, 0, 12]);
  const z = parsePidStat(fx('stat-zombie'))!;
  assert.deepEqual([z.comm, z.state, z.ppid, z.vsize], ['defunct-kid', 'Z', 5150, 0]);
});

test('stat: empty or torn text (process gone mid-read) is rejected, not misread', () => {
  assert.equal(parsePidStat(''), undefined);
  assert.equal(parsePidStat('4242 (half'), undefined);
  assert.equal(parsePidStat('4242 (x) S 1 2'), undefined);
});

test('stat: a field no kernel prints is unknown alone, the rest of the line still reads', () => {
  const rss = parsePidStat(fx('stat-absurd-rss'))!;
  assert.ok(rss, 'a line with an absurd rss still names its process');
  assert.equal(rss.rss, undefined);
  assert.deepEqual([rss.pid, rss.comm, rss.state, rss.ppid, rss.utime, rss.stime, rss.vsize, rss.starttime, rss.nice],
    [1187, 'sshd', 'S', 1, 31, 17, 15323136, 1604, 0]);

  // Non-numeric utime, nice 99 (outside -20..19), starttime 1e400, processor -3, minflt beyond 2^64.
  const odd = parsePidStat(fx('stat-odd-fields'))!;
  assert.ok(odd);
  assert.deepEqual([odd.utime, odd.nice, odd.starttime, odd.processor, odd.minflt], [undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual([odd.stime, odd.majflt, odd.priority, odd.threads, odd.vsize, odd.rss, odd.ppid], [17, 4, 20, 1, 15323136, 2375, 1]);
  for (const v of Object.values(odd)) assert.ok(typeof v !== 'number' || Number.isFinite(v), 'no NaN or Infinity');
});

test('stat: a line without its (comm) or cut short names no process', () => {
  assert.equal(parsePidStat(fx('stat-no-comm')), undefined);
  assert.equal(parsePidStat(fx('stat-truncated')), undefined);
});

test('status: sizes in bytes, uid, and the fields an old kernel lacks stay unknown', () => {
  const s = parsePidStatus(fx('status-2.6.32-noswap'));
  assert.equal(s.uid, 48);
  assert.equal(s.vmExe, 328 * 1024);
  assert.equal(s.vmLib, 13772 * 1024);
  assert.equal(s.vmData, 2880 * 1024);
  assert.equal(s.vmStk, 88 * 1024);
  assert.equal(s.vmLck, 0);
  assert.equal(s.vmSwap, undefined, 'no VmSwap before 2.6.34: unknown, not zero');
});

test('status: kernel threads and zombies own no memory', () => {
  for (const name of ['status-kthread', 'status-zombie']) {
    const s = parsePidStatus(fx(name));
    assert.deepEqual([s.vmExe, s.vmLib, s.vmData, s.vmStk, s.vmLck, s.vmSwap], [0, 0, 0, 0, 0, 0], name);
  }
});

test('status: a current kernel has every field', () => {
  const text = fx('status-6.x-real');
  const s = parsePidStatus(text);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)![1]) * 1024;
  assert.equal(s.vmSwap, kb('VmSwap'));
  assert.equal(s.vmData, kb('VmData'));
  assert.equal(s.vmExe, kb('VmExe'));
});

test('io: read, write and cancelled bytes', () => {
  const io = parsePidIo('rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 512\n')!;
  assert.deepEqual(io, { readBytes: 4096, writeBytes: 8192, cancelledWriteBytes: 512 });
  assert.equal(parsePidIo(''), undefined);
});

test('meminfo: kB become bytes, counts stay counts, absent keys stay absent', () => {
  const old = parseMeminfo(fx('meminfo-2.6.32'));
  assert.equal(old.MemTotal, 3985408 * 1024);
  assert.equal(old.MemAvailable, undefined, 'no MemAvailable before 3.14');
  const cur = parseMeminfo(fx('meminfo-6.x-real'));
  assert.ok(cur.MemAvailable! > 0);
  assert.equal(cur.HugePages_Total, Number(/^HugePages_Total:\s+(\d+)$/m.exec(fx('meminfo-6.x-real'))![1]));
});

test('vmstat: scan and steal summed by prefix as atop does, stall over every allocstall', () => {
  const now = pagingCounters(parseVmstat(fx('vmstat-5.4')));
  // A 5.4 kernel has no pgscan_anon: pgscan_direct_throttle matches the pgscan_direct prefix, as in atop.
  assert.equal(now.scan, 1000 + 200 + 30 + 4);
  assert.equal(now.steal, 100 + 20 + 3);
  assert.equal(now.stall, 0 + 1 + 2 + 3);
  assert.deepEqual([now.swin, now.swout, now.compact, now.migrate, now.oomkill], [91, 322, 5, 7, 1]);
  const old = pagingCounters(parseVmstat(fx('vmstat-2.6')));
  assert.equal(old.scan, 10 + 7000 + 0 + 2000, 'per-zone counters of 2.6 kernels');
  assert.equal(old.stall, 5);
  assert.equal(old.oomkill, -1, 'no oom_kill before 4.13');
});

test('vmstat with pgscan_anon/pgscan_file (5.8+): scan and steal count cgroup reclaim too', () => {
  // A leaker held by a cgroup limit: the kernel scanned 1,077,300 pages, kswapd and direct reclaim only 44,300 of them.
  const text = fx('vmstat-6.x-cgroup-reclaim');
  const vm = parseVmstat(text);
  const pag = pagingCounters(vm);
  assert.equal(pag.scan, 912400 + 164900);
  assert.equal(pag.steal, 401300 + 150600);
  assert.ok(pag.scan > vm.pgscan_kswapd! + vm.pgscan_direct!, 'more than the per-reclaimer counters');
  // Kernels with pgscan_anon but (in theory) no pgsteal_anon keep the per-reclaimer steal.
  const noStealPair = pagingCounters(parseVmstat(text.replace(/^pgsteal_(anon|file) .*\n/gm, '')));
  assert.equal(noStealPair.scan, pag.scan);
  assert.equal(noStealPair.steal, 38000 + 2900);
});

test('vmstat since 6.12: swin/swout count zero-filled pages (swpin_zero/swpout_zero), swapped without I/O', () => {
  // Swap filled by 1.6 GiB while pswpout moved by 2,274 pages: 422,597 were zero-filled.
  const text = fx('vmstat-6.18-zero-swap');
  const pag = pagingCounters(parseVmstat(text));
  assert.equal(pag.swout, 2274 + 422597);
  assert.equal(pag.swin, 1180 + 39021);
  // Without those lines (before 6.12): pswpin/pswpout alone, as atop 2.8.
  const before = pagingCounters(parseVmstat(text.replace(/^swp(in|out)_zero .*\n/gm, '')));
  assert.deepEqual([before.swin, before.swout], [1180, 2274]);
  // A 5.4 kernel's vmstat has no such lines either.
  const old = pagingCounters(parseVmstat(fx('vmstat-5.4')));
  assert.deepEqual([old.swin, old.swout], [91, 322]);
});

test('stat: totals, per-CPU lines, counters; short lines of old kernels', () => {
  const text = fx('stat-real');
  const st = parseStat(text);
  const cpuLines = text.split('\n').filter((l) => /^cpu\d+ /.test(l));
  assert.equal(st.cpus.length, cpuLines.length);
  assert.equal(st.ctxt, Number(/^ctxt (\d+)/m.exec(text)![1]));
  assert.equal(st.btime, Number(/^btime (\d+)/m.exec(text)![1]));
  const old = parseStat(fx('stat-2.6.9-short'));
  assert.deepEqual([old.total.user, old.total.iowait, old.total.steal], [100, 0, 0]);
  assert.equal(ticksTotal(old.total), 1155);
  assert.equal(old.intr, 500);
});

test('diskstats: 11, 14, 18 and 20 field lines, and the 2.6.25 partition format', () => {
  const disks = parseDiskstats(fx('diskstats-mixed'));
  const by = (n: string) => disks.find((d) => d.name === n)!;
  assert.deepEqual([by('sda').reads, by('sda').readSectors, by('sda').writes, by('sda').ioMs], [27582, 1651234, 2366, 2944]);
  assert.equal(by('sda').discards, -1, '14 fields: no discards');
  assert.deepEqual([by('nvme0n1').discards, by('nvme0n1').discardSectors], [2972, 37592]);
  assert.deepEqual([by('vda').weightedMs, by('vda').discards], [2567, 2972]);
  assert.deepEqual([by('hda1').reads, by('hda1').readSectors, by('hda1').writes, by('hda1').writeSectors], [35486, 38030, 38030, 38030]);
});

test('diskstats: devices classified as atop does', () => {
  const cls = (n: string) => classifyDisk(n);
  assert.deepEqual(['sda', 'vda', 'nvme0n1', 'hda', 'xvda', 'mmcblk0', 'nbd3'].map(cls), Array(7).fill('dsk'));
  assert.equal(cls('dm-0'), 'lvm');
  assert.equal(cls('md0'), 'mdd');
  for (const skipped of ['sda1', 'nvme0n1p1', 'loop0', 'ram0', 'zram0', 'sr0', 'mmcblk0p2']) assert.equal(cls(skipped), null, skipped);
});

test('pressure, loadavg, uptime, sockstat', () => {
  const cpu = parsePressure(fx('pressure-cpu-5.4'))!;
  assert.deepEqual(cpu.some, { avg10: 1.5, avg60: 0.75, avg300: 0.1, total: 123456789 });
  assert.equal(cpu.full, undefined, 'cpu has no full line before 5.13');
  assert.equal(parsePressure(fx('pressure-memory'))!.full!.total, 400);
  assert.equal(parsePressure('garbage'), undefined);
  assert.deepEqual(parseLoadavg('0.68 0.25 0.09 1/80 3566\n'), { avg1: 0.68, avg5: 0.25, avg15: 0.09, running: 1, total: 80 });
  assert.equal(parseUptime('108.80 172.64\n'), 108.8);
  assert.deepEqual(parseSockstat('sockets: used 9\nTCP: inuse 1 orphan 0 tw 0 alloc 1 mem 315\nUDP: inuse 0 mem 2\n'), { tcpPages: 315, udpPages: 2 });
});

test('net: snmp header/value pairs, snmp6 names, /proc/net/dev columns, IPv4 and IPv6 added up', () => {
  const v4text = fx('net-snmp');
  const v4 = parseSnmp(v4text);
  const tcpNames = v4text.split('\n').find((l) => l.startsWith('Tcp: '))!.split(' ');
  const tcpValues = v4text.split('\n').filter((l) => l.startsWith('Tcp: '))[1]!.split(' ');
  assert.equal(v4['Tcp.InSegs'], Number(tcpValues[tcpNames.indexOf('InSegs')]));
  const v6 = parseSnmp6(fx('net-snmp6'));
  const c = netCounters(v4, v6);
  assert.equal(c.ipi, v4['Ip.InReceives']! + (v6.Ip6InReceives ?? 0));
  assert.equal(c.udpo, v4['Udp.OutDatagrams']! + (v6.Udp6OutDatagrams ?? 0));
  const devs = parseNetDev(fx('net-dev'));
  const lo = devs.find((d) => d.name === 'lo')!;
  const loLine = fx('net-dev').split('\n').find((l) => l.trim().startsWith('lo:'))!.split(':')[1]!.trim().split(/\s+/).map(Number);
  assert.deepEqual([lo.rbytes, lo.rpackets, lo.sbytes, lo.spackets, lo.colls], [loLine[0], loLine[1], loLine[8], loLine[9], loLine[13]]);
  assert.ok(!devs.some((d) => d.name.includes('|')), 'header lines skipped');
});

test('limits: the soft limit on open files; unlimited; a missing line', () => {
  const text = fx('limits-6.x');
  const soft = Number(text.split('\n').find((l) => l.startsWith('Max open files'))!.split(/\s{2,}/)[1]);
  assert.equal(parseOpenFileLimit(text), soft, 'the soft column, not the hard one');
  assert.equal(parseOpenFileLimit(text.replace(/^(Max open files\s+)\d+/m, '$1unlimited')), Infinity);
  assert.equal(parseOpenFileLimit(text.replace(/^Max open files.*\n/m, '')), undefined);
});
