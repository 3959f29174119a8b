/**
 * A real leaker contained with --contain on this machine's v1 memory
 * controller: the group is made below the leaker's own group (which is this
 * test's), its growth stays within the limit until the kernel OOM-kills it
 * inside the group, memtop reports that plainly, and a bystander keeps its
 * memory. A record of an earlier process with a pid now reused is stale:
 * --release leaves the live process where it is. A non-root run is refused
 * in one line with the commands.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLeaker, stop } from './helpers/leaker.js';
import { FIXTURES } from './helpers/trees.js';

const CLI = join(FIXTURES, '..', 'dist', 'bin.cjs');
const MiB = 1024 * 1024;
const V1 = '/sys/fs/cgroup/memory';

/** This process's v1 memory group, when there is a writable one. */
function ownGroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  if (!line || process.getuid?.() !== 0 || !existsSync(`${V1}/cgroup.procs`)) return undefined;
  return line.slice(line.lastIndexOf(':') + 1);
}

const memoryLine = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory(,|:)/.test(l) || /,memory:/.test(l));
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memtop(args: string[], env: Record<string, string>, wrap: string[] = []) {
  const cmd = [...wrap, process.execPath, CLI, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Leaves no group behind: any process still in it goes back to `home` first. */
function cleanup(groupDir: string, homeDir: string): void {
  if (!existsSync(groupDir)) return;
  for (const p of readFileSync(`${groupDir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
    try {
      writeFileSync(`${homeDir}/cgroup.procs`, p);
    } catch {
      // gone
    }
  }
  rmdirSync(groupDir);
}

test('a real leaker contained below its own v1 group stays within the limit, is OOM-killed there and reported; a bystander keeps its memory', { timeout: 120000 }, async (t) => {
  const own = ownGroup();
  if (own === undefined) return t.skip('needs root and the v1 memory controller at /sys/fs/cgroup/memory');
  const homeDir = `${V1}${own === '/' ? '' : own}`;
  const env = { MEMTOP_STATE_DIR: mkdtempSync(join(tmpdir(), 'memtop-state-')) };
  const bystander = await startLeaker(['hold', String(32 * 1024)]);
  // About 40 MiB a second, in 1 MiB mallocs: anonymous mappings, which cannot be reclaimed without swap.
  const leaker = await startLeaker(['large', '1024', '25']);
  const pid = leaker.pid!;
  const groupDir = `${homeDir}/memtop-${pid}`;
  const limit = 64 * MiB;
  try {
    const bystanderRss = rssOf(bystander.pid!);
    const r = memtop(['--contain', String(pid), '--limit', '64M'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`contained pid ${pid} \\(leaker\\) in ${groupDir} \\(cgroup v1, below its group ${own}\\)`));
    assert.match(r.out, new RegExp(`memory.limit_in_bytes = ${limit} \\(64.0M\\)`));
    assert.match(r.out, new RegExp(`cgroup.procs = ${pid}`));
    assert.match(r.out, /stays charged to .*caps what it allocates from now on/);
    assert.equal(readFileSync(`${groupDir}/memory.limit_in_bytes`, 'utf8').trim(), String(limit));
    if (leaker.exitCode === null) assert.ok(memoryLine(pid)!.endsWith(`${own === '/' ? '' : own}/memtop-${pid}`), 'the leaker is in the group below its own');
    // The detail shows the group, marked as memtop's, with its limit.
    const d = memtop(['--detail', String(pid), '--json', '0.2', '1'], env);
    if (d.out) {
      const cg = JSON.parse(d.out.split('\n')[0]!).cgroup;
      assert.equal(cg.version, 1);
      assert.equal(cg.path, `${own === '/' ? '' : own}/memtop-${pid}`);
      assert.equal(cg.contained, true);
      assert.equal(cg.max, limit);
      assert.equal(typeof cg.events.oom_kill, 'number');
    }
    // It grows on inside the group until the limit; without swap the kernel then OOM-kills it there.
    const exited = new Promise((resolve) => leaker.once('exit', (code, signal) => resolve(signal ?? code)));
    const outcome = await Promise.race([exited, sleep(20000).then(() => 'still running')]);
    const peak = Number(readFileSync(`${groupDir}/memory.max_usage_in_bytes`, 'utf8'));
    assert.ok(peak > 8 * MiB, `it grew inside the group (peak ${peak})`);
    assert.ok(peak <= limit, `its growth stayed within the limit (peak ${peak} of ${limit})`);
    if (outcome === 'SIGKILL') {
      const oom = readFileSync(`${groupDir}/memory.oom_control`, 'utf8');
      assert.match(oom, /oom_kill [1-9]/, 'the kill happened inside the group');
      const rel = memtop(['--release', String(pid)], env);
      assert.equal(rel.code, 0, rel.err);
      assert.match(rel.out, new RegExp(`pid ${pid} \\(leaker\\) was OOM-killed inside its memtop group ${own === '/' ? '' : own}/memtop-${pid} \\(limit 64.0M, \\d+ OOM kills? there\\)`));
      assert.match(rel.out, /rmdir /);
    } else {
      // A machine with swap lets the kernel swap it out instead: then it is still there and still limited.
      assert.equal(outcome, 'still running');
      const rel = memtop(['--release', String(pid)], env);
      assert.equal(rel.code, 0, rel.err);
      assert.ok(memoryLine(pid)!.endsWith(own), 'released back to its own group');
    }
    assert.equal(existsSync(groupDir), false, 'the group is gone');
    assert.equal(bystander.exitCode, null, 'the bystander lives');
    assert.ok(rssOf(bystander.pid!) >= bystanderRss - MiB, 'and keeps its memory');
    assert.ok(memoryLine(bystander.pid!)!.endsWith(own), 'in the group it was in');
  } finally {
    await stop(leaker);
    await stop(bystander);
    cleanup(groupDir, homeDir);
  }
});

test('a non-root run is refused in one line, with the exact commands a root user would run, and changes nothing', { timeout: 60000 }, async (t) => {
  const own = ownGroup();
  if (own === undefined) return t.skip('needs root (to start a process as nobody) and the v1 memory controller');
  const homeDir = `${V1}${own === '/' ? '' : own}`;
  const child = await startLeaker(['hold', '1024']);
  const pid = child.pid!;
  try {
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    // --config /dev/null: nobody cannot read root's configuration, which memtop would say first.
    const r = memtop(['--config', '/dev/null', '--contain', String(pid), '--limit', '256M'], { MEMTOP_STATE_DIR: '/nonexistent' }, nobody);
    assert.equal(r.code, 1);
    const lines = r.err.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^memtop: cannot contain pid ${pid}: ${homeDir}: permission denied \\(memtop runs as uid 65534\\); nothing was changed\\. As root, this would do it:$`));
    assert.deepEqual(lines.slice(1), [
      `  mkdir ${homeDir}/memtop-${pid}`,
      `  echo ${256 * MiB} > ${homeDir}/memtop-${pid}/memory.limit_in_bytes`,
      `  echo ${pid} > ${homeDir}/memtop-${pid}/cgroup.procs`,
    ]);
    assert.equal(r.out, '');
    assert.equal(existsSync(`${homeDir}/memtop-${pid}`), false, 'nothing half done');
    assert.ok(memoryLine(pid)!.endsWith(own));
  } finally {
    await stop(child);
  }
});

