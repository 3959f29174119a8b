/**
 * The field registry: folds on a row kind of its own (it is generic), the
 * process registry's derived outputs (JSON keys, metric names, folds), and
 * the compile-time check that a view names only registry columns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { aggregateProcs } from '../src/columns/aggregate.js';
import { allColumns, columnOf, sortProcs } from '../src/columns/process.js';
import { foldRows, jsonFields, rowJson, type Field } from '../src/columns/registry.js';
import { LINE_LAYOUTS, MEM_FIELDS, PAG_FIELDS, partJson, SWP_FIELDS } from '../src/columns/system.js';
import { VIEWS } from '../src/columns/views.js';
import { proc } from './helpers/procs.js';

interface Group {
  name: string;
  usage: number;
  limit?: number;
  peak?: number;
  owner?: string;
}

const num = (k: 'usage' | 'limit' | 'peak') => (g: Group) => g[k];
const GROUP_FIELDS: Field<Group>[] = [
  { name: 'NAME', width: 8, json: 'name', get: (g) => g.name, format: (g) => g.name },
  { name: 'USAGE', width: 6, key: 'usage', fold: 'sum', json: 'usage', get: num('usage'), format: String },
  { name: 'LIMIT', width: 6, key: 'limit', fold: 'sumKnown', json: 'limit', get: num('limit'), format: String },
  { name: 'PEAK', width: 6, key: 'peak', fold: 'max', get: num('peak'), format: String },
  { name: 'OWNER', width: 6, key: 'owner', fold: 'first', get: (g) => g.owner, format: String },
];

test('a registry of another row kind folds, and writes JSON, by the same rules', () => {
  const rows: Group[] = [
    { name: 'a', usage: 10, peak: 3, owner: 'x' },
    { name: 'b', usage: 5, limit: 7, peak: 9, owner: 'y' },
    { name: 'c', usage: 1 },
  ];
  const folded = foldRows(GROUP_FIELDS, { name: 'all' } as Group, rows);
  assert.deepEqual(folded, { name: 'all', usage: 16, limit: 7, peak: 9, owner: 'x' });
  const none = foldRows(GROUP_FIELDS, { name: 'none' } as Group, [{ name: 'c', usage: 1 }]);
  assert.equal(none.limit, undefined, 'a sum of unknowns stays unknown');
  assert.equal(none.peak, undefined);
  assert.deepEqual(rowJson(jsonFields(GROUP_FIELDS), rows[0]!), { name: 'a', usage: 10, limit: null });
});

test('process registry: unique names, JSON keys and metric names; every fold has a key', () => {
  const cols = allColumns();
  const unique = (xs: (string | undefined)[]) => new Set(xs).size === xs.length;
  assert.ok(unique(cols.map((c) => c.name)));
  assert.ok(unique(jsonFields(cols).map((c) => c.json)));
  assert.ok(unique(cols.filter((c) => c.metric).map((c) => c.metric!.name)));
  for (const c of cols) if (c.fold) assert.ok(c.key, `${c.name} folds but names no key`);
  // A field's value is its key's property, unless it folds something else than it sorts on (LEAK).
  for (const c of cols) if (c.key && !c.foldOf && c.name !== 'NPROCS') assert.equal(c.get(proc({ [c.key]: 7 })), 7, c.name);
});

test('JSON of a process: schema order, io fields only when io was read', () => {
  const cols = jsonFields(allColumns());
  const plain = rowJson(cols, proc({ pid: 3, syscpu: 1500, cpu: 1.234567, swapsz: undefined }));
  assert.deepEqual(Object.keys(plain), [
    'pid', 'ppid', 'user', 'state', 'new', 'cmd', 'program', 'minflt', 'majflt', 'vstext', 'vslibs', 'vdata', 'vstack', 'locksz',
    'vsize', 'rsize', 'vgrow', 'rgrow', 'swapsz', 'trate', 'tgrow', 'leak', 'mem', 'syscpu', 'usrcpu', 'cpu', 'threads',
  ]);
  assert.deepEqual([plain.trate, plain.tgrow, plain.leak], [null, null, false], 'no history: unknown, not a suspect');
  const suspect = rowJson(cols, proc({ trate: 2097151.6, tgrow: 1258291199.7, leak: true }));
  assert.deepEqual([suspect.trate, suspect.tgrow, suspect.leak], [2097152, 1258291200, true], 'whole bytes');
  assert.equal(plain.syscpu, 1.5);
  assert.equal(plain.cpu, 1.23);
  assert.equal(plain.swapsz, null);
  const io = rowJson(cols, proc({ rddsk: 4096, wrdsk: 0, wcancl: 0, dsk: 100 }));
  assert.deepEqual(Object.keys(io).slice(-4), ['rddsk', 'wrdsk', 'wcancl', 'dsk']);
});

test('per-program rows fold as the registry says: NPROCS counts, sizes sum, unknown stays unknown', () => {
  const rows = aggregateProcs([proc({ pid: 1, cmd: 'a', vstext: 10, rddsk: undefined }), proc({ pid: 2, cmd: 'a' })], 'program');
  assert.equal(rows.length, 1);
  assert.equal(columnOf('NPROCS').get(rows[0]!), 2);
  assert.equal(rows[0]!.vstext, 10);
  assert.equal(rows[0]!.rddsk, undefined);
  assert.equal(columnOf('RDDSK').format(rows[0]!).trim(), '?');
});

test('LEAK folds into a count of suspects per user and per program; sorting on it puts rows holding more first', () => {
  const MiB = 1024 * 1024;
  const procs = [
    proc({ pid: 1, user: 'ann', cmd: 'java', leak: true, trate: 3 * MiB }),
    proc({ pid: 2, user: 'ann', cmd: 'java', leak: true, trate: 1 * MiB }),
    proc({ pid: 3, user: 'ann', cmd: 'sh', leak: false, trate: 0 }),
    proc({ pid: 4, user: 'bob', cmd: 'node', leak: true, trate: 8 * MiB }),
    proc({ pid: 5, user: 'eve', cmd: 'vi', leak: false, trate: 20 * MiB }),
    proc({ pid: 6, user: 'eve', cmd: 'vi', leak: false, trate: undefined }),
  ];
  const leak = columnOf('LEAK');
  const byProg = sortProcs(aggregateProcs(procs, 'program'), leak);
  assert.deepEqual(byProg.map((r) => [r.cmd, r.suspects, leak.format(r)]), [
    ['java', 2, '   2'], ['node', 1, '   1'], ['vi', 0, '    '], ['sh', 0, '    '],
  ], 'counted, blank for none; ranked by count, then by summed TRATE');
  assert.equal(byProg[0]!.trate, 4 * MiB, 'TRATE sums');
  const byUser = sortProcs(aggregateProcs(procs, 'user'), leak);
  assert.deepEqual(byUser.map((r) => [r.user, r.suspects]), [['ann', 2], ['bob', 1], ['eve', 0]]);
  // A process row is unchanged: LEAK or blank on screen, true or false in JSON (which has no aggregate rows).
  assert.deepEqual(procs.slice(0, 3).map((p) => leak.format(p)), ['LEAK', 'LEAK', '    ']);
  assert.deepEqual(procs.slice(0, 3).map((p) => rowJson(jsonFields(allColumns()), p).leak), [true, true, false]);
  assert.equal(procs[0]!.suspects, undefined, 'folding leaves the processes alone');
  assert.deepEqual(sortProcs(procs.slice(), leak).map((p) => p.pid), [4, 1, 2, 5, 3, 6], 'suspects first by TRATE, then the rest by TRATE');
});

test('every view names registry columns, and a view naming another does not compile', () => {
  for (const v of Object.values(VIEWS)) for (const c of v.columns) assert.ok(columnOf(c.name), `${v.name}: ${c.name}`);
  const dir = mkdtempSync(join(tmpdir(), 'memtop-views-'));
  try {
    const views = new URL('../src/columns/views.js', import.meta.url).pathname;
    const file = join(dir, 'check.ts');
    writeFileSync(file, [
      `import { viewSpec } from '${views}';`,
      `export const good = viewSpec('PID:10 RSIZE:5');`,
      `export const bad = viewSpec('PID:10 RSIZ:5');`,
    ].join('\n'));
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ({
      line: d.file?.fileName === file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : 0,
      text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
    const inCheck = errors.filter((e) => e.line > 0);
    assert.equal(inCheck.length, 1, JSON.stringify(errors));
    assert.equal(inCheck[0]!.line, 3);
    assert.match(inCheck[0]!.text, /unknown column in view: RSIZ/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('system field registry: unique names and metrics, layouts name its fields, JSON keeps its order', () => {
  const parts = { mem: MEM_FIELDS, swp: SWP_FIELDS, pag: PAG_FIELDS } as const;
  const metrics: string[] = [];
  for (const fields of Object.values(parts)) {
    const names = fields.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    for (const f of fields) if (f.gauge ?? f.counter) metrics.push((f.gauge ?? f.counter)!.name);
  }
  assert.equal(new Set(metrics).size, metrics.length);
  const layoutOf = { mem1: parts.mem, mem2: parts.mem, swp: parts.swp, pag: parts.pag } as const;
  for (const [line, layout] of Object.entries(LINE_LAYOUTS)) {
    const fields: readonly { name: string; kind?: string }[] = layoutOf[line as keyof typeof layoutOf];
    for (const { name } of layout) {
      if (name === '_') continue;
      const f = fields.find((x) => x.name === name);
      assert.ok(f?.kind, `${line}: ${name} is a registry field the line can print`);
    }
  }
  const swp = { tot: 8, free: 4, vmlim: 9, badness: 0, level: 'ok' as const, overcommitted: false };
  assert.deepEqual(Object.entries(partJson(SWP_FIELDS, swp)), [
    ['tot', 8], ['free', 4], ['zpool', null], ['zstor', null], ['ksuse', null], ['kssav', null], ['zrmem', null], ['zrdat', null],
    ['vmcom', null], ['vmlim', 9], ['badness', 0],
  ]);
});
