/** Raw log round trip: what is recorded replays as the same samples and the same JSON as live. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildInterval } from '../src/model/interval.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import { intervalJson } from '../src/output/json.js';
import { MemoryHistory } from '../src/model/leaks.js';
import { decodeDelta, decodeKeyframe, encodeDelta, encodeKeyframe } from '../src/rawlog/encoding.js';
import { decodeFileHeader, FORMAT_MAJOR } from '../src/rawlog/format.js';
import { diff, patch, SAME, type Json } from '../src/rawlog/patch.js';
import { RawLog } from '../src/rawlog/reader.js';
import { ReplayFeed } from '../src/run/feeds.js';
import type { Sample } from '../src/sample.js';
import { plain, readLog, record, sampleMoments, tempDir } from './helpers/rawlog.js';

/** As the live feed does: every interval through one memory history (TRATE, LEAK, the forecast). */
function liveJson(samples: Sample[]): unknown[] {
  const history = new MemoryHistory();
  return samples.map((s, i) => intervalJson(buildInterval(samples[i - 1], s, { thresholds: DEFAULT_THRESHOLDS, history })));
}

function replayJson(log: RawLog): unknown[] {
  const feed = new ReplayFeed(log, DEFAULT_THRESHOLDS);
  const out: unknown[] = [];
  for (let iv = feed.next(); iv; iv = feed.next()) out.push(intervalJson(iv));
  return out;
}

test('a recording of a fake /proc root replays as the same JSON as live', () => {
  const samples = sampleMoments(9);
  for (const keyframeEvery of [1, 3, 30]) {
    const file = join(tempDir(), 'rec');
    record(file, samples, { keyframeEvery });
    const log = readLog(file);
    assert.deepEqual(log.warnings, []);
    assert.equal(log.length, samples.length);
    for (let i = 0; i < samples.length; i++) {
      assert.deepEqual(log.get(i), plain(samples[i]), `sample ${i}, keyframe every ${keyframeEvery}`);
      assert.equal(log.timeOf(i), samples[i]!.time);
      assert.equal(log.startsRun(i), i === 0);
    }
    const keys = samples.map((_, i) => log.isKeyframe(i));
    const expected = samples.map((_, i) => i % keyframeEvery === 0);
    assert.deepEqual(keys, expected, `keyframes every ${keyframeEvery}`);
    assert.deepEqual(replayJson(log), liveJson(samples));
  }
});

test('the file header records the machine', () => {
  const samples = sampleMoments(2);
  const file = join(tempDir(), 'rec');
  record(file, samples, { writer: 'memtop test' });
  const h = decodeFileHeader(readFileSync(file), file);
  assert.equal(h.major, FORMAT_MAJOR);
  assert.equal(h.host, 'fakehost');
  assert.equal(h.pageSize, 4096);
  assert.equal(h.hz, 100);
  assert.equal(h.ncpu, 2);
  assert.equal(h.btime, 1700000000);
  assert.equal(h.created, samples[0]!.time);
  assert.equal(h.writer, 'memtop test');
});

test('deltas: decoded against their keyframe, also with a changed process order and duplicate pids', () => {
  const [a, b] = sampleMoments(2, { first: 3 });
  const key = decodeKeyframe(encodeKeyframe(a!));
  assert.deepEqual(key, plain(a));
  const shuffled = { ...b!, procs: [...b!.procs].reverse() };
  for (const cur of [b!, shuffled]) {
    const d = encodeDelta(a!, cur)!;
    assert.deepEqual(decodeDelta(key, d), plain(cur));
  }
  // New processes with fields no process of the keyframe had (columns beyond the keyframe's).
  const bare = {
    ...a!,
    procs: a!.procs.filter((p) => p.pid < 900 || p.pid > 902).map(({ rddsk: _r, wrdsk: _w, wcancl: _c, cmdline: _cmd, ...p }) => p),
  };
  const bareKey = decodeKeyframe(encodeKeyframe(bare));
  const d = encodeDelta(bare, b!)!;
  assert.match(d, /"x":\["rddsk","wrdsk","wcancl","cmdline"\]/);
  assert.deepEqual(decodeDelta(bareKey, d), plain(b));
  const dup = { ...b!, procs: [...b!.procs, b!.procs[0]!] };
  assert.equal(encodeDelta(a!, dup), undefined, 'duplicate pids: a keyframe is written instead');
});

test('patch(a, diff(a, b)) gives b for random JSON', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const value = (depth: number): Json => {
    const r = rnd();
    if (depth > 2 || r < 0.35) return Math.floor(rnd() * 2e6) - 1e6;
    if (r < 0.45) return rnd() * 100;
    if (r < 0.55) return ['=', 'x', 'abc', ''][Math.floor(rnd() * 4)]!;
    if (r < 0.6) return rnd() < 0.5;
    if (r < 0.63) return 2 ** 53 - 1 - Math.floor(rnd() * 3);
    if (r < 0.66) return -(2 ** 53 - 1);
    if (r < 0.8) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    const o: { [k: string]: Json } = {};
    for (const k of ['a', 'b', 'c', '=', 'd'].filter(() => rnd() < 0.5)) o[k] = value(depth + 1);
    return o;
  };
  const mutate = (v: Json, depth: number): Json => {
    if (rnd() < 0.3) return value(depth);
    if (Array.isArray(v)) return v.filter(() => rnd() < 0.8).map((x) => mutate(x, depth + 1)).concat(rnd() < 0.2 ? [value(depth)] : []);
    if (v !== null && typeof v === 'object') {
      const o: { [k: string]: Json } = {};
      for (const k in v) if (rnd() < 0.85) o[k] = mutate(v[k]!, depth + 1);
      if (rnd() < 0.2) o.e = value(depth);
      return o;
    }
    return rnd() < 0.5 ? v : value(depth);
  };
  for (let n = 0; n < 3000; n++) {
    const a = value(0);
    const b = mutate(a, 0);
    const d = diff(a, b);
    const back = d === SAME ? a : patch(a, JSON.parse(JSON.stringify(d)) as Json);
    assert.deepEqual(back, b, JSON.stringify({ a, b, d: d === SAME ? 'SAME' : d }));
  }
});

test('a delta naming a pid its keyframe lacks is a RecordError (a MemtopError: one line), not a plain Error', async () => {
  const { decodeDelta, encodeKeyframe, decodeKeyframe } = await import('../src/rawlog/encoding.js');
  const { RecordError } = await import('../src/rawlog/format.js');
  const { MemtopError } = await import('../src/messages.js');
  const key = decodeKeyframe(encodeKeyframe({
    time: 0, host: 'h', hz: 100, pageSize: 4096, ncpu: 1, uptime: 1, disks: [], procs: [{ pid: 1, comm: 'init', state: 'S' }],
  } as never));
  const bad = JSON.stringify({ s: {}, g: [], c: [[99, { rss: 1 }]], n: [] });
  assert.throws(() => decodeDelta(key, bad), (err) => err instanceof RecordError && err instanceof MemtopError && /pid 99/.test(err.message));
});
