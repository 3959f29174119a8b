/**
 * memtop --stacks leaves nothing behind: bpftrace (whose file descriptors
 * hold the probes) is gone after a normal end, after SIGINT, and within a
 * few seconds after memtop is SIGKILLed; no uprobe event is left in tracefs;
 * the target runs on. And the plain refusals: not root, no bpftrace, a
 * gone pid, a kernel thread, pid 1.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { allocsBinary } from './helpers/allocs.js';
import { CLI } from './helpers/cli.js';
import { stop } from './helpers/leaker.js';
import { lockdownRefusal } from '../src/run/stacks.js';

async function startAllocs(): Promise<ChildProcess> {
  const child = spawn(allocsBinary(['-g'], 'allocs-clean'), ['malloc'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`allocs exited with ${code}`)));
  });
  return child;
}

/** The bpftrace processes whose command line names `pid` as their target (this test's only). */
function tracersOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('bpftrace') && argv[1] === '-p' && argv[2] === String(pid)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** No uprobe event of tracefs names the target's libc or binary (bpftrace uses perf's uprobe PMU; a fallback would leave them here). */
function uprobeEventsLeft(): string[] {
  const f = '/sys/kernel/tracing/uprobe_events';
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter((l) => /allocs-clean|bpftrace/.test(l));
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return what();
}

function startTrace(pid: number, seconds: number) {
  const child = spawn(process.execPath, [CLI, '--stacks', String(pid), '--for', String(seconds), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, closed, out: () => out, err: () => err };
}

for (const how of ['the end', 'SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
  test(`--stacks: no probe is left after ${how} of memtop, and the target runs on`, { timeout: 90000 }, async () => {
    const target = await startAllocs();
    try {
      const t = startTrace(target.pid!, how === 'the end' ? 2 : 60);
      assert.ok(await until(() => tracersOf(target.pid!).length > 0, 30000), 'bpftrace started');
      // Attached and recording: the armed line comes a second after BEGIN.
      await new Promise((r) => setTimeout(r, 3000));
      if (how !== 'the end') t.child.kill(how);
      const code = await t.closed;
      if (how === 'SIGKILL') {
        assert.equal(code, null);
      } else {
        assert.equal(code, 0, t.err());
        const r = JSON.parse(t.out());
        assert.equal(r.pid, target.pid);
        if (how !== 'the end') assert.match(r.stopped, /stopped early/);
      }
      assert.ok(await until(() => tracersOf(target.pid!).length === 0, how === 'SIGKILL' ? 5000 : 3000), `bpftrace still runs: ${tracersOf(target.pid!)}`);
      assert.deepEqual(uprobeEventsLeft(), []);
      assert.equal(target.exitCode, null, 'the target still runs');
      assert.ok(existsSync(`/proc/${target.pid}`));
    } finally {
      await stop(target);
    }
  });
}

test('--stacks refuses in one line, exit 1: a gone pid, a kernel thread, pid 1', () => {
  for (const [pid, re] of [['4194000', /^memtop: no process 4194000$/], ['2', /^memtop: 2 \(kthreadd\) is a kernel thread/], ['1', /^memtop: memtop does not trace pid 1/]] as const) {
    const r = spawnSync(process.execPath, [CLI, '--stacks', pid, '--for', '1'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr.trim(), re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('--stacks refuses without root (capabilities dropped) and without bpftrace on PATH', { timeout: 60000 }, async () => {
  const target = await startAllocs();
  try {
    // Another uid, no capabilities at all: the kernel would refuse the uprobes.
    const noRoot = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', process.execPath, CLI, '--stacks', String(target.pid), '--for', '1'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(noRoot.status, 1, noRoot.stderr);
    assert.match(noRoot.stderr.trim(), /^memtop: --stacks needs root \(or CAP_BPF and CAP_PERFMON\)/);
    // A PATH without bpftrace (node itself is linked in, so the command still starts).
    const bin = mkdtempSync(join(tmpdir(), 'memtop-nobpf-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const noBpf = spawnSync(process.execPath, [CLI, '--stacks', String(target.pid), '--for', '1'], { encoding: 'utf8', timeout: 30000, env: { ...process.env, PATH: bin } });
    assert.equal(noBpf.status, 1, noBpf.stderr);
    assert.equal(noBpf.stderr.trim(), 'memtop: --stacks needs bpftrace, which is not installed (Debian/Ubuntu: apt install bpftrace)');
    assert.ok(dirname(bin));
  } finally {
    await stop(target);
  }
});

test('--stacks in a mount namespace where tracefs is unmounted: memtop mounts it at /sys/kernel/tracing and traces', { timeout: 90000 }, async () => {
  const target = await startAllocs();
  try {
    // The namespace is the test's own (private propagation): the host keeps its tracefs.
    const script = 'umount /sys/kernel/debug/tracing 2>/dev/null; umount /sys/kernel/tracing || exit 9; test -e /sys/kernel/tracing/events && exit 8; '
      + `"$0" "$1" --stacks "$2" --for 1 --json >/dev/null || exit 7; findmnt -n -t tracefs /sys/kernel/tracing >/dev/null || exit 6`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, process.execPath, CLI, String(target.pid)], { encoding: 'utf8', timeout: 80000 });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  } finally {
    await stop(target);
  }
});

test('--stacks refuses in a pid namespace of its own (bpftrace names processes by the host\'s pids)', { timeout: 60000 }, () => {
  // sleep is the namespace's pid 2: a real, traceable-looking process as the namespace sees it.
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'sleep 30 & "$0" "$1" --stacks $! --for 1; s=$?; kill $!; exit $s', process.execPath, CLI], { encoding: 'utf8', timeout: 50000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim(), 'memtop: memtop runs in a pid namespace of its own: bpftrace names processes by the host\'s pids; run memtop --stacks in the host\'s namespace');
});

test('kernel lockdown: confidentiality refuses, none and integrity do not', () => {
  assert.match(lockdownRefusal('none integrity [confidentiality]\n')!, /^the kernel is locked down \(confidentiality\)/);
  assert.equal(lockdownRefusal('[none] integrity confidentiality\n'), undefined);
  assert.equal(lockdownRefusal('none [integrity] confidentiality\n'), undefined);
  assert.equal(lockdownRefusal(''), undefined);
});

test('--for and --sample go with --stacks; bad values are usage errors (exit 2)', () => {
  for (const args of [['--for', '5'], ['--stacks', '123', '--for', 'x'], ['--stacks', '123', '--sample', '0']]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
