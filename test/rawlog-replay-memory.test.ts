/**
 * A replay holds about what the recorder held (issue 21): a fake /proc of
 * 50,000 processes recorded in 232 MB took 946 MB to replay. Two causes,
 * each checked here on a recording of thousands of processes (the 50,000
 * are measured by hand): decoded processes were built a field at a time,
 * which V8 turns into a hash table past 16 fields (some 1.6 KB a process,
 * five times the sampler's); and six decoded samples were kept whatever
 * their size.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeDelta, decodeKeyframe, encodeDelta, encodeKeyframe } from '../src/rawlog/encoding.js';
import { RawLog, fdSource } from '../src/rawlog/reader.js';
import { Sampler } from '../src/reader/sampler.js';
import type { Sample } from '../src/sample.js';
import { record, sampleMoments, tempDir } from './helpers/rawlog.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';
import { openSync } from 'node:fs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes that `make` leaves reachable (what it returns, kept until measured). */
function retained(make: () => unknown): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.ok(kept !== undefined);
  return after - before;
}

test('a decoded sample takes no more memory than the sampler\'s own (keyframe and delta)', { timeout: 120_000 }, () => {
  const N = 4000;
  const procs = Array.from({ length: N }, (_, i) => ({
    pid: 1000 + i, comm: `proc${i % 300}`, rss: 1000 + i, vsize: 5000 + i, minflt: i, utime: i % 97, stime: i % 13,
    uid: i % 3 ? 1000 : 0, anonKb: 100, swapKb: 0,
  }));
  const dir = makeTree(fakeProcFiles({ uptime: 5000, procs }));
  try {
    const sampler = new Sampler({ proc: dir, sys: join(dir, 'nosys') });
    const needs = { io: true, cmdline: true };
    const key = sampler.sample(needs);
    const next = sampler.sample(needs);
    const keyText = encodeKeyframe(key);
    const deltaText = encodeDelta(key, next)!;
    const COPIES = 4;
    const sampled = retained(() => Array.from({ length: COPIES }, () => sampler.sample(needs)));
    const decoded = retained(() => Array.from({ length: COPIES }, () => decodeKeyframe(keyText)));
    // A delta shares nothing with its keyframe's objects here: each copy decodes its own keyframe.
    const deltas = retained(() => Array.from({ length: COPIES }, () => decodeDelta(decodeKeyframe(keyText), deltaText)));
    const per = (bytes: number) => (bytes / COPIES / N).toFixed(0);
    process.stdout.write(`# bytes a process: sampled ${per(sampled)}, decoded keyframe ${per(decoded)}, decoded delta ${per(deltas)}\n`);
    assert.equal(decodeKeyframe(keyText).procs.length, N);
    // Before: 5 times the sampled size (hash-table objects); now at most about the same.
    assert.ok(decoded < sampled * 1.5, `decoded keyframe ${per(decoded)} vs sampled ${per(sampled)} bytes a process`);
    assert.ok(deltas < sampled * 1.5, `decoded delta ${per(deltas)} vs sampled ${per(sampled)} bytes a process`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('odd column names still decode (key by key), and a __proto__ column sets no prototype', () => {
  const s = sampleMoments(1, { nprocs: 3 })[0]!;
  const text = encodeKeyframe(s).replace('"cols":["pid"', '"cols":["pid-x"').replace(/"cols":\[([^\]]*)\]/, (m, cols: string) => m.replace(cols, cols.replace('"comm"', '"__proto__"')));
  const d = decodeKeyframe(text);
  const p = d.procs[0] as unknown as Record<string, unknown>;
  assert.equal(typeof p['pid-x'], 'number');
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
});

test('a replay of big samples keeps two decoded, not six', { timeout: 120_000 }, () => {
  const N = 40_000;
  const base = sampleMoments(1, { nprocs: 8 })[0]!;
  const samples: Sample[] = Array.from({ length: 6 }, (_, k) => ({
    ...base,
    time: base.time + k * 10_000,
    procs: Array.from({ length: N }, (_, i) => {
      const t = base.procs[i % base.procs.length]!;
      return { ...t, pid: 1000 + i, rss: (t.rss ?? 0) + i + k * (i % 7), minflt: k * i, cmdline: `/usr/bin/p${i % 300} -w ${i}` };
    }),
  }));
  const file = join(tempDir(), 'big');
  record(file, samples, { keyframeEvery: 3 });
  const open = () => new RawLog(fdSource(openSync(file, 'r')), file);
  assert.equal(open().length, 6);
  const firstLog = open();
  const one = retained(() => firstLog.get(1));
  // Every sample decoded once, in order, as a replay steps: what stays is the cache.
  const all = retained(() => {
    const log = open();
    for (let i = 0; i < 6; i++) assert.equal(log.get(i)?.procs.length, N);
    return log;
  });
  const mib = (n: number) => (n / 1024 ** 2).toFixed(1);
  process.stdout.write(`# ${N} processes: one decoded sample ${mib(one)} MiB; a replay that stepped through six keeps ${mib(all)} MiB\n`);
  // Two kept (an interval's two), not six.
  assert.ok(all < one * 2.5, `${mib(all)} MiB kept after stepping, one sample ${mib(one)} MiB`);
});
