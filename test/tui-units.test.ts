/** The screen's pieces without a terminal: spacing, parsing of answers, filters, aggregation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateProcs } from '../src/columns/aggregate.js';
import { column, type Column } from '../src/columns/process.js';
import { fitColumns, VIEWS, withSortResource } from '../src/columns/views.js';
import { screenGaps } from '../src/output/proclist.js';
import type { SysLine } from '../src/output/sysfield.js';
import { applyFilters, setFilter, type Filters } from '../src/view/filters.js';
import { FINDING, helpOverlay } from '../src/view/help.js';
import { dispatchKey, keyId, KEYS, type Actions } from '../src/view/keys.js';
import { parsePid, parseSignal, sendSignal } from '../src/view/kill.js';
import { clampScroll, pageOf, ProcTable } from '../src/view/procview.js';
import { fitSysLines } from '../src/view/sysview.js';
import { terminalName } from '../src/view/terminal.js';
import { tooSmallLines } from '../src/view/toosmall.js';
import { proc } from './helpers/procs.js';

test('screen spacing spreads the room left as atop getspacings (80 columns, 65 used, 10 columns)', () => {
  const widths = [5, 6, 6, 6, 6, 6, 6, 6, 4, 14];
  const cols = widths.map((width, i) => ({ ...column('VSIZE')!, name: `C${i}`, width }) as Column);
  assert.deepEqual(screenGaps(cols, 80), [1, 2, 2, 1, 2, 2, 1, 2, 2]);
  const cmdline = [column('PID')!, column('COMMAND-LINE')!];
  assert.deepEqual(screenGaps(cmdline, 80), [1]);
});

test('the memory view at 80 columns is the case study screen', () => {
  const names = fitColumns(VIEWS.memory, 80).map((c) => c.name);
  assert.deepEqual(names, ['PID', 'MINFLT', 'MAJFLT', 'VSTEXT', 'VSIZE', 'RSIZE', 'VGROW', 'RGROW', 'MEM', 'CMD']);
});

test('C M D show their resource in the view resource column when the view has none', () => {
  assert.ok(withSortResource(VIEWS.generic, 'MEM').columns.some((c) => c.name === 'MEM'));
  assert.ok(!withSortResource(VIEWS.generic, 'MEM').columns.some((c) => c.name === 'CPU'));
  assert.equal(withSortResource(VIEWS.memory, 'RGROW'), VIEWS.memory);
});

test('the sort column is marked in the header, page indicator at the right', () => {
  const rows = [proc({ pid: 7, rsize: 1 << 20 })];
  const table = new ProcTable(rows, fitColumns(VIEWS.memory, 80), 80);
  const plain = table.header('RGROW', 1, 3).replace(/\x1b\[[\d;]*m/g, '');
  assert.equal(plain.length, 80);
  assert.match(plain, / \*RGROW /);
  assert.match(plain, /1\/3$/);
  assert.equal(table.line(0).length, 80);
});

test('scrolling keeps the highlight on the page; the indicator reaches the last page', () => {
  assert.deepEqual(clampScroll({ selected: 25, top: 0 }, 30, 10), { selected: 25, top: 16 });
  assert.deepEqual(clampScroll({ selected: -3, top: 5 }, 30, 10), { selected: 0, top: 0 });
  assert.deepEqual(pageOf({ selected: 29, top: 20 }, 30, 10), [3, 3]);
  assert.deepEqual(pageOf({ selected: 0, top: 0 }, 0, 10), [1, 1]);
});

test('per-user and per-program rows sum their processes', () => {
  const procs = [
    proc({ pid: 1, user: 'a', cmd: 'up', rsize: 100, rgrow: 10, swapsz: 5 }),
    proc({ pid: 2, user: 'a', cmd: 'up', rsize: 50, rgrow: -4 }),
    proc({ pid: 3, user: 'b', cmd: 'up', rsize: 1 }),
  ];
  const byProg = aggregateProcs(procs, 'program');
  assert.equal(byProg.length, 1);
  assert.deepEqual([byProg[0]!.nprocs, byProg[0]!.rsize, byProg[0]!.rgrow, byProg[0]!.swapsz], [3, 151, 6, 5]);
  const byUser = aggregateProcs(procs, 'user');
  assert.deepEqual(byUser.map((r) => [r.user, r.nprocs]), [['a', 2], ['b', 1]]);
  assert.equal(column('NPROCS')!.format(byUser[0]!).trim(), '2');
});

test('filters: regexes, pid lists, refusals, clearing', () => {
  const procs = [proc({ pid: 1, cmd: 'upload', user: 'root' }), proc({ pid: 2, cmd: 'lekker', user: 'gerlof', cmdline: './lekker --grow' })];
  const f: Filters = {};
  assert.equal(setFilter(f, 'program', 'lek'), undefined);
  assert.deepEqual(applyFilters(procs, f).map((p) => p.pid), [2]);
  assert.match(setFilter(f, 'program', '(')!, /not a regular expression/);
  assert.deepEqual(applyFilters(procs, f).map((p) => p.pid), [2], 'a refused input keeps the filter');
  setFilter(f, 'program', '');
  assert.equal(applyFilters(procs, f).length, 2);
  setFilter(f, 'cmdline', '--grow');
  setFilter(f, 'pids', '1, 2');
  assert.deepEqual(applyFilters(procs, f).map((p) => p.pid), [2]);
  assert.match(setFilter(f, 'pids', '1 x')!, /not a pid: 'x'/);
});

test('kill: signals by name or number; EPERM and ESRCH in one line', () => {
  assert.equal(parseSignal(''), 15);
  assert.equal(parseSignal('kill'), 9);
  assert.equal(parseSignal('SIGHUP'), 1);
  assert.equal(parseSignal('9'), 9);
  assert.match(String(parseSignal('FOO')), /no signal 'FOO'/);
  assert.match(String(parsePid('0')), /not a pid/);
  assert.equal(parsePid('24832248322483224832'), "not a pid: '24832248322483224832' (pids go from 1 to 4194304)");
  assert.match(String(parsePid('40000', 32767)), /pids go from 1 to 32767/);
  assert.equal(parsePid('32767', 32767), 32767);
  const failing = (code: string) => () => {
    throw Object.assign(new Error(code), { code });
  };
  assert.equal(sendSignal(42, 15, failing('EPERM')), 'kill 42: EPERM, not allowed to send SIGTERM to this process');
  assert.equal(sendSignal(42, 9, failing('ESRCH')), 'kill 42: ESRCH, no such process (it has exited)');
  assert.equal(sendSignal(42, 9, () => {}), 'sent SIGKILL to 42');
});

test('terminal choice: xterm-256color under tmux and screen, --term wins', () => {
  assert.equal(terminalName('tmux-256color'), 'xterm-256color');
  assert.equal(terminalName('screen'), 'xterm-256color');
  assert.equal(terminalName('xterm'), undefined);
  assert.equal(terminalName('tmux-256color', 'vt100'), 'vt100');
});

test('per-CPU lines go first when the system lines do not fit', () => {
  const line = (label: string): SysLine => ({ label, level: 'ok', fields: [] });
  const lines = ['PRC', 'CPU', 'cpu', 'cpu', 'CPL', 'MEM', 'MEM', 'SWP', 'DSK'].map(line);
  assert.deepEqual(fitSysLines(lines, 8).map((l) => l.label), ['PRC', 'CPU', 'cpu', 'CPL', 'MEM', 'MEM', 'SWP', 'DSK']);
  assert.deepEqual(fitSysLines(lines, 6).map((l) => l.label), ['PRC', 'CPU', 'CPL', 'MEM', 'MEM', 'SWP']);
});

test('help lists every key and fits 80x24; the too-small notice fits its terminal', () => {
  const help = helpOverlay(80, 24);
  assert.ok(help.length <= 24 && help.every((l) => l.length <= 80), help.join('\n'));
  for (const k of KEYS) assert.ok(help.some((l) => l.includes(k.help)), `help shows ${k.label}`);
  // Where the leaker is found, as the README and the manual say.
  assert.ok(help.some((l) => l.includes(FINDING[0]!)), help.join('\n'));
  assert.match(FINDING.join(' '), /\bL\b.*O RGROW.*O TRATE.*\+ new.*~ young/);
  const small = tooSmallLines(20, 5);
  assert.ok(small.length <= 5 && small.every((l) => l.length <= 20));
});

test('keys: characters by themselves, special keys by name, every table key dispatches', () => {
  assert.equal(keyId('<', {}), '<');
  assert.equal(keyId(undefined, { name: 'pagedown' }), 'pagedown');
  assert.equal(keyId('\x03', { name: 'c', full: 'C-c' }), 'C-c');
  const called: string[] = [];
  const actions = new Proxy({}, { get: (_t, name) => (...args: unknown[]) => called.push(`${String(name)}(${args.join()})`) }) as Actions;
  for (const k of KEYS) for (const key of k.keys) assert.ok(dispatchKey(key, actions), key);
  assert.ok(called.includes('moveSort(-1)') && called.includes('scroll(end)') && called.includes('sortOn(DSK)'));
  assert.equal(dispatchKey('Q', actions), false);
});

test('keys: each key has one action (a second line for a key would silently take it from the first)', () => {
  const owner = new Map<string, string>();
  for (const k of KEYS) {
    for (const key of k.keys) {
      assert.equal(owner.get(key), undefined, `'${key}' is bound by '${owner.get(key)}' and by '${k.help}': one action must decide, e.g. by view`);
      owner.set(key, k.help);
    }
  }
});
