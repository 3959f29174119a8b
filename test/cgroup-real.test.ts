/**
 * A real process in a real memory cgroup: the test makes a group below its
 * own (never moving a process out of the group it was in: the child moves
 * itself into the new group below before it starts), lets the child grow,
 * and reads memtop's cgroup view sorted on CGROW. Skipped where no memory
 * hierarchy is mounted or groups cannot be made.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findMemoryHierarchy, memoryCgroupOf } from '../src/reader/cgroups.js';
import { CLI } from './helpers/cli.js';


function ownGroup(): { dir: string; path: string; version: 1 | 2 } | undefined {
  const h = findMemoryHierarchy('/proc', '/sys');
  const mine = h && memoryCgroupOf(process.pid, '/proc', h);
  return h && mine ? { ...mine, version: h.mount.version } : undefined;
}

function canMakeGroup(): boolean {
  const own = ownGroup();
  if (!own) return false;
  const probe = join(own.dir, `memtop-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a growing process in its own memory cgroup tops the cgroup view sorted on CGROW, its limit shown', { skip: !canMakeGroup(), timeout: 90000 }, async () => {
  const own = ownGroup()!;
  const name = `mt-cgrow-${process.pid}`;
  const dir = join(own.dir, name);
  const path = own.path === '/' ? `/${name}` : `${own.path}/${name}`;
  mkdirSync(dir);
  writeFileSync(join(dir, own.version === 1 ? 'memory.limit_in_bytes' : 'memory.max'), `${1536 * 1024 * 1024}\n`);
  // The child puts itself into the new group, then grows by 24 MiB every 250 ms up to 1.2 GiB and waits.
  const grow =
    "const k=[];const t=setInterval(()=>{k.push(Buffer.alloc(24<<20,1));if(k.length>=50)clearInterval(t)},250);setInterval(()=>{},1e6);";
  const child = spawn('sh', ['-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec '${process.execPath}' -e "${grow}"`], { stdio: 'ignore' });
  try {
    // Until the child is in the group.
    for (let i = 0; i < 100 && !readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim(); i++) await sleep(50);
    assert.ok(readFileSync(join(dir, 'cgroup.procs'), 'utf8').includes(String(child.pid)), 'child in the group');
    const r = spawnSync(process.execPath, [CLI, '--text', '-V', 'cgroup', '--sort', 'CGROW', '--width', '200', '1', '5'], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    const samples = r.stdout.split(/^(?=\S+ +\d{4}\/\d\d\/\d\d|ATOP|MEMTOP)/m);
    // Every interval after the first: each sample's cgroup list.
    const lists = r.stdout.split('\n\n').map((block) => block.split('\n')).filter((lines) => lines.some((l) => l.startsWith('CGROUP ')));
    assert.ok(lists.length >= 4, `cgroup lists printed (${lists.length}, ${samples.length} blocks)`);
    const ancestors = new Set<string>(['/']);
    for (let p = path; p.lastIndexOf('/') > 0; ) ancestors.add((p = p.slice(0, p.lastIndexOf('/'))));
    let topped = 0;
    for (const lines of lists.slice(1)) {
      const head = lines.findIndex((l) => l.startsWith('CGROUP '));
      const rows = lines.slice(head + 1).filter((l) => l.trim());
      const mine = rows.findIndex((l) => l.split(/ +/)[0]!.endsWith(name));
      assert.ok(mine >= 0, `the group is listed:\n${rows.join('\n')}`);
      const cols = lines[head]!.trim().split(/ +/);
      const cells = rows[mine]!.trim().split(/ +/);
      assert.equal(cells[cols.indexOf('MEMMAX')], '1.5G', 'its limit');
      assert.ok(cells[cols.indexOf('CGROW')] !== '0B' && !cells[cols.indexOf('CGROW')]!.startsWith('-'), `growing: ${rows[mine]}`);
      // Only groups holding it (their growth includes its own) may sort above it; others may outgrow it
      // now and then on a busy machine, so it must top the rest in at least one interval.
      const above = rows.slice(0, mine).map((l) => l.split(/ +/)[0]!);
      if (above.every((p) => ancestors.has(p) || [...ancestors].some((a) => a.length > 1 && a.endsWith(p.replace(/^\.\./, ''))))) topped++;
    }
    assert.ok(topped >= 1, 'at the top of the view, under its own ancestors only, in some interval');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    for (let i = 0; i < 100; i++) {
      try {
        rmdirSync(dir);
        break;
      } catch {
        await sleep(50); // the killed child's exit is still being accounted
      }
    }
  }
});
