/**
 * docs/ARCHITECTURE.md's worked example (a status gauge, RssShmem as SHMSZ,
 * in three edits) against the code: each edit it shows is in the file it
 * names, and the figure it adds reaches every output from those three
 * places alone: the sample, the raw log, the interval row, the memory view,
 * --json and the exposition; an older recording without it replays as
 * unknown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_GAUGES, parsePidStatus } from '../src/procfs/pid.js';
import { decodeKeyframe, encodeKeyframe } from '../src/rawlog/encoding.js';
import { buildInterval } from '../src/model/interval.js';
import { intervalJson } from '../src/output/json.js';
import { renderText } from '../src/output/text.js';
import { renderExposition } from '../src/export/exposition.js';
import { VIEWS } from '../src/columns/views.js';
import { Sampler } from '../src/reader/sampler.js';
import { FIXTURES, fakeProcFiles, makeTree } from './helpers/trees.js';

const ROOT = join(import.meta.dirname, '..');
const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
const example = doc.slice(doc.indexOf('## Worked example'));
const KINDS = readFileSync(join(FIXTURES, 'procfs', 'status-6.x-kinds'), 'utf8');

test('the worked example names files that exist, and each edit it shows is in its file', () => {
  assert.ok(example.length > 100, 'docs/ARCHITECTURE.md has its worked example');
  const files = [...new Set([...example.matchAll(/`((?:src|test)\/[\w/.-]+\.ts)`/g)].map((m) => m[1]!))];
  assert.ok(files.length >= 4, `the example names its files (${files.join(', ')})`);
  for (const f of files) assert.ok(existsSync(join(ROOT, f)), `${f} exists`);
  // The edits, as the example shows them (inline code after "Edit N"), are in the code word for word.
  const edits = [...example.matchAll(/^\d\. \*\*Edit \d[^*]*\*\* \(`([^`]+)`\): `([^`]+)`/gm)].map((m) => ({ file: m[1]!, code: m[2]! }));
  assert.equal(edits.length, 3, 'three edits');
  for (const { file, code } of edits) {
    const src = readFileSync(join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
    assert.ok(src.includes(code.replace(/\s+/g, ' ')), `${file} holds ${code}`);
  }
  const count = /\*\*(\w+) edits in (\w+) files\*\*/.exec(example);
  assert.deepEqual(count?.slice(1), ['three', 'three'], 'the example states its count of places');
});

test('every status gauge is parsed from a current kernel\'s status in bytes, and a 2.6 kernel leaves the new ones unknown', () => {
  const s = parsePidStatus(KINDS);
  for (const [line, field] of Object.entries(STATUS_GAUGES)) {
    const kb = Number(new RegExp(`^${line}:\\s+(\\d+) kB`, 'm').exec(KINDS)![1]);
    assert.equal(s[field], kb * 1024, line);
  }
  assert.equal(s.rssShmem, 1792 * 1024);
  const old = parsePidStatus(readFileSync(join(FIXTURES, 'procfs', 'status-2.6.32-noswap'), 'utf8'));
  assert.equal(old.rssShmem, undefined, 'no RssShmem before 4.5: unknown, not zero');
  const kthread = parsePidStatus(readFileSync(join(FIXTURES, 'procfs', 'status-kthread'), 'utf8'));
  for (const field of Object.values(STATUS_GAUGES)) assert.equal(kthread[field], 0, `a kernel thread's ${field}`);
});

/** Two samples of a fake machine whose process 300 has the status of a real 6.x process (RssShmem 1792 kB). */
function samples() {
  const moment = (uptime: number) => {
    const files = fakeProcFiles({ uptime, procs: [{ pid: 1, comm: 'init' }, { pid: 300, comm: 'leaker', rss: 1331, vsize: 1646 }] });
    files['300/status'] = KINDS.replace(/^Pid:.*$/m, 'Pid:\t300');
    return makeTree(files);
  };
  return [moment(1000), moment(1010)].map((proc, i) => new Sampler({ proc, sys: join(proc, 'nosys'), kmsg: false, now: () => 1e12 + i * 1e4 }).sample());
}

