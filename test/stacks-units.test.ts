/**
 * The pure parts of --stacks: bpftrace v0.17's real output (fixtures/trace, captured on this machine from
 * the program script.ts writes) read back, cut output, the program's probes, the runtimes, nm/addr2line/readelf
 * text, and the report's grouping and JSON shape.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAddr2line, parseLoadSegments, parseNm, symbolAt } from '../src/reader/symbols.js';
import { parseTraceOutput, traceEvent } from '../src/trace/output.js';
import { groupStacks, reportJson } from '../src/trace/report.js';
import { runtimeLines } from '../src/trace/runtime.js';
import { stacksScript } from '../src/trace/script.js';

const real = readFileSync(new URL('../fixtures/trace/bpftrace-0.17-stacks.txt', import.meta.url), 'utf8');

test('bpftrace output: stacks with bytes and counts joined, the sampling factor, complete', () => {
  const out = parseTraceOutput(real);
  assert.equal(out.complete, true);
  assert.equal(out.every, 1);
  assert.equal(out.stacks.length, 2);
  for (const s of out.stacks) {
    assert.ok(s.frames.length >= 1);
    assert.equal(typeof s.caller, 'bigint');
    assert.ok(s.count > 0 && s.bytes > 0);
  }
  const big = out.stacks.reduce((a, b) => (a.bytes > b.bytes ? a : b));
  assert.equal(big.bytes / big.count, 4096);
});

test('bpftrace output cut short (killed) is not complete; garbage gives nothing', () => {
  const cut = real.slice(0, real.indexOf('memtop-trace: counts') + 40);
  assert.equal(parseTraceOutput(cut).complete, false);
  assert.deepEqual(parseTraceOutput('@ob[12,\n\tnot a frame\n').stacks, []);
  assert.deepEqual(traceEvent('memtop-trace: armed every 7'), { kind: 'armed', every: 7 });
  assert.deepEqual(traceEvent('memtop-trace: tick 12'), { kind: 'tick', calls: 12 });
  assert.equal(traceEvent('Attaching 23 probes...'), undefined);
});

test('the program probes each entry point given, filters on the pid and arms from an interval probe', () => {
  const s = stacksScript({ pid: 42, every: 0, targetRate: 20000, bigBytes: 65536, mmapBytes: 65536, frames: 16,
    modules: [{ path: '/lib/libc.so.6', funcs: ['malloc', 'free', 'posix_memalign', 'mmap', 'munmap'], text: [[0x1000n, 0x2000n]] }] });
  for (const p of ['uprobe:/lib/libc.so.6:malloc /pid == 42/', 'uretprobe:/lib/libc.so.6:malloc /pid == 42 && @busy[tid]/', 'uprobe:/lib/libc.so.6:free /pid == 42 && arg0 != 0/',
    'uretprobe:/lib/libc.so.6:posix_memalign', 'uprobe:/lib/libc.so.6:munmap']) assert.ok(s.includes(p), p);
  assert.match(s, /\$c >= 0x1000 && \$c < 0x2000/);
  assert.match(s, /@every = @ncalls \/ 20000 \+ 1/);
  assert.ok(!s.includes('calloc'));
});

test('the recorded window is the kernel\'s: the program times it, stops recording itself and prints it', () => {
  const s = stacksScript({ pid: 42, every: 1, targetRate: 20000, bigBytes: 65536, mmapBytes: 65536, frames: 16, seconds: 4,
    modules: [{ path: '/lib/libc.so.6', funcs: ['malloc', 'free'], text: [[0x1000n, 0x2000n]] }] });
  assert.match(s, /interval:ms:100 \/@armed && nsecs - @t0 >= 4000000000\/ \{ @armed = 0; @t1 = nsecs; exit\(\); \}/);
  assert.match(s, /printf\("memtop-trace: window %d\\n"/);
  // The stack is walked once per recorded allocation; the sums are keyed by the stored copy.
  assert.equal((s.match(/ustack\(perf, 16\)/g) ?? []).length, 1, 'one walk in the whole program: malloc\'s return');
  assert.equal(parseTraceOutput(real).window, undefined);
  const withWindow = real.replace('memtop-trace: every', 'memtop-trace: window 6173\nmemtop-trace: every');
  assert.equal(parseTraceOutput(withWindow).window, 6.173);
});

test('runtimes with their own heap are named with their tool', () => {
  assert.match(runtimeLines({ exe: '/usr/bin/node', mapped: [], go: false })[0]!, /^Node\.js\/V8: .*heap snapshot/);
  assert.match(runtimeLines({ exe: '/usr/bin/python3.11', mapped: [], go: false })[0]!, /tracemalloc/);
  assert.match(runtimeLines({ exe: '/opt/java/bin/java', mapped: ['/opt/java/lib/server/libjvm.so'], go: false })[0]!, /jcmd/);
  assert.match(runtimeLines({ exe: '/usr/local/bin/svc', mapped: [], go: true })[0]!, /pprof/);
  assert.deepEqual(runtimeLines({ exe: '/usr/bin/allocs', mapped: ['/usr/lib/x86_64-linux-gnu/libc.so.6'], go: false }), []);
});

test('binutils text: load segments, nm symbols, addr2line lines', () => {
  const segs = parseLoadSegments('  LOAD           0x000000 0x0000000000000000 0x0000000000000000 0x000628 0x000628 R   0x1000\n  LOAD           0x001000 0x0000000000001000 0x0000000000001000 0x0002d5 0x0002d5 R E 0x1000\n');
  assert.deepEqual(segs[1], { offset: 0x1000n, vaddr: 0x1000n, filesz: 0x2d5n });
  const syms = parseNm('0000000000001169 0000000000000013 T leak_here\n0000000000001180 T main\n0000000000004010 B sink\n');
  assert.equal(symbolAt(syms, 0x1170n)?.name, 'leak_here');
  assert.equal(symbolAt(syms, 0x117fn), undefined, 'past its size');
  assert.equal(symbolAt(syms, 0x1190n)?.name, 'main');
  assert.deepEqual(parseAddr2line('leak_here\n/tmp/x/allocs.c:31 (discriminator 2)\nmain\n??:0\n', 2), [{ fn: 'leak_here', where: 'allocs.c:31' }, { fn: 'main', where: undefined }]);
});

test('the report: stacks grouped by their named frames, nothing held dropped, largest first; the JSON shape', () => {
  const stacks = groupStacks([
    { caller: 1n, frames: [1n, 2n], bytes: 100, count: 1 },
    { caller: 3n, frames: [3n, 2n], bytes: 400, count: 4 },
    { caller: 5n, frames: [5n], bytes: 0, count: 0 },
  ], (a) => (a === 3n ? 'leak_here (a.c:1)' : a === 1n ? 'leak_here (a.c:1)' : `f${a}`));
  assert.deepEqual(stacks, [{ bytes: 500, count: 5, frames: ['leak_here (a.c:1)', 'f2'] }]);
  const j = reportJson({ pid: 7, cmd: 'a', seconds: 2.04, began: 1, sampled: 1, stacks, runtimes: [] });
  assert.deepEqual(Object.keys(j), ['pid', 'cmd', 'seconds', 'began', 'sampled', 'stacks']);
});
