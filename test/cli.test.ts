/** The command line end to end: outputs on fixture roots, and one-line errors with exit code 2. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { memtop as run } from './helpers/cli.js';
import { CASE_STUDY } from './helpers/trees.js';

const memtop = (...args: string[]) => run(args);

const root = (moment: string) => ['--proc', join(CASE_STUDY, moment), '--sys', join(CASE_STUDY, 'sys')];

test('bad input: one line naming what is wrong and what is valid, exit 2, no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /unknown option '--bogus'/],
    [['abc'], /invalid interval 'abc': give seconds/],
    [['0'], /invalid interval '0'/],
    [['1', 'x'], /invalid number of samples 'x'/],
    [['--sort', 'nosuch'], /unknown column 'nosuch': valid columns are PID .*RGROW/],
    [['-m', '--sort', 'cpu'], /column 'CPU' is not in the memory view: valid there are PID MINFLT/],
    [['--view', 'x'], /unknown view 'x': valid views are generic \(g\), memory/],
    [['--proc', '/nonexistent-root'], /cannot read \/nonexistent-root\/stat: not a proc root/],
    [['--json', '--text'], /--json and --text exclude each other/],
    [['--memcrit', '150'], /invalid --memcrit '150'/],
    [['--width', '3'], /invalid --width '3'/],
  ];
  for (const [args, message] of cases) {
    const r = memtop(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.equal(r.err.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^memtop: /);
    assert.doesNotMatch(r.err, /\bat .*\.js:\d+/);
  }
});

test('--version and --help', () => {
  const v = memtop('--version');
  assert.equal(v.code, 0);
  assert.match(v.out.trim(), /^\d+\.\d+\.\d+$/);
  const h = memtop('--help');
  assert.equal(h.code, 0);
  for (const word of ['--json', '--text', '--sort', '--proc', 'Examples:', 'memtop -m --sort rgrow']) assert.ok(h.out.includes(word), word);
});

test('--json: one object per sample per line, schema as documented', () => {
  const r = memtop('--json', ...root('t151232'), '0.1', '2');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0]!);
  const second = JSON.parse(lines[1]!);
  assert.deepEqual(Object.keys(first), ['host', 'time', 'elapsed', 'mem', 'swp', 'pag', 'dsk', 'lvm', 'mdd', 'procs', 'exited', 'forecast', 'cgroups']);
  assert.deepEqual(first.cgroups, [], 'the case study\'s tree has no cgroup mounts');
  assert.equal(first.host, 'sammy');
  assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(first.elapsed, 100020, 'the first sample covers the time since boot');
  assert.equal(second.elapsed, 0, 'the same tree read twice: no time passed');
  assert.deepEqual(Object.keys(first.mem), ['tot', 'free', 'avail', 'cache', 'buff', 'slab', 'shmem', 'dirty', 'badness']);
  assert.equal(first.mem.tot, 3985408 * 1024);
  assert.equal(first.mem.avail, null, 'unknown on a kernel without MemAvailable');
  assert.deepEqual(Object.keys(first.pag), ['scan', 'steal', 'stall', 'swin', 'swout', 'badness']);
  assert.deepEqual(Object.keys(first.lvm[0]), ['name', 'busy', 'read', 'write', 'kibr', 'kibw', 'avq', 'avio', 'badness']);
  const lekker = first.procs.find((p: { pid: number }) => p.pid === 31048);
  for (const key of ['pid', 'ppid', 'user', 'state', 'cmd', 'minflt', 'majflt', 'vstext', 'vslibs', 'vdata', 'vstack', 'locksz', 'vsize', 'rsize', 'vgrow', 'rgrow', 'swapsz', 'mem', 'syscpu', 'usrcpu']) {
    assert.ok(key in lekker, key);
  }
  assert.equal(lekker.cmd, 'lekker');
  assert.deepEqual([lekker.trate, lekker.tgrow, lekker.leak], [null, null, false], 'no history yet');
  assert.deepEqual(first.exited, []);
  assert.deepEqual(Object.keys(first.forecast), ['exhaust', 'rate', 'left']);
  assert.equal(first.forecast.exhaust, null);
  assert.equal(lekker.rsize, 82125 * 4096);
  assert.equal(lekker.rgrow, lekker.rsize, 'new on the first sample');
  assert.equal(second.procs.find((p: { pid: number }) => p.pid === 31048).rgrow, 0);
  assert.equal(first.procs.length, 14, 'every live process');
});

test('--text: atop-like screens; stdout not a terminal falls back to text', () => {
  const r = memtop('--text', '-m', '--sort', 'RGROW', ...root('t151232'), '0.1', '1');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^MEMTOP - sammy /);
  assert.match(r.out, /\*\*\* System and Process Activity since Boot \*\*\*/);
  assert.match(r.out, /^MEM \| tot +3\.8G \| free +56\.5M \|/m);
  const piped = memtop(...root('t151232'), '0.1', '1');
  assert.equal(piped.code, 0, piped.err);
  assert.match(piped.out, /^PRC \| sys/m, 'text, not a screen, when stdout is a pipe');
});

test('--width fits the boxes and drops low-priority columns', () => {
  const narrow = memtop('--text', '-m', '--width', '60', ...root('t151232'), '0.1', '1').out.split('\n');
  const wide = memtop('--text', '-m', '--width', '200', ...root('t151232'), '0.1', '1').out.split('\n');
  assert.ok(narrow.filter((l) => l.includes(' | ')).every((l) => l.length <= 60));
  assert.equal(narrow.find((l) => l.startsWith('MEM |'))!.split(' | ').length - 1, 3, '(60-5)/15 = 3 boxes');
  const header = (lines: string[]) => lines.find((l) => l.includes('VSIZE'))!;
  assert.ok(!header(narrow).includes('MINFLT'));
  for (const col of ['VSLIBS', 'VDATA', 'VSTACK', 'LOCKSZ', 'SWAPSZ']) assert.ok(header(wide).includes(col), col);
});

test('--info prints static host facts once (systeminformation, outside the sampling path)', () => {
  const r = memtop('--info');
  assert.equal(r.code, 0, r.err);
  for (const key of ['host', 'os', 'kernel', 'cpu', 'cores', 'memory']) assert.match(r.out, new RegExp(`^${key} +\\S`, 'm'));
});

test('--text lists what the view lists: active processes, all with -a, all in the memory view; JSON holds all', () => {
  // Two samples of one still root: the second interval has no active process.
  const rows = (out: string) => {
    const blocks = out.trimEnd().split('\n\n');
    const last = blocks[blocks.length - 1]!.split('\n');
    const head = last.findIndex((l) => /^\s*PID /.test(l));
    return last.slice(head + 1).filter((l) => l.trim() !== '');
  };
  const all = memtop('--text', ...root('t151232'), '0.1', '2', '-m').out;
  const count = rows(all).length;
  assert.ok(count > 10, `memory view: ${count} rows`);
  assert.equal(rows(memtop('--text', ...root('t151232'), '0.1', '2').out).length, 0, 'generic view: nothing was active');
  assert.equal(rows(memtop('--text', ...root('t151232'), '0.1', '2', '-a').out).length, count, '-a lists every process');
  const json = memtop('--json', ...root('t151232'), '0.1', '2').out.trim().split('\n');
  assert.equal(JSON.parse(json[1]!).procs.length, count, 'JSON: every process');
});
