/**
 * The case study (shared/case-study-atop-memory-leak.md) told by memtop:
 * /proc trees of the leaking machine at two moments, and the text output
 * holding the case study's own figures.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VIEWS } from '../src/columns/views.js';
import { renderText } from '../src/output/text.js';
import { caseStudy, squeeze } from './helpers/trees.js';

function screen(from: string, to: string, width = 80) {
  const text = renderText(caseStudy(from, to), { width, view: VIEWS.memory });
  const lines = text.split('\n');
  return {
    text,
    line: (label: string, n = 0) => squeeze(lines.filter((l) => l.startsWith(`${label} |`))[n] ?? ''),
    row: (pid: number) => lines.find((l) => l.trimStart().startsWith(`${pid} `)) ?? '',
    lines,
  };
}

test('15:12:32: MEM line and the header of a 20-second interval', () => {
  const s = screen('t151212', 't151232');
  assert.match(s.lines[0]!, /^MEMTOP - sammy +2010\/03\/02 {2}15:12:32 +-+ +20s elapsed$/);
  assert.equal(s.line('MEM'), 'MEM | tot 3.8G | free 56.5M | cache 697.7M | buff 315.1M | slab 272.0M |');
  assert.equal(s.line('SWP'), 'SWP | tot 8.0G | free 7.8G | swcac 2.0M | vmcom 3.5G | vmlim 9.9G |');
  assert.equal(s.line('CPU'), 'CPU | sys 13% | user 34% | irq 0% | idle 151% | wait 2% |');
  assert.equal(s.line('CPL'), 'CPL | numcpu 2 | avg1 0.48 | avg5 0.46 | csw 48261 | intr 38102 |');
});

test('15:12:32: lekker heads the memory view grown 148.5M with 38019 minor faults', () => {
  const s = screen('t151212', 't151232');
  const header = s.lines.find((l) => l.includes('MINFLT'))!;
  assert.equal(squeeze(header), 'PID MINFLT MAJFLT VSTEXT VSIZE RSIZE VGROW RGROW MEM CMD');
  const cols = squeeze(header).split(' ');
  const first = s.lines[s.lines.indexOf(header) + 1]!;
  const cells = squeeze(first).split(' ');
  const cell = (name: string) => cells[cols.indexOf(name)];
  assert.equal(cell('PID'), '31048');
  assert.equal(cell('CMD'), 'lekker');
  assert.equal(cell('VGROW'), '148.5M');
  assert.equal(cell('RGROW'), '148.5M');
  assert.equal(cell('MINFLT'), '38019');
  assert.equal(squeeze(first), '31048 38019 0 2.0K 324.2M 320.8M 148.5M 148.5M 8% lekker');
  // firefox referenced another 892 KiB; chrome shrank by 6 pages.
  assert.equal(squeeze(s.row(4680)), '4680 331 0 74.0K 640.4M 68.8M 0B 892.0K 2% firefox');
  assert.match(squeeze(s.row(29272)), / 0B -24\.0K 3% chrome$/);
});

test('15:12:32: disks in atop order (busiest first), LVM named from /sys', () => {
  const s = screen('t151212', 't151232');
  assert.equal(s.line('LVM', 0), 'LVM | vg00-lvhome | busy 2% | read 15 | write 111 | avio 2.60 ms |');
  assert.equal(s.line('LVM', 1), 'LVM | vg00-lvtmp | busy 0% | read 0 | write 1 | avio 1.00 ms |');
  assert.equal(s.line('DSK'), 'DSK | sda | busy 2% | read 15 | write 54 | avio 4.74 ms |');
  assert.equal(s.lines.filter((l) => /^(LVM|DSK)/.test(l)).length, 3, 'idle LVs, partitions and loop devices are not shown');
});

test('15:13:52: PAG shows scanning and swapping, LVM/DSK the swap traffic', () => {
  const s = screen('t151332', 't151352');
  const pag = s.line('PAG');
  for (const field of ['scan 30712', 'stall 0', 'swin 91', 'swout 322']) assert.ok(pag.includes(`| ${field} |`), `${field} in ${pag}`);
  assert.equal(s.line('MEM'), 'MEM | tot 3.8G | free 97.9M | cache 314.2M | buff 87.7M | slab 224.5M |');
  assert.equal(s.line('LVM', 0), 'LVM | vg00-lvswap | busy 1% | read 91 | write 322 | avio 0.59 ms |');
  assert.equal(s.line('LVM', 1), 'LVM | vg00-lvusr | busy 1% | read 9 | write 0 | avio 12.8 ms |');
  assert.equal(s.line('LVM', 2), 'LVM | vg00-lvhome | busy 1% | read 0 | write 25 | avio 4.32 ms |');
  assert.equal(s.line('DSK'), 'DSK | sda | busy 3% | read 41 | write 60 | avio 5.21 ms |');
  assert.equal(squeeze(s.row(31048)), '31048 40020 0 2.0K 941.7M 938.3M 156.3M 156.3M 24% lekker');
});

test('15:13:52 at a wide terminal: the whole PAG line in atop order, slack spread as atop does', () => {
  const s = screen('t151332', 't151352', 200);
  // 2.6 kernels count steal per zone (pgsteal_normal), which atop's pgsteal_kswapd/direct prefixes miss: 0.
  assert.equal(
    s.line('PAG'),
    'PAG | scan 30712 | steal 0 | | stall 0 | compact 0 | numamig 0 | migrate 0 | | pgin 91 | pgout 322 | swin 91 | | swout 322 |',
  );
});

test('colours follow the case study: cyan MEM at 15:12:32, red PAG at 15:13:52, red disks at 15:18:52', () => {
  const early = caseStudy('t151212', 't151232');
  assert.equal(early.mem.level, 'almost', 'little free memory plus page cache: cyan');
  assert.equal(early.pag.level, 'ok');
  const swapping = caseStudy('t151332', 't151352');
  assert.equal(swapping.pag.level, 'crit', '322 pages swapped out in 20 s');
  const desperate = caseStudy('t151832', 't151852');
  assert.equal(desperate.mem.level, 'crit');
  assert.equal(desperate.pag.level, 'crit');
  assert.deepEqual(desperate.lvm.map((d) => [d.name, d.level]), [
    ['vg00-lvswap', 'crit'], ['vg00-lvhome', 'crit'], ['vg00-lvusr', 'almost'], ['vg00-lvtmp', 'ok'],
  ]);
  assert.equal(desperate.dsk[0]!.level, 'crit');
});

test('15:18:52: the desperate kernel, as the case study prints it', () => {
  const s = screen('t151832', 't151852');
  assert.equal(s.line('MEM'), 'MEM | tot 3.8G | free 29.6M | cache 41.9M | buff 0.7M | slab 95.6M |');
  assert.equal(s.line('CPU'), 'CPU | sys 12% | user 4% | irq 0% | idle 63% | wait 120% |');
  assert.equal(s.line('LVM', 0), 'LVM | vg00-lvswap | busy 98% | read 8432 | write 32135 | avio 0.49 ms |');
  assert.equal(s.line('LVM', 1), 'LVM | vg00-lvhome | busy 92% | read 44 | write 55 | avio 188 ms |');
  assert.equal(s.line('LVM', 2), 'LVM | vg00-lvusr | busy 75% | read 267 | write 0 | avio 57.2 ms |');
  assert.equal(s.line('DSK'), 'DSK | sda | busy 98% | read 3972 | write 428 | avio 4.55 ms |');
  assert.ok(s.line('PAG').includes('| swin 8440 | swout 32135 |'));
  assert.equal(squeeze(s.row(31048)), '31048 32016 0 2.0K 2.8G 2.0G 125.1M 33.4M 52% lekker');
});
