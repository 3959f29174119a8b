/**
 * One list of keys and views: the key table (src/view/keys.ts) and the
 * view registry (src/columns/views.ts) are what the screen runs and the
 * help overlay is built from; the manual's KEYS section and its -V list,
 * and --help's view list, are held to them here. A key or view added in
 * code and not in the manual (or the other way round) fails, naming it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VIEWS } from '../src/columns/views.js';
import { viewByName } from '../src/config.js';
import { helpOverlay } from '../src/view/help.js';
import { KEYS } from '../src/view/keys.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${root}dist/bin.cjs`;
const PAGE = readFileSync(`${root}man/memtop.1`, 'utf8');

const section = (roff: string, name: string) => {
  const start = roff.indexOf(`\n.SH ${name}`);
  assert.ok(start >= 0, `the manual has a ${name} section`);
  const end = roff.indexOf('\n.SH ', start + 1);
  return roff.slice(start, end < 0 ? undefined : end);
};

/** The keys the manual's KEYS section introduces: each tag of a .TP paragraph, split at spaces. */
function manKeys(roff: string): Set<string> {
  const lines = section(roff, 'KEYS').split('\n');
  const out = new Set<string>();
  lines.forEach((line, i) => {
    if (lines[i - 1] !== '.TP') return;
    const tag = line.replace(/^\.B\s+/, '').replace(/"/g, '').replace(/\\-/g, '-').replace(/\\f[IRB]/g, '');
    for (const k of tag.split(/\s+/).filter(Boolean)) out.add(k);
  });
  return out;
}

/** The table's keys as the overlay and the manual name them: each label split at spaces. */
const tableKeys = () => new Set(KEYS.flatMap((k) => k.label.split(' ')));

test('the manual lists every key of the key table under KEYS, and no other', () => {
  const fromMan = manKeys(PAGE);
  const fromTable = tableKeys();
  assert.ok(fromTable.size >= 40, `only ${fromTable.size} keys in the table`);
  for (const k of ['G', 'K', 'Enter', 'I', '<', '>', 'b', 'r', '2-9', 'e', 'F5', 'y', '-', '+']) assert.ok(fromTable.has(k), `the table has ${k}`);
  const missing = [...fromTable].filter((k) => !fromMan.has(k));
  const extra = [...fromMan].filter((k) => !fromTable.has(k));
  assert.deepEqual(missing, [], `keys of src/view/keys.ts not in man/memtop.1's KEYS (add a .TP): ${missing.join(' ')}`);
  assert.deepEqual(extra, [], `keys in man/memtop.1's KEYS that the screen does not bind: ${extra.join(' ')}`);
});

test('the help overlay shows every entry of the key table', () => {
  const overlay = helpOverlay(200, 60).join('\n');
  for (const k of KEYS) {
    assert.ok(overlay.includes(k.label), `overlay shows ${k.label}`);
    assert.ok(overlay.includes(k.help), `overlay says what ${k.label} does: ${k.help}`);
  }
  // At 80x24 every entry is there too, each line within the screen.
  const small = helpOverlay(80, 24);
  assert.ok(small.every((l) => l.length === 80), 'the 80-column overlay is 80 columns wide, each line');
  for (const k of KEYS) assert.ok(small.join('\n').includes(k.help), `80x24 overlay lists ${k.label}`);
});

test('the manual and --help list every view with its key; -V takes each name and each key', () => {
  const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const manV = section(PAGE, 'OPTIONS').replace(/\s+/g, ' ');
  for (const v of Object.values(VIEWS)) {
    assert.ok(help.includes(`${v.name} (${v.key})`), `--help's -V lists ${v.name} (${v.key})`);
    assert.ok(manV.includes(`${v.name} (${v.key})`), `the manual's -V lists ${v.name} (${v.key})`);
    assert.ok(manKeys(PAGE).has(v.key), `the manual's KEYS has ${v.key}`);
    assert.equal(viewByName(v.name).name, v.name, `-V ${v.name}`);
    assert.equal(viewByName(v.name.toUpperCase()).name, v.name, `-V ${v.name.toUpperCase()}`);
    assert.equal(viewByName(v.key).name, v.name, `-V ${v.key} is the key's view`);
  }
});

test('-V G is the cgroup view and -V L the leak view on the command line; an unknown view is an error naming all', () => {
  const run = (...args: string[]) => {
    try {
      return { out: execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0, err: '' };
    } catch (e) {
      const err = e as { status: number; stderr: string };
      return { out: '', code: err.status, err: err.stderr };
    }
  };
  const cases: [string, RegExp][] = [['G', /no memory cgroup hierarchy/], ['L', /TRATE.*LEAK/], ['g', /SYSCPU.*USRCPU/]];
  for (const [key, head] of cases) {
    const r = run('--text', '-V', key, '--proc', `${root}fixtures/case-study/t151232`, '--sys', `${root}fixtures/case-study/sys`, '--width', '160', '1', '1');
    assert.equal(r.code, 0, `-V ${key}: ${r.err}`);
    assert.match(r.out, head, `-V ${key} shows its view`);
  }
  const bad = run('--text', '-V', 'l', '1', '1');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown view 'l': valid views are generic \(g\).*leak \(L\), cgroup \(G\)/);
});