/** Field 22 of /proc/PID/stat: the start time memtop keeps with a containment. */
const starttimeOf = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
};

test('a record of an earlier process whose pid a live one has now: --release removes memtop\'s empty group and record and leaves the live process where it is; a record without a start time is trusted while its group holds the pid', { timeout: 60000 }, async (t) => {
  const own = ownGroup();
  if (own === undefined) return t.skip('needs root and the v1 memory controller at /sys/fs/cgroup/memory');
  const homeDir = `${V1}${own === '/' ? '' : own}`;
  const state = mkdtempSync(join(tmpdir(), 'memtop-state-'));
  const env = { MEMTOP_STATE_DIR: state };
  const child = await startLeaker(['hold', '1024']);
  const pid = child.pid!;
  const rel = `${own === '/' ? '' : own}/memtop-${pid}`;
  const groupDir = `${homeDir}/memtop-${pid}`;
  // As --contain writes it; `starttime` absent is the previous format.
  const record = (starttime?: number) => ({ pid, cmd: 'earlier', starttime, how: 'cgroupfs', version: 1, group: rel, groupDir, origin: own, limit: 64 * MiB, time: 1 });
  const writeRecord = (r: object) => {
    mkdirSync(join(state, 'contained'), { recursive: true });
    writeFileSync(join(state, 'contained', `${pid}.json`), JSON.stringify(r) + '\n');
  };
  try {
    // The group the earlier process was contained in, left empty when it ended (below this test's own group).
    mkdirSync(groupDir);
    writeRecord(record(starttimeOf(pid) - 1));
    const stale = memtop(['--release', String(pid)], env);
    assert.equal(stale.code, 0, stale.err);
    assert.deepEqual(stale.out.trimEnd().split('\n'), [
      `memtop: pid ${pid} (earlier) has ended; it was contained in ${rel}; pid ${pid} is now another process (leaker), left where it is; removed its empty group ${groupDir} and memtop's record of it`,
    ]);
    assert.equal(existsSync(groupDir), false, 'the empty group is gone');
    assert.equal(existsSync(join(state, 'contained', `${pid}.json`)), false, 'and the record');
    assert.ok(memoryLine(pid)!.endsWith(own), 'the live process stays in its group');
    // The previous format, and the group holds the pid (moved there as --contain did): trusted, released back.
    mkdirSync(groupDir);
    writeFileSync(`${groupDir}/cgroup.procs`, String(pid));
    writeRecord(record());
    const held = memtop(['--release', String(pid)], env);
    assert.equal(held.code, 0, held.err);
    assert.match(held.out, new RegExp(`^memtop: released pid ${pid}: back to ${own}\n`));
    assert.ok(memoryLine(pid)!.endsWith(own), 'back in its group');
    assert.equal(existsSync(groupDir), false);
    // The previous format, and the group does not hold the pid: stale, the live process is left alone.
    mkdirSync(groupDir);
    writeRecord(record());
    const left = memtop(['--release', String(pid)], env);
    assert.equal(left.code, 0, left.err);
    assert.match(left.out, /is now another process \(leaker\), left where it is; removed its empty group/);
    assert.ok(memoryLine(pid)!.endsWith(own));
    assert.equal(existsSync(groupDir), false);
  } finally {
    await stop(child);
    cleanup(groupDir, homeDir);
  }
});
