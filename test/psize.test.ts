/**
 * PSIZE (atop's R, -R): Pss from /proc/PID/smaps_rollup, summed from smaps
 * where the kernel has no rollup (before 4.14), unknown (`?`, absent from
 * JSON) where neither can be read; read only while shown or sorted on.
 * The CLI runs as nobody (through setpriv when the test runs as root), so
 * that a file of mode 000 really is unreadable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VIEWS } from '../src/columns/views.js';
import { memStr } from '../src/format/units.js';
import { CLI, requireBuild } from './helpers/cli.js';
import { fakeLive, FakeScreen } from './helpers/screen.js';
import { fakeProcFiles, makeTree } from './helpers/trees.js';
import { CASE_STUDY } from './tui-fakeproc.js';

const rollup = (pssKb: number) =>
  `55d5c2a1e000-7ffc8a1f2000 ---p 00000000 00:00 0                          [rollup]\nRss:  ${pssKb * 2} kB\nPss:  ${pssKb} kB\nPss_Anon:  ${pssKb} kB\nShared_Clean:  0 kB\n`;
const mapping = (start: string, pssKb: number) =>
  `${start}-${start.replace(/0$/, 'f')} r-xp 00000000 08:01 1234 /usr/bin/x\nSize:  ${pssKb * 4} kB\nRss:  ${pssKb} kB\nPss:  ${pssKb} kB\nVmFlags: rd ex\n`;

/** pid 50: smaps_rollup; 51: only smaps (a 4.9 kernel); 52: smaps_rollup unreadable; 53: neither file. */
function tree(): string {
  const files = fakeProcFiles({ uptime: 50, procs: [50, 51, 52, 53].map((pid) => ({ pid, rss: 1000 + pid })) });
  files['50/smaps_rollup'] = rollup(2048);
  files['51/smaps'] = mapping('400000', 100) + mapping('7f0000', 300);
  files['52/smaps_rollup'] = rollup(999);
  const root = makeTree(files);
  const openUp = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) openUp(path);
      else chmodSync(path, 0o644);
    }
  };
  openUp(root);
  chmodSync(join(root, '52', 'smaps_rollup'), 0o000);
  return root;
}

/** memtop on the tree as an unprivileged user. */
function run(root: string, args: string[]): string {
  requireBuild();
  const memtop = [CLI, '--proc', root, '--sys', join(root, 'nosys'), ...args, '0.1', '1'];
  const asRoot = process.getuid?.() === 0;
  const r = asRoot
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...memtop], { encoding: 'utf8', timeout: 30000 })
    : spawnSync(process.execPath, memtop, { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const row = (out: string, pid: number) => out.split('\n').find((l) => l.trim().startsWith(`${pid} `)) ?? '';

test('--json -R: psize in bytes from smaps_rollup or summed smaps; absent where unreadable or missing, and without -R', () => {
  const root = tree();
  const procs = (args: string[]) => JSON.parse(run(root, ['--json', ...args]).trim().split('\n').pop()!).procs as Record<string, unknown>[];
  const byPid = new Map(procs(['-R']).map((p) => [p.pid, p]));
  assert.equal(byPid.get(50)!.psize, 2048 * 1024);
  assert.equal(byPid.get(51)!.psize, 400 * 1024, 'summed over smaps where smaps_rollup is missing');
  assert.ok(byPid.get(52) && !('psize' in byPid.get(52)!), 'unreadable: unknown, not 0');
  assert.ok(byPid.get(53) && !('psize' in byPid.get(53)!));
  assert.ok(procs([]).every((p) => !('psize' in p)), 'not read without -R');
});

test('--text: -R shows PSIZE after RSIZE, ? where unknown; --sort psize without -R; the per-user view sums it', () => {
  const root = tree();
  const out = run(root, ['--text', '-m', '-R', '--width', '160']);
  const head = out.split('\n').find((l) => /\bRSIZE\b/.test(l))!;
  assert.match(head, /RSIZE\s+\*?PSIZE/);
  const at = head.indexOf('PSIZE') + 'PSIZE'.length;
  const cell = (pid: number) => row(out, pid).slice(at - 6, at).trim();
  assert.equal(cell(50), memStr(2048 * 1024).trim());
  assert.equal(cell(51), memStr(400 * 1024).trim());
  assert.equal(cell(52), '?');
  assert.equal(cell(53), '?');
  assert.doesNotMatch(run(root, ['--text', '-m', '--width', '160']), /PSIZE/, 'off by default');

  const sorted = run(root, ['--text', '-a', '--sort', 'psize', '--width', '160']);
  assert.match(sorted, /CMD\s+PSIZE/, 'shown while sorted on, last in the generic view');
  const order = sorted.split('\n').map((l) => /^\s*(5[0-3]) /.exec(l)?.[1]).filter(Boolean);
  assert.deepEqual(order.slice(0, 2), ['50', '51'], 'largest first, unknown last');

  const users = run(root, ['--text', '-V', 'user', '-R', '--width', '160']);
  const uhead = users.split('\n').find((l) => /\bPSIZE\b/.test(l))!;
  const uat = uhead.indexOf('PSIZE') + 'PSIZE'.length;
  const rootRow = users.split('\n').find((l) => /\broot\s*$/.test(l))!;
  assert.equal(rootRow.slice(uat - 6, uat).trim(), memStr(2448 * 1024).trim(), 'summed over the known');
});

test('R toggles PSIZE: shown after RSIZE and read, then neither', async () => {
  const live = fakeLive(CASE_STUDY);
  try {
    const s = new FakeScreen(live.feed, { view: VIEWS.memory }, [200, 30]);
    s.state.tick();
    assert.doesNotMatch(s.procHead(), /PSIZE/);
    assert.ok(!live.feed.needs.pss);
    s.press('R');
    assert.match(s.procHead(), /RSIZE\s+PSIZE/);
    assert.ok(live.feed.needs.pss, 'smaps_rollup read while shown');
    s.press('g');
    assert.ok(s.state.view.columns.some((c) => c.name === 'PSIZE'), 'stays on in another view');
    assert.ok(live.feed.needs.pss);
    s.press('R');
    assert.doesNotMatch(s.procHead(), /PSIZE/);
    assert.ok(!live.feed.needs.pss);
  } finally {
    live.remove();
  }
});
