/**
 * KSM, zswap and zram (atop 2.10+'s ksuse, kssav, zpool, zstor on SWP; htop's
 * zram meter): the mm_stat parser on the shapes of 4.19, 5.15 and 6.x, the
 * sampler on a fake sys tree (fixtures/sys-compression) and a meminfo with
 * zswap in use, and the figures on the SWP line, in --json and in the
 * exposition.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderExposition } from '../src/export/exposition.js';
import { buildInterval } from '../src/model/interval.js';
import { intervalJson } from '../src/output/json.js';
import { plainSysLine } from '../src/output/sysfield.js';
import { systemLines } from '../src/output/syslines.js';
import { parseMeminfo } from '../src/procfs/meminfo.js';
import { parseZramMmStat } from '../src/procfs/zram.js';
import { Sampler } from '../src/reader/sampler.js';
import { diskstatsLine } from './helpers/procfiles.js';
import { fakeProcFiles, FIXTURES, makeTree, squeeze } from './helpers/trees.js';

const fixture = (name: string) => readFileSync(join(FIXTURES, 'procfs', name), 'utf8');
const MiB = 1024 * 1024;

test('zram mm_stat: the first three figures of every kernel\'s shape, nothing from a line that is no mm_stat', () => {
  assert.deepEqual(parseZramMmStat(fixture('zram-mm_stat-4.19')), { origData: 4096000, comprData: 1024000, memUsed: 1200128 });
  assert.deepEqual(parseZramMmStat(fixture('zram-mm_stat-5.15')), { origData: 1073741824, comprData: 268435456, memUsed: 283115520 });
  assert.deepEqual(parseZramMmStat(fixture('zram-mm_stat-6.x')), { origData: 52428800, comprData: 10485760, memUsed: 11534336 });
  assert.deepEqual(parseZramMmStat(fixture('zram-mm_stat-6.x-empty')), { origData: 0, comprData: 0, memUsed: 0 });
  for (const bad of ['', '\n', '12 34\n', '-1 2 3\n', 'a b c d\n', '1.5 2 3\n', '99999999999999999999999 1 1\n']) {
    assert.equal(parseZramMmStat(bad), undefined, JSON.stringify(bad));
  }
});

test('meminfo\'s Zswap and Zswapped are read in bytes, absent on kernels without zswap', () => {
  const m = parseMeminfo(fixture('meminfo-6.x-zswap'));
  assert.equal(m.Zswap, 183112 * 1024);
  assert.equal(m.Zswapped, 602400 * 1024);
  assert.equal(parseMeminfo(fixture('meminfo-2.6.32')).Zswap, undefined);
});

/** Two samples of a fake proc root with zram0..2 in diskstats (zram2 without I/O) and the given sys root. */
function twoSamples(sys: string, meminfo = fixture('meminfo-6.x-zswap')) {
  const zram = (n: number, io: number) => diskstatsLine(252, n, `zram${n}`, [io, 0, io * 8, 0, io, 0, io * 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const files = fakeProcFiles({
    uptime: 100, procs: [{ pid: 1, comm: 'init' }],
    diskstats: `${[zram(0, 500), zram(1, 9), zram(2, 0)].join('\n')}\n`,
  });
  files.meminfo = meminfo;
  const root = makeTree(files);
  const sampler = new Sampler({ proc: root, sys, now: () => Date.UTC(2026, 0, 1) });
  const a = sampler.sample();
  const b = sampler.sample();
  return { sample: b, iv: buildInterval(a, b) };
}

test('KSM, zswap and zram from a fake sys tree: on the SWP line, in JSON and as gauges', () => {
  const { sample, iv } = twoSamples(join(FIXTURES, 'sys-compression'));
  // pages_shared 1536 and pages_sharing 20480 of 4 KiB pages; zram0 + zram1 (zram2 did no I/O: not read).
  assert.deepEqual(sample.ksm, { shared: 1536 * 4096, sharing: 20480 * 4096 });
  assert.deepEqual(sample.zram, { orig: 52428800 + 1073741824, compr: 10485760 + 268435456, used: 11534336 + 283115520 });
  assert.equal(sample.zswap, true);
  const s = iv.swp;
  assert.deepEqual(
    [s.zpool, s.zstor, s.ksuse, s.kssav, s.zrmem, s.zrdat],
    [183112 * 1024, 602400 * 1024, 6 * MiB, 80 * MiB, 11534336 + 283115520, 52428800 + 1073741824],
  );
  const swp = systemLines(iv).find((l) => l.label === 'SWP')!;
  const wide = squeeze(plainSysLine(swp, 200));
  assert.match(wide, /swcac [^|]+\| zpool 178\.8M \| zstor 588\.3M \| ksuse 6\.0M \| kssav 80\.0M \| zrmem 281\.0M \| zrdat 1\.0G \|.*vmcom/);
  // At 80 columns the line keeps atop's first figures and the commit pair.
  const narrow = plainSysLine(swp, 80);
  assert.equal(narrow.length <= 80, true);
  assert.match(narrow, /tot .*free .*vmcom .*vmlim/);
  const json = intervalJson(iv).swp as Record<string, number | null>;
  assert.deepEqual(
    [json.zpool, json.zstor, json.ksuse, json.kssav, json.zrmem, json.zrdat],
    [s.zpool, s.zstor, s.ksuse, s.kssav, s.zrmem, s.zrdat],
  );
  const text = renderExposition(iv, sample, { top: 5, format: 'prometheus' });
  for (const [family, value] of [
    ['memtop_zswap_pool_bytes', s.zpool], ['memtop_zswap_stored_bytes', s.zstor], ['memtop_ksm_shared_bytes', s.ksuse],
    ['memtop_ksm_sharing_bytes', s.kssav], ['memtop_zram_memory_used_bytes', s.zrmem], ['memtop_zram_data_bytes', s.zrdat],
  ] as const) {
    assert.match(text, new RegExp(`^# TYPE ${family} gauge$`, 'm'), family);
    assert.equal(Number(text.match(new RegExp(`^${family} (\\S+)$`, 'm'))?.[1]), value, family);
  }
});

test('where the kernel has none of them: nothing on the line, null in JSON, no figure exported', () => {
  const noZswap = fixture('meminfo-6.x-real').replace(/^Zswap.*\n/gm, '');
  const { sample, iv } = twoSamples(join(FIXTURES, 'case-study', 'sys'), noZswap);
  assert.equal(sample.ksm, undefined);
  assert.equal(sample.zram, undefined);
  assert.equal(sample.zswap, undefined);
  const line = plainSysLine(systemLines(iv).find((l) => l.label === 'SWP')!, 200);
  assert.doesNotMatch(line, /zpool|zstor|ksuse|kssav|zrmem|zrdat/);
  const json = intervalJson(iv).swp as Record<string, number | null>;
  assert.deepEqual([json.zpool, json.ksuse, json.zrmem], [null, null, null]);
  assert.doesNotMatch(renderExposition(iv, sample, { top: 5, format: 'prometheus' }), /^memtop_(ksm|zram|zswap)_\S+ \d/m);
});

test('zswap on with an empty pool is shown (0.0M); switched off with none left, it is not', () => {
  const on = twoSamples(join(FIXTURES, 'sys-compression'), fixture('meminfo-6.x-real')).iv;
  assert.equal(on.swp.zswapOn, true);
  assert.equal(on.swp.zpool, 0);
  assert.match(squeeze(plainSysLine(systemLines(on).find((l) => l.label === 'SWP')!, 200)), /zpool 0\.0M \| zstor 0\.0M/);
  const sys = makeTree({ 'module/zswap/parameters/enabled': 'N\n' });
  const off = twoSamples(sys, fixture('meminfo-6.x-real')).iv;
  assert.equal(off.swp.zswapOn, false);
  assert.doesNotMatch(plainSysLine(systemLines(off).find((l) => l.label === 'SWP')!, 200), /zpool|zstor/);
  assert.equal((intervalJson(off).swp as Record<string, number | null>).zpool, 0);
});
