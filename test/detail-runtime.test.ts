/**
 * The detail says what the growing region means: the runtime told from the
 * mappings (Node, CPython, a JVM) or Go's build-id note, the advice for
 * [anon] and [heap], the history behind the flag, and mapping names that stay
 * apart. Real Node and Python processes growing, read as the screen reads
 * them; Go's note looked for in the Prometheus binary installed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DetailTracker } from '../src/model/detail.js';
import { regionAdvice, runtimeOf } from '../src/model/runtime.js';
import { detailLines, mappingName } from '../src/output/detail.js';
import { DetailReader, isGoBinary } from '../src/reader/detail.js';
import { stop } from './helpers/leaker.js';

test('mapping names keep what tells them apart: 11 CPython extension modules at 30 characters', () => {
  const mods = ['_json', '_csv', '_ssl', '_hashlib', '_socket', '_struct', '_pickle', '_datetime', '_decimal', '_bz2', '_lzma'];
  const names = mods.map((m) => `/usr/lib/python3.11/lib-dynload/${m}.cpython-311-x86_64-linux-gnu.so`);
  const shown = names.map((n) => mappingName(n, 30));
  assert.equal(new Set(shown).size, names.length, shown.join('\n'));
  for (const s of shown) assert.ok(s.length <= 30, s);
  assert.equal(mappingName('/usr/lib/x86_64-linux-gnu/libc.so.6', 30), '…ib/x86_64-linux-gnu/libc.so.6', 'a path keeps its end');
  assert.equal(mappingName('[heap]', 30), '[heap]');
  // A wide screen shows whole paths: the name column grows to 100.
  const d = { pid: 1, cmd: 'x', time: 0, elapsed: 0, opened: 0, gone: false, kinds: { anon: {}, file: {}, shmem: {}, swap: {}, locked: {}, pagetables: {} }, vsize: {}, rss: {}, trend: [],
    mappings: names.map((name) => ({ name, kind: 'file' as const, count: 1, size: 4096, rss: 4096, swap: 0, grow: 0, since: 0, sizeSince: 0 })) };
  const wide = detailLines(d as never, 160, 20).join('\n');
  for (const n of names) assert.ok(wide.includes(n), `${n} whole at 160 columns`);
});

test('the runtime from the mappings, and what [anon] and [heap] growth mean in it', () => {
  const m = (...names: string[]) => names.map((name) => ({ name }));
  assert.equal(runtimeOf(m('/usr/bin/node', '/usr/lib/x86_64-linux-gnu/libc.so.6', '')), 'node');
  assert.equal(runtimeOf(m('/root/.pyenv/versions/3.11.9/bin/python3.11', '[heap]')), 'python');
  assert.equal(runtimeOf(m('/usr/bin/uwsgi', '/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0')), 'python');
  assert.equal(runtimeOf(m('/usr/lib/jvm/java-17/bin/java', '/usr/lib/jvm/java-17/lib/server/libjvm.so')), 'jvm');
  assert.equal(runtimeOf(m('/usr/bin/prometheus'), true), 'go');
  assert.equal(runtimeOf(m('/usr/sbin/nginx', '/usr/lib/x86_64-linux-gnu/libc.so.6')), undefined);
  assert.match(regionAdvice('node', '[anon]')!, /JS heap.*--heapsnapshot-signal.*inspector/);
  assert.match(regionAdvice('node', '[heap]')!, /native memory.*Buffers.*addons/);
  assert.match(regionAdvice('python', '[anon]')!, /object allocator.*tracemalloc.*memray/);
  assert.match(regionAdvice('python', '[heap]')!, /malloc.*tracemalloc.*memray/);
  assert.match(regionAdvice('jvm', '[anon]')!, /Java heap.*jcmd/);
  assert.match(regionAdvice('go', '[anon]')!, /Go heap.*pprof/);
  assert.match(regionAdvice(undefined, '[heap]')!, /malloc/);
  assert.equal(regionAdvice('node', '/usr/bin/node'), undefined, 'a file mapping: nothing to add');
});

test("Go's build-id note: found in a Go binary, not in Node, never read from a device", (t) => {
  assert.equal(isGoBinary(process.execPath), false);
  assert.equal(isGoBinary('/dev/zero'), false);
  assert.equal(isGoBinary('/nonexistent'), false);
  if (!existsSync('/usr/bin/prometheus')) return t.skip('no Go binary (prometheus) installed');
  assert.equal(isGoBinary('/usr/bin/prometheus'), true);
});

test('the history behind the flag: a suspect\'s rate, growth and duration; a young process says so', () => {
  const d = { pid: 1, cmd: 'x', time: 0, elapsed: 0, opened: 5, gone: false, kinds: { anon: {}, file: {}, shmem: {}, swap: {}, locked: {}, pagetables: {} }, vsize: {}, rss: {}, trend: [] };
  const lines = (h?: object) => detailLines(d as never, 120, 20, h as never).join('\n');
  assert.match(lines({ trate: 2.3 * 1048576, tgrow: 550 * 1048576, leak: true, growing: 240, window: 600 }), /HISTORY {3}leak suspect for 4m: \+2\.3M\/s \(\+550\.0M over the 10m window\)/);
  assert.match(lines({ trate: 0, tgrow: 0, leak: false, window: 600 }), /HISTORY {3}\+0B\/s \(\+0B over the 10m window\), not a suspect/);
  assert.match(lines({ leak: false }), /HISTORY {3}too young/);
  assert.doesNotMatch(lines(), /HISTORY/, '--detail alone keeps no history');
});

/** Starts `cmd` and resolves once it printed "ready". */
async function started(cmd: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} not ready`)), 20000);
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && (clearTimeout(timer), resolve()));
    child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`${cmd} exited with ${code}`))));
  });
  return child;
}

/** Reads the detail of `pid` as the screen does, `n` times `ms` apart; returns the last text. */
async function detailOf(pid: number, n: number, ms: number): Promise<string> {
  const reader = new DetailReader('/proc', '/sys');
  const tracker = new DetailTracker(Date.now());
  let d = tracker.update(reader.read(pid));
  for (let i = 1; i < n; i++) {
    await new Promise((r) => setTimeout(r, ms));
    d = tracker.update(reader.read(pid));
  }
  return detailLines(d, 200, 10).join('\n');
}

test('a real Node process growing its JS heap: [anon] on top, said to be the JS heap', { timeout: 60_000 }, async () => {
  const node = await started(process.execPath, ['-e', `
    const keep = []; console.log('ready');
    setInterval(() => { for (let i = 0; i < 20000; i++) keep.push({ i, s: 'x' + i }); }, 50);`]);
  try {
    const text = await detailOf(node.pid!, 4, 700);
    assert.match(text, /^\s+\[anon\]\s+anon/m, text);
    assert.match(text, /MEANS {5}\[anon\] growth in Node is the JS heap/, text);
  } finally {
    await stop(node);
  }
});

test('a real CPython process growing through malloc: said to be the object allocator or malloc, with tracemalloc and memray', { timeout: 60_000 }, async (t) => {
  const python = await started('python3', ['-c', `
import time, sys
keep = []
print('ready', flush=True)
while True:
    keep.extend(bytes(700) + bytes([i % 256]) for i in range(20000))
    time.sleep(0.05)`]).catch(() => undefined);
  if (!python) return t.skip('no python3 here');
  try {
    const text = await detailOf(python.pid!, 4, 700);
    assert.match(text, /MEANS {5}\[(anon|heap)\] (growth in CPython is|growth in CPython is malloc)/, text);
    assert.match(text, /tracemalloc/, text);
  } finally {
    await stop(python);
  }
});