test('RssShmem reaches the sample, the raw log, the row, the memory view, --json and the exposition', () => {
  const [a, b] = samples();
  assert.equal(b!.procs.find((p) => p.pid === 300)!.rssShmem, 1792 * 1024, 'the sample carries what the parser returned');
  const replayed = decodeKeyframe(encodeKeyframe(b!));
  assert.equal(replayed.procs.find((p) => p.pid === 300)!.rssShmem, 1792 * 1024, 'recorded and replayed');
  const iv = buildInterval(a, b!);
  const row = iv.procs.find((p) => p.pid === 300)!;
  assert.equal(row.rssShmem, 1792 * 1024, 'on the interval row under its parser name');
  const json = intervalJson(iv) as { procs: Record<string, unknown>[] };
  const proc = json.procs.find((p) => p.pid === 300)!;
  assert.equal(proc.shmsz, 1792 * 1024);
  const keys = Object.keys(proc);
  assert.equal(keys.indexOf('shmsz'), keys.indexOf('swapsz') + 1, 'in JSON where the entry stands in the registry');
  const text = renderText(iv, { width: 250, view: VIEWS.memory, allProcs: true }).split('\n');
  const header = text.find((l) => l.includes(' SHMSZ'))!;
  assert.ok(header, 'the memory view shows SHMSZ where there is room');
  const line = text.find((l) => /leaker\s*$/.test(l))!;
  const at = header.indexOf(' SHMSZ') + 1;
  assert.equal(line.slice(at - 1, at + 5).trim(), '1.8M');
  // The widest terminal without SHMSZ still has every other column of the view: SHMSZ gives way first.
  const headerAt = (width: number) => renderText(iv, { width, view: VIEWS.memory, allProcs: true }).split('\n').find((l) => /^\s*PID /.test(l))!;
  let width = 250;
  while (headerAt(width).includes('SHMSZ')) width--;
  const others = header.trim().split(/\s+/).filter((n) => n !== 'SHMSZ');
  assert.deepEqual(headerAt(width).trim().split(/\s+/), others);
  const expo = renderExposition(iv, b!, { top: 20, format: 'prometheus', sampleSeconds: 0, oomVictims: new Map() });
  assert.match(expo, /^# TYPE memtop_process_shmem_bytes gauge$/m);
  assert.match(expo, /^memtop_process_shmem_bytes\{pid="300",comm="leaker"\} 1835008$/m);
});

test('an older recording, made before RssShmem was sampled, replays it as unknown', () => {
  const [a, b] = samples();
  // A recording of an older memtop: its process columns lack rssShmem (and euid).
  const strip = (s: typeof a) => ({ ...s!, procs: s!.procs.map(({ rssShmem: _r, euid: _e, ...p }) => p) });
  const [oa, ob] = [a, b].map((s) => decodeKeyframe(encodeKeyframe(strip(s))));
  const iv = buildInterval(oa, ob!);
  const proc = (intervalJson(iv) as { procs: Record<string, unknown>[] }).procs.find((p) => p.pid === 300)!;
  assert.equal(proc.shmsz, null);
  assert.equal(proc.swapsz, 0, 'the figures the recording has are still there');
  const text = renderText(iv, { width: 250, view: VIEWS.memory, allProcs: true }).split('\n');
  const header = text.find((l) => l.includes(' SHMSZ'))!;
  const line = text.find((l) => /leaker\s*$/.test(l))!;
  const at = header.indexOf(' SHMSZ') + 1;
  assert.equal(line.slice(at - 1, at + 5).trim(), '?');
});

test('the sample holds every key the parsers return, the row every status gauge; literalCopier takes identifiers only', async () => {
  const { literalCopier } = await import('../src/sample.js');
  const { PID_STAT_KEYS, PID_STATUS_KEYS } = await import('../src/procfs/pid.js');
  const [a, b] = samples();
  const p = b!.procs.find((x) => x.pid === 300)!;
  for (const key of [...PID_STAT_KEYS, ...PID_STATUS_KEYS]) assert.ok(key in p, `the sample has ${key}`);
  const row = buildInterval(a, b!).procs.find((x) => x.pid === 300)!;
  for (const key of Object.values(STATUS_GAUGES)) assert.ok(key in row, `the row has ${key}`);
  const copy = literalCopier([['x'], ['y']], ['z'])({ x: 1 }, { y: 2 });
  assert.deepEqual(copy, { x: 1, y: 2, z: undefined });
  assert.throws(() => literalCopier([['a; process.exit()']]), /not an identifier/);
  assert.throws(() => literalCopier([['a'], ['a']]), /twice/);
});
