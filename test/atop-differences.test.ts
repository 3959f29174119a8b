/** Where memtop's figures differed from atop's, now computed as atop does: fake /proc trees at two moments. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInterval } from '../src/model/interval.js';
import { renderText } from '../src/output/text.js';
import { plainSysLine } from '../src/output/sysfield.js';
import { systemLines } from '../src/output/syslines.js';
import { VIEWS } from '../src/columns/views.js';
import { Sampler } from '../src/reader/sampler.js';
import { fakeInterval, fakeProcFiles, makeTree, type FakeMoment } from './helpers/trees.js';

test('pgin/pgout: each KiB total in pages, then subtracted (vmstat pgpgin 1317457 -> 1317460 is atop\'s pgin 1)', () => {
  const at = (uptime: number, pgpgin: number, pgpgout: number): FakeMoment => ({ uptime, procs: [], vmstat: { pgpgin, pgpgout } });
  const iv = fakeInterval(at(100, 1317457, 4000), at(110, 1317460, 4003));
  assert.equal(iv.pag.pgin, 1, '329365 pages -> 329366');
  assert.equal(iv.pag.pgout, 0, '1000 pages -> 1000');
  // Over several intervals the pages add up to the pages of the whole span, as atop's.
  const totals = [1317457, 1317460, 1317463, 1317466, 1317469];
  let sum = 0;
  for (let i = 1; i < totals.length; i++) sum += fakeInterval(at(i, totals[i - 1]!, 0), at(i + 1, totals[i]!, 0)).pag.pgin;
  assert.equal(sum, Math.trunc(1317469 / 4) - Math.trunc(1317457 / 4));
});

const DEV_HEAD = 'Inter-|   Receive |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
const devLine = (name: string, rb: number, rp: number, sb: number, sp: number) => `  ${name}: ${rb} ${rp} 0 0 0 0 0 0 ${sb} ${sp} 0 0 0 0 0 0\n`;

test('NET: interfaces by busy% when the speeds are known, by bytes when not, known speeds first; not by packets', () => {
  const a: FakeMoment = {
    uptime: 100, procs: [],
    extra: { 'net/dev': DEV_HEAD + ['eth0', 'eth1', 'tun0', 'tun1'].map((n) => devLine(n, 0, 0, 0, 0)).join('') },
  };
  const b: FakeMoment = {
    uptime: 110, procs: [],
    extra: {
      'net/dev': DEV_HEAD +
        // eth0: many small packets on a fast link (1% busy); eth1: few big ones on a slow link (80% busy).
        devLine('eth0', 12_500_000, 90000, 0, 0) +
        devLine('eth1', 10_000_000, 100, 0, 0) +
        // No speed: tun1 moved more bytes than tun0, in fewer packets.
        devLine('tun0', 1_000, 5000, 1_000, 5000) +
        devLine('tun1', 900_000, 10, 0, 0),
    },
  };
  const sys = makeTree({
    'class/net/eth0/speed': '1000\n', 'class/net/eth0/duplex': 'full\n',
    'class/net/eth1/speed': '10\n', 'class/net/eth1/duplex': 'full\n',
  });
  const samples = [a, b].map((m) => new Sampler({ proc: makeTree(fakeProcFiles(m)), sys }).sample());
  const ifs = buildInterval(samples[0], samples[1]!).ifs;
  assert.deepEqual(ifs.map((i) => i.name), ['eth1', 'eth0', 'tun1', 'tun0']);
  assert.equal(ifs[0]!.busy, 80);
});

test('DSK: an MBr/s too wide for its box widens the box instead of losing the space after the name', () => {
  // 20000 MiB/s read for 10 s: 409600000 sectors.
  const disk = (sectors: number, reads: number) => `   8       0 sda ${reads} 0 ${sectors} 0 10 0 80 0 0 1000 2000\n`;
  const a: FakeMoment = { uptime: 10, procs: [], diskstats: disk(0, 1) };
  const b: FakeMoment = { uptime: 20, procs: [], diskstats: disk(409_600_000, 100_001) };
  const iv = fakeInterval(a, b);
  assert.equal(iv.dsk[0]!.mbrs, 20000);
  const dsk = systemLines(iv, {}).find((l) => l.label === 'DSK')!;
  const field = dsk.fields.find((f) => f.text.startsWith('MBr/s'))!;
  assert.equal(field.text, 'MBr/s 20000.0', 'atop\'s "MBr/s %6.1f": 13 characters');
  const wide = plainSysLine(dsk, 230);
  assert.match(wide, /\| MBr\/s 20000\.0 \|/);
  const normal = fakeInterval(a, { ...b, diskstats: disk(2_048_000, 100_001) });
  const f2 = systemLines(normal, {}).find((l) => l.label === 'DSK')!.fields.find((f) => f.text.startsWith('MBr/s'))!;
  assert.equal(f2.text, 'MBr/s  100.0', 'a value that fits keeps the 12-character box');
  assert.ok(renderText(iv, { width: 230, view: VIEWS.generic }).includes('MBr/s 20000.0'));
});
