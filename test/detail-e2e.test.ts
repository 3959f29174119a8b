/**
 * memtop --detail on real processes: a heap grower (small mallocs, brk) and
 * an anonymous-mapping grower (large mallocs, mmap) each show their own
 * group as the top grower; another user's process shows ? with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CLI, memtop } from './helpers/cli.js';
import { startLeaker, stop } from './helpers/leaker.js';

const MiB = 1024 * 1024;

function detailJson(pid: number, interval: string, samples: string, wrap: string[] = []) {
  const cmd = [...wrap, process.execPath, CLI, '--detail', String(pid), '--json', interval, samples];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

for (const [mode, group, kind] of [['small', '[heap]', 'heap'], ['large', '[anon]', 'anon']] as const) {
  test(`a process growing by ${mode} mallocs has ${group} as its top grower in --detail --json`, { timeout: 90000 }, async () => {
    // 1 MiB every 50 ms: about 20 MiB a second, far above any other mapping's change.
    const child = await startLeaker([mode, '1024', '50']);
    try {
      const samples = detailJson(child.pid!, '1', '3');
      assert.equal(samples.length, 3);
      const first = samples[0];
      assert.deepEqual(Object.keys(first).slice(0, 10), ['pid', 'cmd', 'time', 'elapsed', 'gone', 'kinds', 'pss', 'uss', 'swappss', 'mappings']);
      assert.equal(first.pid, child.pid);
      assert.equal(first.cmd, 'leaker');
      const last = samples[2];
      const top = last.mappings[0];
      assert.equal(top.name, group, JSON.stringify(last.mappings.slice(0, 3)));
      assert.equal(top.kind, kind);
      assert.ok(top.since >= 4 * MiB, `${group} grew ${top.since} bytes over 2 s`);
      assert.ok(top.grow > 0 && top.grow <= top.since);
      assert.ok(last.kinds.anon.since >= 4 * MiB, 'the growth is resident anonymous memory');
      assert.ok(last.pss > 0 && last.uss > 0 && last.uss <= last.kinds.rss.size + MiB);
      for (const m of last.mappings) for (const f of ['size', 'rss', 'swap', 'grow']) assert.equal(typeof m[f], 'number');
    } finally {
      await stop(child);
    }
  });
}

test('--detail of a root process run as nobody: status figures, smaps as null with the reason; text shows ?', { timeout: 60000 }, async () => {
  if (process.getuid?.() !== 0) return;
  const child = await startLeaker(['hold', '4096']);
  try {
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const [s] = detailJson(child.pid!, '1', '1', nobody);
    assert.equal(s.mappings, null);
    assert.equal(s.pss, null);
    assert.match(s.unreadable, /permission denied: smaps of another user's process needs root/);
    assert.ok(s.kinds.rss.size >= 4 * MiB, 'status is readable by anyone');
    const r = spawnSync(nobody[0]!, [...nobody.slice(1), process.execPath, CLI, '--detail', String(child.pid), '1', '1'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /PSS \?/);
    assert.match(r.stdout, /MAPPINGS {2}\? permission denied/);
  } finally {
    await stop(child);
  }
});

test('--detail: a pid that does not exist is one line, exit 2; --detail with --contain is refused', () => {
  for (const args of [['--detail', '4194000'], ['--detail', 'x'], ['--detail', '1', '--contain', '1']]) {
    const r = memtop(args, { timeout: 20000 });
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /^memtop: (no process|invalid --detail|--detail and --contain exclude)/);
  }
});
